/**
 * Where the pipeline gets log-mel frames from, and how variable-length items become one batch.
 *
 * `FeatureSource` is the part of the data layer's feature cache (lib/data feature cache: `clipFrames`, `readFrames`)
 * the pipeline needs; tests and notebooks can also pass an in-memory source (`memoryFeatureSource`).
 */
import { UserError } from "../errors";
import { N_MELS } from "../audio/frontend";


export interface FeatureSource {
  /** Number of log-mel frames of a clip. */
  clipFrames(filename: string): number;
  /** Frames [start, end) of a clip, row-major [end − start, 64]. */
  readFrames(filename: string, start: number, end: number): Float32Array;
}

/** A FeatureSource over log-mels held in memory (filename → row-major [frames, 64]). */
export function memoryFeatureSource(clips: Map<string, { data: Float32Array; frames: number }>): FeatureSource {
  const get = (filename: string) => {
    const clip = clips.get(filename);
    if (!clip) throw new UserError(`no features for clip "${filename}"`);
    return clip;
  };
  return {
    clipFrames: (filename) => get(filename).frames,
    readFrames(filename, start, end) {
      const clip = get(filename);
      if (start < 0 || end > clip.frames || end <= start) throw new UserError(`clip "${filename}": frames ${start}…${end} outside 0…${clip.frames}`);
      return clip.data.subarray(start * N_MELS, end * N_MELS);
    },
  };
}

/**
 * Stacks items into one [N, frames, 64] batch, each padded at its end to `frames` with its own minimum value — the
 * log-mel floor, i.e. silence (the reference zero-pads the waveform, which the front-end turns into floor-level frames
 * too). Chunks are all padded to one fixed length (lib/psl/chunking.ts `inputFramesFor`), so a chunk's input never
 * depends on its batch-mates and the teacher can score exactly what the student sees. An item longer than `frames`
 * is a bug in the caller.
 */
export function padToLength(items: readonly Float32Array[], frames: number): Float32Array {
  const input = new Float32Array(items.length * frames * N_MELS);
  items.forEach((item, i) => {
    if (item.length > frames * N_MELS) throw new Error(`padToLength: item ${i} has ${item.length / N_MELS} frames, more than ${frames}`);
    const offset = i * frames * N_MELS;
    input.set(item, offset);
    if (item.length < frames * N_MELS) {
      let floor = Infinity;
      for (let k = 0; k < item.length; k += 1) if (item[k] < floor) floor = item[k];
      input.fill(Number.isFinite(floor) ? floor : 0, offset + item.length, offset + frames * N_MELS);
    }
  });
  return input;
}

/**
 * Stacks full clips of possibly different length (teacher training on weak labels) into one batch, T = the longest,
 * as the reference's collate does; padded frames enter the clip mean there as in the reference. Chunks use the
 * fixed-length `padToLength` instead; evaluation never pads (lib/model predictClips groups equal lengths).
 */
export function stackBatch(items: readonly Float32Array[]): { input: Float32Array; frames: number } {
  const frames = Math.max(...items.map((x) => x.length / N_MELS));
  return { input: padToLength(items, frames), frames };
}
