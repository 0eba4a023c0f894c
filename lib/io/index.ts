/** File formats and crash-safe I/O. */
export * from "./atomic";
export * from "./npy";
