/** File formats, crash-safe I/O and the repository root. */
export * from "./atomic";
export * from "./npy";
export * from "./safetensors";
export * from "./pickle";
export * from "./repo-root";
export * from "./torch-file";
export * from "./same-file";
export * from "./lock";
export * from "./text-file";
export * from "./json-file";
