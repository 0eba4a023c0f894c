/**
 * Batched eval-mode inference without padding.
 *
 * The reference pads clips of unequal length to a common length within a batch, which changes their scores
 * (the padded frames are classified too and enter the clip mean; see paper.md pitfalls). Here clips are grouped
 * by exact frame count and only equal-length clips share a batch, so a clip's score never depends on its batch-mates
 * (eval-mode BatchNorm uses running statistics, so batching itself is exact).
 */
import * as tf from "@tensorflow/tfjs";
import { UserError } from "../errors";
import { N_MELS } from "../audio/frontend";
import type { MobileNetV2 } from "./mobilenetv2";

/** Structural twin of lib/audio's LogMel: row-major [frames, 64]. */
export interface LogMelInput {
  data: Float32Array;
  frames: number;
}

export interface PredictOptions {
  /** Clips per forward pass (default 16). */
  batchSize?: number;
}

export interface FramePredictions {
  /** Row-major [frames, numClasses]. */
  data: Float32Array;
  frames: number;
}

export interface Predictions {
  /** One row of clip probabilities [numClasses] per input clip, in input order. */
  clip: Float32Array[];
  /** Frame probabilities per input clip (only when requested). */
  frames?: FramePredictions[];
}

/** What prediction needs of a model: its class count and eval-mode forward (a MobileNetV2, or a folded copy of one). */
export type Predictor = Pick<MobileNetV2, "config" | "forward">;

/** Clip probabilities, one Float32Array row per input clip (input order). */
export function predictClips(model: Predictor, logMels: LogMelInput[] | tf.Tensor3D, opts: PredictOptions = {}): Float32Array[] {
  return runPredictions(model, logMels, opts, false).clip;
}

/** Clip and frame probabilities per input clip (input order). */
export function predictClipsAndFrames(model: Predictor, logMels: LogMelInput[] | tf.Tensor3D, opts: PredictOptions = {}): Required<Predictions> {
  return runPredictions(model, logMels, opts, true) as Required<Predictions>;
}

/**
 * predictClips reading results asynchronously — the only way on the webgpu backend (no synchronous GPU read in
 * Node) and faster there: the next batch is queued on the GPU before the previous one is read back.
 */
export async function predictClipsAsync(model: Predictor, logMels: LogMelInput[] | tf.Tensor3D, opts: PredictOptions = {}): Promise<Float32Array[]> {
  return (await runPredictionsAsync(model, logMels, opts, false)).clip;
}

/** predictClipsAndFrames, reading asynchronously (see predictClipsAsync). */
export async function predictClipsAndFramesAsync(model: Predictor, logMels: LogMelInput[] | tf.Tensor3D, opts: PredictOptions = {}): Promise<Required<Predictions>> {
  return (await runPredictionsAsync(model, logMels, opts, true)) as Required<Predictions>;
}

/** One forward pass's worth of clips: the input batch and where its rows go. */
interface PlannedBatch {
  /** Input indices of the rows, in row order. */
  members: number[];
  make(): tf.Tensor3D;
}

/** Equal-length groups cut into batches (or slices of a tensor input), in a fixed order. */
function planBatches(logMels: LogMelInput[] | tf.Tensor3D, batchSize: number): PlannedBatch[] {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new UserError(`predict: batchSize must be a positive integer, got ${batchSize}`);
  const batches: PlannedBatch[] = [];
  if (logMels instanceof tf.Tensor) {
    const [n, t, f] = logMels.shape;
    if (logMels.rank !== 3 || f !== N_MELS) throw new UserError(`predict: expected [N, T, ${N_MELS}], got [${logMels.shape}]`);
    for (let start = 0; start < n; start += batchSize) {
      const size = Math.min(batchSize, n - start);
      batches.push({ members: Array.from({ length: size }, (_, i) => start + i), make: () => tf.slice(logMels, [start, 0, 0], [size, t, f]) });
    }
    return batches;
  }
  const groups = new Map<number, number[]>();
  logMels.forEach((mel, index) => {
    if (!Number.isInteger(mel.frames) || mel.frames < 1 || mel.data.length !== mel.frames * N_MELS) {
      throw new UserError(`predict: clip ${index} has ${mel.data.length} values for ${mel.frames} frames × ${N_MELS} mels`);
    }
    const group = groups.get(mel.frames) ?? [];
    group.push(index);
    groups.set(mel.frames, group);
  });
  for (const [t, indices] of groups) {
    for (let start = 0; start < indices.length; start += batchSize) {
      const members = indices.slice(start, start + batchSize);
      batches.push({
        members,
        make() {
          const buffer = new Float32Array(members.length * t * N_MELS);
          members.forEach((index, row) => buffer.set(logMels[index].data, row * t * N_MELS));
          return tf.tensor3d(buffer, [members.length, t, N_MELS]);
        },
      });
    }
  }
  return batches;
}

function emptyResult(count: number, withFrames: boolean): Predictions {
  return withFrames ? { clip: new Array(count), frames: new Array(count) } : { clip: new Array(count) };
}

function countOf(logMels: LogMelInput[] | tf.Tensor3D): number {
  return logMels instanceof tf.Tensor ? logMels.shape[0] : logMels.length;
}

/** Runs the eval-mode forward pass of one batch (the caller reads and disposes the outputs). */
function forwardBatch(model: Predictor, batch: PlannedBatch): { clip: tf.Tensor2D; frames: tf.Tensor3D } {
  const input = batch.make();
  try {
    return model.forward(input, { training: false });
  } finally {
    input.dispose();
  }
}

/** Scatters a batch's read-back outputs into the per-clip result rows. */
function store(result: Predictions, members: number[], classes: number, clipData: Float32Array, frameData: Float32Array | undefined, frameCount: number): void {
  members.forEach((index, row) => {
    result.clip[index] = clipData.slice(row * classes, (row + 1) * classes);
    if (frameData && result.frames) {
      const per = frameCount * classes;
      result.frames[index] = { data: frameData.slice(row * per, (row + 1) * per), frames: frameCount };
    }
  });
}

function runPredictions(model: Predictor, logMels: LogMelInput[] | tf.Tensor3D, opts: PredictOptions, withFrames: boolean): Predictions {
  const result = emptyResult(countOf(logMels), withFrames);
  for (const batch of planBatches(logMels, opts.batchSize ?? 16)) {
    const out = forwardBatch(model, batch);
    store(result, batch.members, model.config.numClasses, out.clip.dataSync() as Float32Array, withFrames ? (out.frames.dataSync() as Float32Array) : undefined, out.frames.shape[1]);
    tf.dispose([out.clip, out.frames]);
  }
  return result;
}

async function runPredictionsAsync(model: Predictor, logMels: LogMelInput[] | tf.Tensor3D, opts: PredictOptions, withFrames: boolean): Promise<Predictions> {
  const result = emptyResult(countOf(logMels), withFrames);
  const read = async (batch: PlannedBatch, out: { clip: tf.Tensor2D; frames: tf.Tensor3D }) => {
    try {
      const [clipData, frameData] = await Promise.all([out.clip.data() as Promise<Float32Array>, withFrames ? (out.frames.data() as Promise<Float32Array>) : undefined]);
      store(result, batch.members, model.config.numClasses, clipData, frameData, out.frames.shape[1]);
    } finally {
      tf.dispose([out.clip, out.frames]);
    }
  };
  // One batch in flight while the next is queued: the GPU never waits for the CPU's read-back.
  let pending: Promise<void> | undefined;
  try {
    for (const batch of planBatches(logMels, opts.batchSize ?? 16)) {
      const out = forwardBatch(model, batch);
      await pending;
      pending = read(batch, out);
    }
    await pending;
  } catch (error) {
    await pending?.catch(() => undefined);
    throw error;
  }
  return result;
}
