/**
 * One data-parallel shard of a training step: loss and gradients of the model on a batch, in plain arrays.
 * Shared by the in-process trainer and the worker threads (lib/engine/train-worker.ts).
 */
import * as tf from "@tensorflow/tfjs";
import { N_MELS } from "../audio/frontend";
import type { MobileNetV2 } from "../model/mobilenetv2";
import { withShardExchange, type ShardExchange } from "../nn/sync-batchnorm";
import { f32View, offsetOf, type WasmBackendInternals } from "../nn/wasm/module";
import { bceLoss } from "./loss";

export interface ShardBatch {
  /** Log-mel [n, frames, 64], row-major. */
  input: Float32Array;
  batchSize: number;
  frames: number;
  /** Soft targets [n, numClasses]. */
  targets: Float32Array;
  /** One dropout seed per item, a function of the item's place in the whole batch (not of the shard split). */
  dropoutSeeds: number[];
  /**
   * The shard's share of the whole batch, n / N (default 1): the shard differentiates n/N × its mean loss, i.e. its
   * part of the whole batch's mean loss, so the shards' gradients add up to the whole batch's and the BatchNorm
   * backward sums exchanged between shards have one scale.
   */
  lossScale?: number;
}

/**
 * lossScale × the mean BCE over the shard, and its gradient for every trainable variable in `names` order (written
 * into `out`). With an `exchange` (data-parallel workers) every training-mode BatchNorm uses the whole batch's
 * statistics (lib/nn/sync-batchnorm.ts).
 */
export function computeGradients(model: MobileNetV2, batch: ShardBatch, out: Float32Array[], exchange?: ShardExchange): number {
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
    const scale = batch.lossScale ?? 1;
    const loss = () => {
      const mean = bceLoss(model.forward(x, { training: true, dropoutSeed: batch.dropoutSeeds }).clip, t);
      return scale === 1 ? mean : tf.mul(mean, scale) as tf.Scalar;
    };
    const { value, grads } = withShardExchange(exchange, () => tf.variableGrads(loss, vars));
    try {
      vars.forEach((v, i) => {
        const g = grads[v.name];
        if (!g) throw new Error(`trainer: no gradient for ${v.name}`);
        readInto(g, out[i]);
      });
      return value.dataSync()[0];
    } finally {
      tf.dispose([value, ...Object.values(grads)]);
    }
  } finally {
    tf.dispose([x, t]);
  }
}

/**
 * Copies a tensor's values into `out`. On wasm straight from the heap (one copy): dataSync would first copy into a new
 * array, and the 2.9 M gradient values of every step cost ~5 % of a training step that way (measured, CPU profile).
 */
function readInto(t: tf.Tensor, out: Float32Array): void {
  if (tf.getBackend() === "wasm") {
    const backend = tf.backend() as unknown as WasmBackendInternals;
    out.set(f32View(backend, offsetOf(backend, t), t.size));
  } else {
    out.set(t.dataSync() as Float32Array);
  }
}

/** Copies flat values into variables (one tensor per variable; the previous data is released by assign). */
export function assignVariables(vars: tf.Variable[], values: Float32Array[]): void {
  vars.forEach((v, i) => tf.tidy(() => v.assign(tf.tensor(values[i], v.shape, "float32"))));
}
