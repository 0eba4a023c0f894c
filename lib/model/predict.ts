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

/** Clip probabilities, one Float32Array row per input clip (input order). */
export function predictClips(model: MobileNetV2, logMels: LogMelInput[] | tf.Tensor3D, opts: PredictOptions = {}): Float32Array[] {
  return runPredictions(model, logMels, opts.batchSize ?? 16, false).clip;
}

/** Clip and frame probabilities per input clip (input order). */
export function predictClipsAndFrames(model: MobileNetV2, logMels: LogMelInput[] | tf.Tensor3D, opts: PredictOptions = {}): Required<Predictions> {
  return runPredictions(model, logMels, opts.batchSize ?? 16, true) as Required<Predictions>;
}

function runPredictions(model: MobileNetV2, logMels: LogMelInput[] | tf.Tensor3D, batchSize: number, withFrames: boolean): Predictions {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new UserError(`predict: batchSize must be a positive integer, got ${batchSize}`);
  const classes = model.config.numClasses;
  if (logMels instanceof tf.Tensor) {
    const [n, t, f] = logMels.shape;
    if (logMels.rank !== 3 || f !== N_MELS) throw new UserError(`predict: expected [N, T, ${N_MELS}], got [${logMels.shape}]`);
    const clip: Float32Array[] = [];
    const frames: FramePredictions[] = [];
    for (let start = 0; start < n; start += batchSize) {
      const size = Math.min(batchSize, n - start);
      const batch = tf.slice(logMels, [start, 0, 0], [size, t, f]);
      collect(model, batch, size, classes, clip, withFrames ? frames : undefined);
      batch.dispose();
    }
    return withFrames ? { clip, frames } : { clip };
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
  const clip: Float32Array[] = new Array(logMels.length);
  const frames: FramePredictions[] = new Array(logMels.length);
  for (const [t, indices] of groups) {
    for (let start = 0; start < indices.length; start += batchSize) {
      const members = indices.slice(start, start + batchSize);
      const buffer = new Float32Array(members.length * t * N_MELS);
      members.forEach((index, row) => buffer.set(logMels[index].data, row * t * N_MELS));
      const batch = tf.tensor3d(buffer, [members.length, t, N_MELS]);
      const clipRows: Float32Array[] = [];
      const frameRows: FramePredictions[] = [];
      collect(model, batch, members.length, classes, clipRows, withFrames ? frameRows : undefined);
      batch.dispose();
      members.forEach((index, row) => {
        clip[index] = clipRows[row];
        if (withFrames) frames[index] = frameRows[row];
      });
    }
  }
  return withFrames ? { clip, frames } : { clip };
}

function collect(model: MobileNetV2, batch: tf.Tensor3D, size: number, classes: number, clipOut: Float32Array[], framesOut?: FramePredictions[]): void {
  const out = model.forward(batch, { training: false });
  const clipData = out.clip.dataSync() as Float32Array;
  for (let i = 0; i < size; i++) clipOut.push(clipData.slice(i * classes, (i + 1) * classes));
  if (framesOut) {
    const outFrames = out.frames.shape[1];
    const frameData = out.frames.dataSync() as Float32Array;
    const per = outFrames * classes;
    for (let i = 0; i < size; i++) framesOut.push({ data: frameData.slice(i * per, (i + 1) * per), frames: outFrames });
  }
  out.clip.dispose();
  out.frames.dispose();
}
