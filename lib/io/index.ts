/** File formats and crash-safe I/O. */
export * from "./atomic";
export * from "./npy";
export * from "./safetensors";
export * from "./pickle";
