/** Data: AudioSet/FSD metadata, the kit's manifests, chunking, samplers, seeded RNG, the feature cache. */
export * from "./random";
