/**
 * The training step the pipeline calls: forward, BCE on soft targets, backward, Adam (torch semantics).
 *
 * Data parallelism: tfjs's wasm backend is single-threaded in Node, so with `workers: n` (default "auto": one per
 * core on the wasm and cpu backends) each batch is split into n contiguous shards computed by worker threads, each
 * with its own tfjs instance and model replica. Every training-mode BatchNorm uses the statistics of the WHOLE batch,
 * forward and backward (PyTorch's SyncBatchNorm, as the reference's single-process BatchNorm): the shards exchange
 * per-channel partial sums through shared memory and combine them in shard order (lib/nn/sync-batchnorm.ts). Each
 * shard differentiates its share n_i/N of the batch's mean loss, so the main thread adds the shards' gradients (in
 * shard order) into the whole batch's gradient and takes the Adam step on the shared weights. Dropout masks are drawn
 * per item from (seed, step, item index in the batch). So the worker count changes only float rounding, never the
 * model; every replica computes bit-identical BatchNorm running statistics, and `syncModel()` publishes that one set.
 * With workers 0 (the default on the tensorflow backends, where the library itself is multi-threaded) the step
 * runs in-process on the model itself. On the webgpu backend the step is GPU-resident (gpu-trainer.ts; no workers).
 *
 * Determinism: for a given seed, worker count and batch sequence the weights are identical run to run (fixed
 * shard split, fixed reduction orders, per-item dropout seeds); different worker counts agree to float rounding.
 *
 * The trainer snapshots the model's weights and running statistics when created (load checkpoints first) and owns
 * them from then on: call `syncModel()` before using the model elsewhere, and create a new trainer after changing its
 * weights. A checkpoint of the synced model holds everything a resumed trainer needs (with the optimizer state).
 */
import { availableParallelism } from "node:os";
import { extname, join } from "node:path";
import { Worker } from "node:worker_threads";
import * as tf from "@tensorflow/tfjs";
import { N_MELS } from "../audio/frontend";
import type { MobileNetV2 } from "../model/mobilenetv2";
import { createAdam, type Adam, type AdamState } from "./adam";
import { activeBackend } from "../nn/backend";
import { assignVariables, computeGradients } from "./gradients";
import { flatViews } from "./flat-views";
import type { WorkerInit, WorkerReply, WorkerRequest, WorkerStep } from "./train-worker";
import { abortExchange, createExchangeBuffer, exchangeValuesFor } from "../nn/sync-batchnorm";
import { createGpuTrainer } from "./gpu-trainer";

export interface TrainerOptions {
  /** Adam learning rate (default 1e-3, as the reference configs). */
  learningRate?: number;
  /** Adam's eps (default 1e-8, as torch.optim.Adam). */
  epsilon?: number;
  amsgrad?: boolean;
  weightDecay?: number;
  /** Clip the global gradient norm (torch clip_grad_norm_) before each step; off by default (as the reference). */
  maxGradNorm?: number;
  /** Seeds the dropout masks. */
  seed: number;
  /** Worker threads for data parallelism: a number (0 = in-process) or "auto" (default). */
  workers?: number | "auto";
}

export interface TrainBatch {
  /** Log-mel chunks [batchSize, frames, 64], row-major. */
  input: Float32Array;
  batchSize: number;
  frames: number;
  /** Soft targets [batchSize, numClasses] (see loss.mixTargets for the PSL student mix). */
  targets: Float32Array;
}

export interface Trainer {
  /** Worker threads in use (0 = in-process). */
  readonly workers: number;
  /** Optimizer steps taken. */
  readonly stepCount: number;
  step(batch: TrainBatch): Promise<{ loss: number }>;
  /** Copies the latest weights and BatchNorm running statistics into the model (before eval or checkpointing). */
  syncModel(): Promise<void>;
  optimizerState(): AdamState;
  loadOptimizerState(state: AdamState): void;
  /** The learning rate of the following steps (a learning-rate schedule calls it before a step). */
  setLearningRate(learningRate: number): void;
  /**
   * Every replica's BatchNorm running statistics (one map per worker thread; absent in-process), for checks: with
   * whole-batch statistics they are bit-identical.
   */
  replicaRunningStats?(): Map<string, Float32Array>[];
  /** Stops the workers (the model itself stays usable). */
  dispose(): Promise<void>;
}

/**
 * Worker count for "auto": one per core on the single-threaded backends (wasm, cpu), none on tensorflow. Safe at any
 * count: with whole-batch BatchNorm statistics the worker count changes only float rounding.
 */
export function autoWorkers(backendName = activeBackend()?.name ?? tf.getBackend()): number {
  if (backendName === "tensorflow" || backendName === "tensorflow-gpu" || backendName === "webgpu") return 0;
  return Math.max(1, availableParallelism());
}

/** The dropout seed of item `item` of the batch at `step`: splitmix-style mixing so neighbours get unrelated masks. */
export function itemSeed(seed: number, step: number, item: number): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (const v of [step, item]) {
    h = Math.imul(h ^ v, 0x85ebca6b) >>> 0;
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
    h = (h ^ (h >>> 16)) >>> 0;
  }
  return h;
}

/** Sizes of `parts` contiguous shards of `n` items (the first ones one larger when n does not divide). */
export function shardSizes(n: number, parts: number): number[] {
  const k = Math.max(1, Math.min(parts, n));
  return Array.from({ length: k }, (_, i) => Math.floor(n / k) + (i < n % k ? 1 : 0));
}

interface Layout {
  trainable: { name: string; size: number }[];
  running: { name: string; size: number }[];
}

function layoutOf(model: MobileNetV2): Layout {
  const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
  return {
    trainable: model.specs.filter((s) => s.trainable).map((s) => ({ name: s.key, size: size(s.shape) })),
    running: model.specs.filter((s) => !s.trainable).map((s) => ({ name: s.key, size: size(s.shape) })),
  };
}

const total = (layout: { size: number }[]) => layout.reduce((a, b) => a + b.size, 0);

export async function createTrainer(model: MobileNetV2, options: TrainerOptions): Promise<Trainer> {
  if (tf.getBackend() === "webgpu") return createGpuTrainer(model, options, checkBatch, itemSeed);
  const requested = options.workers ?? "auto";
  const workerCount = requested === "auto" ? autoWorkers() : requested;
  if (!Number.isInteger(workerCount) || workerCount < 0) throw new Error(`createTrainer: workers must be "auto" or an integer ≥ 0, got ${requested}`);
  const layout = layoutOf(model);
  const names = layout.trainable.map((t) => t.name);
  const adam = createAdam(new Map(layout.trainable.map((t) => [t.name, t.size])), {
    learningRate: options.learningRate, epsilon: options.epsilon, amsgrad: options.amsgrad, weightDecay: options.weightDecay, maxGradNorm: options.maxGradNorm,
  });
  // The master copy of the weights; with workers it is shared memory they read at the start of each step.
  const paramBuffer = workerCount > 0 ? new SharedArrayBuffer(4 * total(layout.trainable)) : new ArrayBuffer(4 * total(layout.trainable));
  const params = flatViews(paramBuffer, layout.trainable);
  const initial = model.getWeights();
  layout.trainable.forEach((t, i) => params[i].set(initial.get(t.name)!));
  const paramMap = new Map(names.map((n, i) => [n, params[i]]));
  const grads = layout.trainable.map((t) => new Float32Array(t.size));
  const gradMap = new Map(names.map((n, i) => [n, grads[i]]));
  return workerCount === 0
    ? inProcessTrainer(model, options, adam, params, paramMap, grads, gradMap)
    : await workerTrainer(model, options, workerCount, layout, adam, paramBuffer, params, paramMap, initial);
}

function checkBatch(model: MobileNetV2, batch: TrainBatch): void {
  const { batchSize, frames } = batch;
  if (!Number.isInteger(batchSize) || batchSize < 1 || !Number.isInteger(frames) || frames < 1) {
    throw new Error(`trainer.step: batchSize and frames must be positive integers (got ${batchSize}, ${frames})`);
  }
  if (batch.input.length !== batchSize * frames * N_MELS) throw new Error(`trainer.step: input has ${batch.input.length} values, expected ${batchSize}*${frames}*${N_MELS}`);
  if (batch.targets.length !== batchSize * model.config.numClasses) {
    throw new Error(`trainer.step: targets have ${batch.targets.length} values, expected ${batchSize}*${model.config.numClasses}`);
  }
}

function inProcessTrainer(
  model: MobileNetV2, options: TrainerOptions, adam: Adam,
  params: Float32Array[], paramMap: Map<string, Float32Array>, grads: Float32Array[], gradMap: Map<string, Float32Array>,
): Trainer {
  const vars = model.trainableVariables();
  return {
    workers: 0,
    get stepCount() {
      return adam.stepCount;
    },
    async step(batch) {
      checkBatch(model, batch);
      const dropoutSeeds = Array.from({ length: batch.batchSize }, (_, i) => itemSeed(options.seed, adam.stepCount, i));
      const loss = computeGradients(model, { ...batch, dropoutSeeds }, grads);
      adam.step(paramMap, gradMap);
      assignVariables(vars, params);
      return { loss };
    },
    async syncModel() {
      // The model's variables are the live ones here; nothing to copy.
    },
    optimizerState: () => adam.stateDict(),
    loadOptimizerState: (state) => adam.loadStateDict(state),
    setLearningRate: (learningRate) => adam.setLearningRate(learningRate),
    async dispose() {},
  };
}

interface PoolWorker {
  worker: Worker;
  grads: Float32Array[];
  running: Float32Array[];
  pending?: { resolve: (r: WorkerReply) => void; reject: (e: Error) => void };
}

/**
 * Starts the worker script next to this file: the .js in the compiled lib/dist, or the .ts sources (tests, CLI,
 * tsx), which a worker thread can only load after registering tsx's require hook itself.
 */
function startWorker(): Worker {
  const ext = extname(__filename);
  const path = join(__dirname, `train-worker${ext}`);
  if (ext !== ".ts") return new Worker(path);
  const tsxApi = require.resolve("tsx/cjs/api");
  return new Worker(`require(${JSON.stringify(tsxApi)}).register(); require(${JSON.stringify(path)});`, { eval: true });
}

async function workerTrainer(
  model: MobileNetV2, options: TrainerOptions, count: number, layout: Layout, adam: Adam, paramBuffer: ArrayBufferLike,
  params: Float32Array[], paramMap: Map<string, Float32Array>, initial: Map<string, Float32Array>,
): Promise<Trainer> {
  const backend = activeBackend()?.name ?? tf.getBackend();
  const pool: PoolWorker[] = [];
  // Whole-batch BatchNorm statistics: one exchange buffer for all workers, slots sized for the widest BatchNorm.
  const widestBatchNorm = Math.max(1, ...layout.running.map((t) => t.size));
  const exchange = createExchangeBuffer(count, exchangeValuesFor(widestBatchNorm));
  // Workers hold the event loop only while they compute: a trainer that is never disposed cannot keep a script
  // or notebook kernel from exiting.
  const call = (w: PoolWorker, message: WorkerRequest, transfer: ArrayBuffer[] = []): Promise<WorkerReply> =>
    new Promise<WorkerReply>((resolve, reject) => {
      w.pending = { resolve, reject };
      w.worker.ref();
      w.worker.postMessage(message, transfer);
    }).finally(() => w.worker.unref());
  for (let i = 0; i < count; i++) {
    const gradBuffer = new SharedArrayBuffer(4 * total(layout.trainable));
    const runningBuffer = new SharedArrayBuffer(4 * total(layout.running));
    const running = flatViews(runningBuffer, layout.running);
    layout.running.forEach((t, j) => running[j].set(initial.get(t.name)!));
    const worker = startWorker();
    const entry: PoolWorker = { worker, grads: flatViews(gradBuffer, layout.trainable), running };
    worker.on("message", (reply: WorkerReply) => {
      const p = entry.pending;
      entry.pending = undefined;
      if (!p) return;
      if (reply.type === "error") p.reject(new Error(`train worker ${i}: ${reply.message}`));
      else p.resolve(reply);
    });
    // A worker that dies mid-step must not leave the others waiting for its BatchNorm statistics.
    worker.on("error", (error) => {
      abortExchange(exchange);
      entry.pending?.reject(error);
    });
    worker.on("exit", (code) => {
      abortExchange(exchange);
      entry.pending?.reject(new Error(`train worker ${i} exited (code ${code})`));
    });
    pool.push(entry);
    const init: WorkerInit = {
      type: "init", backend, config: model.config, trainable: layout.trainable, running: layout.running,
      params: paramBuffer as SharedArrayBuffer, grads: gradBuffer, runningStats: runningBuffer, exchange,
    };
    const reply = await call(entry, init).catch(async (error) => {
      await Promise.all(pool.map((w) => w.worker.terminate()));
      throw error;
    });
    if (reply.type !== "ready") throw new Error(`train worker ${i}: unexpected reply ${reply.type}`);
  }
  let disposed = false;
  // PSL_TRAINER_TIMING=1: per-step split between worker compute, gradient reduction and the Adam update (stderr).
  const timing = process.env.PSL_TRAINER_TIMING === "1";

  return {
    workers: count,
    get stepCount() {
      return adam.stepCount;
    },
    async step(batch) {
      if (disposed) throw new Error("trainer.step: the trainer was disposed");
      checkBatch(model, batch);
      const tStart = performance.now();
      const sizes = shardSizes(batch.batchSize, count);
      const classes = model.config.numClasses;
      const perItem = batch.frames * N_MELS;
      let start = 0;
      const step = adam.stepCount;
      const shards = sizes.length;
      const replies = await Promise.all(
        sizes.map((n, i) => {
          const first = start;
          const input = batch.input.slice(first * perItem, (first + n) * perItem);
          const targets = batch.targets.slice(first * classes, (first + n) * classes);
          start += n;
          const dropoutSeeds = Array.from({ length: n }, (_, j) => itemSeed(options.seed, step, first + j));
          const message: WorkerStep = {
            type: "step", input, targets, batchSize: n, frames: batch.frames, dropoutSeeds,
            lossScale: n / batch.batchSize, shard: i, shards, batchItems: batch.batchSize,
          };
          return call(pool[i], message, [input.buffer as ArrayBuffer, targets.buffer as ArrayBuffer]);
        }),
      );
      const tCompute = performance.now();
      // Each shard returned its share of the batch's mean loss and gradient: the batch's are their sums (shard order).
      let loss = 0;
      replies.forEach((r, i) => {
        if (r.type !== "done") throw new Error(`train worker ${i}: unexpected reply ${r.type}`);
        loss += r.loss;
      });
      // Workers that sat this step out (a batch smaller than the pool) take the participants' running statistics.
      for (let i = shards; i < count; i++) {
        pool[i].running.forEach((v, j) => v.set(pool[0].running[j]));
        await call(pool[i], { type: "loadRunning" });
      }
      const tReduce = performance.now();
      adam.stepWeighted(paramMap, sizes.map((_, i) => pool[i].grads), sizes.map(() => 1));
      if (timing) process.stderr.write(`[trainer] workers ${(tCompute - tStart).toFixed(0)} ms, reduce ${(tReduce - tCompute).toFixed(0)} ms, adam ${(performance.now() - tReduce).toFixed(0)} ms\n`);
      return { loss };
    },
    async syncModel() {
      const values = new Map<string, Float32Array>();
      layout.trainable.forEach((t, j) => values.set(t.name, params[j]));
      // Every replica holds the same running statistics (whole-batch BatchNorm); a difference is a bug, not noise.
      layout.running.forEach((t, j) => {
        for (let w = 1; w < pool.length; w++) {
          const a = pool[0].running[j], b = pool[w].running[j];
          for (let k = 0; k < t.size; k++) {
            if (!Object.is(a[k], b[k])) throw new Error(`trainer: BatchNorm running statistics of workers 0 and ${w} differ at ${t.name}[${k}] (${a[k]} vs ${b[k]})`);
          }
        }
        values.set(t.name, pool[0].running[j].slice());
      });
      model.setWeights(values);
    },
    replicaRunningStats: () => pool.map((w) => new Map(layout.running.map((t, j) => [t.name, w.running[j].slice()]))),
    optimizerState: () => adam.stateDict(),
    loadOptimizerState: (state) => adam.loadStateDict(state),
    setLearningRate: (learningRate) => adam.setLearningRate(learningRate),
    async dispose() {
      if (disposed) return;
      disposed = true;
      abortExchange(exchange);
      await Promise.all(pool.map(async (w) => {
        w.pending = undefined;
        await w.worker.terminate();
      }));
    },
  };
}
