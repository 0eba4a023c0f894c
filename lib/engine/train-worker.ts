/**
 * Worker thread of the data-parallel trainer (lib/engine/trainer.ts): owns one tfjs instance (its own wasm heap,
 * one core) and one model replica; per step it loads the shared weights, computes loss and gradients on its
 * shard of the batch (every BatchNorm with the whole batch's statistics, exchanged with the other workers through
 * shared memory) and writes them into its shared gradient buffer. See trainer.ts for the protocol.
 */
import { parentPort } from "node:worker_threads";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../nn/backend";
import { createMobileNetV2FromWeights, type MobileNetV2 } from "../model/mobilenetv2";
import type { ModelConfig } from "../model/config";
import { assignVariables, computeGradients, type ShardBatch } from "./gradients";
import { flatViews } from "./flat-views";
import { abortExchange, sharedExchange } from "../nn/sync-batchnorm";

export interface WorkerInit {
  type: "init";
  backend: string;
  config: ModelConfig;
  trainable: { name: string; size: number }[];
  running: { name: string; size: number }[];
  /** Shared current weights (trainable, in `trainable` order), written by the main thread between steps. */
  params: SharedArrayBuffer;
  /** This worker's gradients (same layout as params). */
  grads: SharedArrayBuffer;
  /** This worker's BN running statistics (in `running` order); initial values on init, updated after each step. */
  runningStats: SharedArrayBuffer;
  /** The BatchNorm statistics exchange shared by all workers (lib/nn/sync-batchnorm.ts). */
  exchange: SharedArrayBuffer;
}
export interface WorkerStep extends ShardBatch {
  type: "step";
  /** This worker's shard, the number of shards in this step, and the whole batch's size. */
  shard: number;
  shards: number;
  batchItems: number;
}
/** Replace the replica's BN running statistics by those in its shared buffer (after a step it sat out). */
export interface WorkerLoadRunning {
  type: "loadRunning";
}
export type WorkerRequest = WorkerInit | WorkerStep | WorkerLoadRunning | { type: "exit" };
export type WorkerReply = { type: "ready"; backend: string } | { type: "done"; loss: number } | { type: "error"; message: string };


let model: MobileNetV2 | undefined;
let init: WorkerInit | undefined;
let paramViews: Float32Array[] = [];
let gradViews: Float32Array[] = [];
let runningViews: Float32Array[] = [];

async function handle(message: WorkerRequest): Promise<WorkerReply | undefined> {
  if (message.type === "exit") {
    model?.dispose();
    process.exit(0);
  }
  if (message.type === "init") {
    init = message;
    const info = await initBackend({ preferred: message.backend, quiet: true });
    paramViews = flatViews(message.params, message.trainable);
    gradViews = flatViews(message.grads, message.trainable);
    runningViews = flatViews(message.runningStats, message.running);
    const values = new Map<string, Float32Array>();
    message.trainable.forEach((t, i) => values.set(t.name, paramViews[i].slice()));
    message.running.forEach((t, i) => values.set(t.name, runningViews[i].slice()));
    model = createMobileNetV2FromWeights(message.config, values);
    return { type: "ready", backend: info.name };
  }
  if (!model || !init) throw new Error("train worker: step before init");
  if (message.type === "loadRunning") {
    const vars = init.running.map((t) => model!.variables.get(t.name)!);
    assignVariables(vars, runningViews);
    return { type: "ready", backend: tf.getBackend() };
  }
  const t0 = performance.now();
  assignVariables(model.trainableVariables(), paramViews);
  const t1 = performance.now();
  const exchange = sharedExchange(init.exchange, message.shard, message.shards, message.batchSize, message.batchItems);
  let loss: number;
  try {
    loss = computeGradients(model, message, gradViews, exchange);
  } catch (error) {
    // Release the other shards waiting for this one's BatchNorm statistics.
    abortExchange(init.exchange);
    throw error;
  }
  const t2 = performance.now();
  init.running.forEach((t, i) => runningViews[i].set(model!.variables.get(t.name)!.dataSync() as Float32Array));
  if (process.env.PSL_TRAINER_TIMING === "1") {
    process.stderr.write(`[train worker] load weights ${(t1 - t0).toFixed(0)} ms, gradients ${(t2 - t1).toFixed(0)} ms, running stats ${(performance.now() - t2).toFixed(0)} ms\n`);
  }
  return { type: "done", loss };
}

parentPort?.on("message", (message: WorkerRequest) => {
  handle(message).then(
    (reply) => reply && parentPort!.postMessage(reply),
    (error: Error) => parentPort!.postMessage({ type: "error", message: error.stack ?? error.message }),
  );
});
