/**
 * Cutting clips into chunks as the reference does (numpy `arange(0, duration, hop)` for the starts):
 * from = 0, hop, 2·hop, … < duration; to = min(from + chunk, duration). Every chunk keeps its clip's weak labels.
 * Two rules on top:
 * - the duration is first rounded to 0.1 s, as the reference's label lists store it (prepare_label_list.py:
 *   round(duration, 1)): a 10.02-s file is 10.0 s, five 2-s chunks, not five plus a 0.02-s sixth;
 * - a chunk after the clip's first that is shorter than `minChunkSeconds` is dropped (a clip shorter than the minimum
 *   is still one chunk: the whole clip). The reference has no minimum (its shortest chunk is the 0.1-s rounding step);
 *   the kit's default (lib/psl/config.ts) is half the chunk length.
 * `chunkFrames` maps a chunk onto frames of the clip's log-mel (hop 160 samples at 16 kHz = 100 frames/s).
 */
import { UserError } from "../errors";
import { HOP_LENGTH, framesForSamples, secondsToSamples } from "../audio/frontend";

export interface Chunk {
  /** Position within its clip: 0, 1, 2, … */
  index: number;
  /** Start and end in seconds. */
  from: number;
  to: number;
}

function checkPositive(name: string, value: number): void {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new UserError(`${name} must be a finite number > 0, got ${value}`);
  }
}

/** The duration step of the reference's label lists (seconds). */
export const DURATION_STEP_SECONDS = 0.1;

/**
 * A duration rounded to 0.1 s, as the reference's label lists hold it (Python's round(d, 1); exact halves such as
 * 9.45 may round the other way there, a 0.1-s difference in the last chunk). Never below one step: the reference
 * drops clips of 0.1 s or less, and a positive duration must keep one chunk.
 */
export function roundDuration(seconds: number): number {
  return Math.max(DURATION_STEP_SECONDS, Math.round(seconds / DURATION_STEP_SECONDS) / 10);
}

/**
 * Chunks of a clip of `durationSeconds` (rounded to 0.1 s first); `hopSeconds` defaults to `chunkSeconds` (no
 * overlap); chunks after the first shorter than `minChunkSeconds` are dropped (default 0: none).
 */
export function cutChunks(durationSeconds: number, chunkSeconds: number, hopSeconds: number = chunkSeconds, minChunkSeconds = 0): Chunk[] {
  checkPositive("durationSeconds", durationSeconds);
  checkPositive("chunkSeconds", chunkSeconds);
  checkPositive("hopSeconds", hopSeconds);
  if (!(Number.isFinite(minChunkSeconds) && minChunkSeconds >= 0)) throw new UserError(`minChunkSeconds must be a finite number ≥ 0, got ${minChunkSeconds}`);
  const duration = roundDuration(durationSeconds);
  // numpy.arange(start, stop, step) has ceil((stop − start) / step) elements, element i = start + i·step. The
  // quotient is rounded to 1e-9 first: 10.0 / 0.1 is 100.00000000000001 in floats, which would add an empty chunk.
  const count = Math.ceil(Math.round((duration / hopSeconds) * 1e9) / 1e9);
  const chunks: Chunk[] = [];
  for (let index = 0; index < count; index++) {
    const from = index * hopSeconds;
    const to = Math.min(from + chunkSeconds, duration);
    // 1e-9: the float sum of from + chunk must not drop a chunk of exactly the minimum.
    if (index > 0 && to - from < minChunkSeconds - 1e-9) continue;
    chunks.push({ index, from, to });
  }
  return chunks;
}

/**
 * Frame range [start, end) of a chunk in its clip's log-mel. The reference feeds the chunk's samples
 * int(from·16000) … int(to·16000) to the front-end, giving 1 + floor(samples / 160) frames whose centres fall on
 * multiples of 160 samples from the chunk start; those are the clip spectrogram's frames from round(startSample / 160)
 * on (identical centres when `from` is a multiple of 10 ms, as for every chunk/hop the paper uses). Only the edge
 * frames differ slightly: the chunk's reflect padding and per-chunk top_db floor versus the clip's real neighbours.
 * Pass `clipFrames` to clamp `end` to the clip's spectrogram (a rounded duration can overshoot it by a frame).
 */
export function chunkFrames(chunk: Chunk, clipFrames?: number): { start: number; end: number } {
  if (!(chunk.to > chunk.from) || chunk.from < 0) throw new UserError(`chunk ${chunk.index}: bad range ${chunk.from} … ${chunk.to} s`);
  const startSample = secondsToSamples(chunk.from);
  const endSample = secondsToSamples(chunk.to);
  const start = Math.round(startSample / HOP_LENGTH);
  let end = start + framesForSamples(endSample - startSample);
  if (clipFrames !== undefined) {
    if (start >= clipFrames) throw new UserError(`chunk ${chunk.index} starts at frame ${start}, beyond the clip's ${clipFrames} frames`);
    end = Math.min(end, clipFrames);
  }
  return { start, end };
}

/** A chunk together with the clip it comes from and the clip's weak labels (what the student trains on). */
export interface ClipChunk extends Chunk {
  clip: number;
  filename: string;
  labels: number[];
}

/** Chunks of every row of a manifest, in row order; each chunk inherits its clip's labels. */
export function chunkManifest(
  rows: readonly { filename: string; labels: number[]; duration: number }[],
  chunkSeconds: number,
  hopSeconds: number = chunkSeconds,
  minChunkSeconds = 0,
): ClipChunk[] {
  const out: ClipChunk[] = [];
  rows.forEach((row, clip) => {
    for (const chunk of cutChunks(row.duration, chunkSeconds, hopSeconds, minChunkSeconds)) {
      out.push({ ...chunk, clip, filename: row.filename, labels: row.labels });
    }
  });
  return out;
}
