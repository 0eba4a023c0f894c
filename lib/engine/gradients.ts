/**
 * One data-parallel shard of a training step: loss and gradients of the model on a batch, in plain arrays.
 * Shared by the in-process trainer and the worker threads (lib/engine/train-worker.ts).
 */
import * as tf from "@tensorflow/tfjs";
import { N_MELS } from "../audio/frontend";
import type { MobileNetV2 } from "../model/mobilenetv2";
import { bceLoss } from "./loss";

export interface ShardBatch {
  /** Log-mel [n, frames, 64], row-major. */
  input: Float32Array;
  batchSize: number;
  frames: number;
  /** Soft targets [n, numClasses]. */
  targets: Float32Array;
  dropoutSeed: number;
}

/** Mean BCE over the shard and d loss / d variable for every trainable variable, in `names` order (written into `out`). */
export function computeGradients(model: MobileNetV2, batch: ShardBatch, out: Float32Array[]): number {
  const classes = model.config.numClasses;
  if (batch.input.length !== batch.batchSize * batch.frames * N_MELS) {
    throw new Error(`trainer: input has ${batch.input.length} values, expected batchSize*frames*${N_MELS} = ${batch.batchSize * batch.frames * N_MELS}`);
  }
  if (batch.targets.length !== batch.batchSize * classes) {
    throw new Error(`trainer: targets have ${batch.targets.length} values, expected batchSize*numClasses = ${batch.batchSize * classes}`);
  }
  const vars = model.trainableVariables();
  const x = tf.tensor3d(batch.input, [batch.batchSize, batch.frames, N_MELS]);
  const t = tf.tensor2d(batch.targets, [batch.batchSize, classes]);
  try {
    const { value, grads } = tf.variableGrads(() => bceLoss(model.forward(x, { training: true, dropoutSeed: batch.dropoutSeed }).clip, t), vars);
    try {
      vars.forEach((v, i) => {
        const g = grads[v.name];
        if (!g) throw new Error(`trainer: no gradient for ${v.name}`);
        out[i].set(g.dataSync() as Float32Array);
      });
      return value.dataSync()[0];
    } finally {
      tf.dispose([value, ...Object.values(grads)]);
    }
  } finally {
    tf.dispose([x, t]);
  }
}

/** Copies flat values into variables (one tensor per variable; the previous data is released by assign). */
export function assignVariables(vars: tf.Variable[], values: Float32Array[]): void {
  vars.forEach((v, i) => tf.tidy(() => v.assign(tf.tensor(values[i], v.shape, "float32"))));
}
