/** Audio front-end: decoding to mono 16 kHz, band-limited resampling, WAV writing, the reference's log-mel. */
export * from "./frontend";
export * from "./decode";
export * from "./resample";
export * from "./wav";
export * from "./melspec";
