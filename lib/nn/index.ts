/** Neural-network building blocks below the model: the MobileNetV2 block ops, their reference versions and the wasm kernels. */
export * from "./ops";
export { registerWasmKernels } from "./wasm/register";
