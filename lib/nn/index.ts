/** Neural-network building blocks below the model: the tfjs backend, the MobileNetV2 block ops, their reference versions and the wasm kernels. */
export { initBackend, activeBackend, BACKEND_NAMES, BackendError, type BackendName, type BackendInfo } from "./backend";
export * from "./ops";
export { registerWasmKernels } from "./wasm/register";
