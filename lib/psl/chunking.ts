/**
 * The chunks teacher and student see, and the one input length they are both fed.
 *
 * Which chunks: lib/data/chunks.ts (`cutChunks`: the clip's duration rounded to 0.1 s, starts every hop, chunks after
 * the first shorter than the minimum dropped), mapped onto frames of the clip's cached log-mel.
 *
 * What input: every chunk is padded to ONE length, `inputFrames` = the frames of a full chunk (2 s → 201), or the
 * longest chunk there is when every clip is shorter than a chunk. The teacher scores exactly the padded tensor the
 * student trains on, in offline annotation and in online mode alike, so a short chunk (the 1.4-s tail of a 9.4-s
 * clip, a 4-s clip cut into 10-s chunks) gets a target computed on the student's own input, and that input never
 * depends on the chunk's batch-mates. This is the reference's behaviour made batch-independent: there the online
 * teacher runs on the student's batch, zero-padded to the batch's longest chunk, which is a full chunk in practice.
 * The alternative, a frame mask through the clip mean, was not taken: padded frames would still reach every
 * convolution's receptive field and the training-mode BatchNorm statistics, so a short chunk's score would still
 * depend on its padding; and it would change the model's forward and backward on every backend (fused wasm kernels,
 * WebGPU) instead of one data-loading function. Evaluation is unaffected: full clips are never padded (lib/model
 * predictClips batches equal lengths only), so a clip's score is the same alone and in any batch.
 */
import { chunkFrames, cutChunks } from "../data/chunks";
import { framesForSeconds } from "../audio/frontend";
import type { FeatureSource } from "./features";

export interface Chunking {
  chunkSeconds: number;
  hopSeconds: number;
  /** Chunks after a clip's first shorter than this are dropped. */
  minChunkSeconds: number;
}

/** One chunk of one clip: where it is in seconds and in the clip's log-mel frames [start, end). */
export interface ChunkRange {
  /** Row of the clip in the list that was chunked. */
  row: number;
  filename: string;
  /** Chunk index within its clip (0, 1, …; dropped short chunks leave no gap before them, only after). */
  index: number;
  from: number;
  to: number;
  start: number;
  end: number;
}

/** Every chunk of `rows` (in row order) with its frame range, clamped to the clip's cached frames. */
export function chunkRanges(rows: readonly { filename: string; duration: number }[], features: FeatureSource, chunking: Chunking): ChunkRange[] {
  const out: ChunkRange[] = [];
  rows.forEach((row, r) => {
    const clipFrames = features.clipFrames(row.filename);
    for (const c of cutChunks(row.duration, chunking.chunkSeconds, chunking.hopSeconds, chunking.minChunkSeconds)) {
      // A duration rounded up can put a last chunk's end past the features' end: clamp it (skip one that starts there).
      const range = chunkFrames(c);
      if (range.start >= clipFrames) continue;
      out.push({ row: r, filename: row.filename, index: c.index, from: c.from, to: c.to, start: range.start, end: Math.min(range.end, clipFrames) });
    }
  });
  return out;
}

/**
 * The one length every chunk is padded to: a full chunk's frames, or the longest chunk when none is full (every clip
 * shorter than the chunk: padding 2-s clips to 30 s would only add silence).
 */
export function inputFramesFor(chunking: Chunking, ranges: readonly { start: number; end: number }[]): number {
  let longest = 1;
  for (const r of ranges) longest = Math.max(longest, r.end - r.start);
  return Math.min(framesForSeconds(chunking.chunkSeconds), longest);
}
