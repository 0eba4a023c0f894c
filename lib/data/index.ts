/** Data: AudioSet/FSD metadata, the kit's manifests, chunking, samplers, seeded RNG, the feature cache, batch augmentation. */
export * from "./random";
export * from "./csv";
export * from "./classes";
export * from "./segments";
export * from "./ontology";
export * from "./fsd";
export * from "./manifest";
export * from "./chunks";
export * from "./durations";
export * from "./sampler";
export * from "./feature-cache";
export * from "./reference-hdf5";
export * from "./named-dataset";
export * from "./augment";
