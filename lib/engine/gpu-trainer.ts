/**
 * The training step on the webgpu backend, GPU-resident: weights, gradients and Adam state never leave the device.
 *
 * Per step: the forward/backward pass (tfjs autodiff over the model's block ops, which run the engine's WGSL kernels
 * on this backend), the gradients copied into one flat buffer (buffer-to-buffer copies on the device), ONE Adam
 * dispatch over the flat parameter / gradient / moment buffers (lib/nn/webgpu/adam.ts; two more with gradient
 * clipping), the updated parameters copied back into fresh variable buffers, and the loss read asynchronously — the
 * step's only transfer to the CPU and its only wait. The CPU trainer (trainer.ts) instead downloads every gradient
 * and runs Adam in WebAssembly: on a GPU that transfer and the round trip would dominate.
 *
 * Semantics are the CPU trainer's: the same dropout seeds (one per item: itemSeed(seed, step, item)), BatchNorm over
 * the whole batch, torch's Adam arithmetic in float32 (to WGSL's sqrt/division accuracy; see adam.ts there).
 * `syncModel()` puts a CPU copy of every variable (and of the Adam moments) next to the GPU data, so the model's
 * synchronous `getWeights()` and the trainer's `optimizerState()` work after it without a synchronous GPU read
 * (which this backend does not have in Node).
 */
import * as tf from "@tensorflow/tfjs";
import type { MobileNetV2 } from "../model/mobilenetv2";
import { recordAdamStep, NORM_PARTIALS, type AdamBuffers } from "../nn/webgpu/adam";
import { BUFFER_USAGE, type GpuBuffer, type WebGpuBackendInternals } from "../nn/webgpu/gpu-types";
import { allocate, bufferOf, flush, readBuffer, webgpuBackend } from "../nn/webgpu/runtime";
import { adamStepScalars, checkedLearningRate, resolveAdamOptions, type AdamState } from "./adam";
import { bceLoss } from "./loss";
import type { Trainer, TrainerOptions, TrainBatch } from "./trainer";

interface Slot {
  name: string;
  variable: tf.Variable;
  /** Offset and length in the flat buffers, in floats. */
  offset: number;
  size: number;
}

/** Shape and size checks of a batch (the CPU trainer's messages). */
export type BatchCheck = (model: MobileNetV2, batch: TrainBatch) => void;

/** Records buffer-to-buffer copies into the backend's encoder (outside any compute pass). */
function copies(backend: WebGpuBackendInternals, list: { from: GpuBuffer; fromOffset: number; to: GpuBuffer; toOffset: number; bytes: number }[]): void {
  backend.ensureCommandEncoderReady();
  backend.endComputePassEncoder();
  for (const c of list) backend.commandEncoder!.copyBufferToBuffer(c.from, c.fromOffset, c.to, c.toOffset, c.bytes);
}

export async function createGpuTrainer(model: MobileNetV2, options: TrainerOptions, checkBatch: BatchCheck, itemSeed: (seed: number, step: number, item: number) => number): Promise<Trainer> {
  const backend = webgpuBackend();
  const opts = resolveAdamOptions({
    learningRate: options.learningRate, epsilon: options.epsilon, amsgrad: options.amsgrad, weightDecay: options.weightDecay, maxGradNorm: options.maxGradNorm,
  });
  const slots: Slot[] = [];
  let total = 0;
  for (const spec of model.specs.filter((s) => s.trainable)) {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    slots.push({ name: spec.key, variable: model.variables.get(spec.key)!, offset: total, size });
    total += size;
  }
  const vars = slots.map((s) => s.variable);
  const usage = BUFFER_USAGE.STORAGE | BUFFER_USAGE.COPY_SRC | BUFFER_USAGE.COPY_DST;
  // WebGPU zero-fills new buffers: the moments start at 0 as in torch.
  const make = (floats: number) => backend.device.createBuffer({ size: Math.max(16, 4 * floats), usage });
  const buffers: AdamBuffers = {
    params: make(total), grads: make(total), expAvg: make(total), expAvgSq: make(total),
    maxExpAvgSq: make(opts.amsgrad ? total : 4), normScratch: make(NORM_PARTIALS), norm: make(4),
  };
  const owned = Object.values(buffers) as GpuBuffer[];
  // The master weights: the model's current values.
  copies(backend, slots.map((s) => ({ from: bufferOf(backend, s.variable), fromOffset: 0, to: buffers.params, toOffset: 4 * s.offset, bytes: 4 * s.size })));
  flush(backend);

  let step = 0;
  let disposed = false;
  /** CPU copy of the moments as of step `cachedAt` (filled by syncModel). */
  let cached: { at: number; state: AdamState } | undefined;

  const checkAlive = () => {
    if (disposed) throw new Error("trainer: the GPU trainer was disposed");
  };

  return {
    workers: 0,
    get stepCount() {
      return step;
    },
    async step(batch) {
      checkAlive();
      checkBatch(model, batch);
      const classes = model.config.numClasses;
      const x = tf.tensor3d(batch.input, [batch.batchSize, batch.frames, 64]);
      const t = tf.tensor2d(batch.targets, [batch.batchSize, classes]);
      const dropoutSeed = Array.from({ length: batch.batchSize }, (_, i) => itemSeed(options.seed, step, i));
      const { value, grads } = tf.variableGrads(() => bceLoss(model.forward(x, { training: true, dropoutSeed }).clip, t), vars);
      try {
        copies(backend, slots.map((s) => {
          const g = grads[s.variable.name];
          if (!g) throw new Error(`trainer: no gradient for ${s.name}`);
          backend.commandQueueOwnedIds.add(g.dataId);
          return { from: bufferOf(backend, g), fromOffset: 0, to: buffers.grads, toOffset: 4 * s.offset, bytes: 4 * s.size };
        }));
        step += 1;
        const { stepSize, bc2Sqrt } = adamStepScalars(opts, step);
        recordAdamStep(backend, buffers, {
          count: total, beta1: opts.beta1, beta2: opts.beta2, epsilon: opts.epsilon, weightDecay: opts.weightDecay,
          negStepSize: -stepSize, bc2Sqrt, amsgrad: opts.amsgrad, maxGradNorm: opts.maxGradNorm,
        });
        // Fresh buffers for the new weights (a buffer another tensor still shares is never written).
        const fresh = slots.map((s) => allocate(backend, s.variable.shape));
        copies(backend, slots.map((s, i) => ({ from: buffers.params, fromOffset: 4 * s.offset, to: bufferOf(backend, fresh[i]), toOffset: 0, bytes: 4 * s.size })));
        slots.forEach((s, i) => {
          const tensor = tf.engine().makeTensorFromTensorInfo(fresh[i]);
          s.variable.assign(tensor);
          tensor.dispose();
        });
        const loss = (await value.data())[0];
        return { loss };
      } finally {
        tf.dispose([value, x, t, ...Object.values(grads)]);
      }
    },
    async syncModel() {
      checkAlive();
      // Weights: the flat parameter buffer IS the current value of every trainable variable.
      const params = await readBuffer(backend, buffers.params, 4 * total);
      for (const s of slots) backend.tensorMap.get(s.variable.dataId).values = params.slice(s.offset, s.offset + s.size);
      // Running statistics (and anything else not trained): one staging read for all of them.
      const others = model.specs.filter((spec) => !spec.trainable).map((spec) => model.variables.get(spec.key)!);
      if (others.length) {
        const sizes = others.map((v) => v.size);
        const staging = backend.device.createBuffer({ size: 4 * sizes.reduce((a, b) => a + b, 0), usage });
        let offset = 0;
        copies(backend, others.map((v, i) => {
          const entry = { from: bufferOf(backend, v), fromOffset: 0, to: staging, toOffset: 4 * offset, bytes: 4 * sizes[i] };
          offset += sizes[i];
          return entry;
        }));
        const values = await readBuffer(backend, staging);
        staging.destroy();
        offset = 0;
        others.forEach((v, i) => {
          backend.tensorMap.get(v.dataId).values = values.slice(offset, offset + sizes[i]);
          offset += sizes[i];
        });
      }
      const split = (flat: Float32Array) => Object.fromEntries(slots.map((s) => [s.name, flat.slice(s.offset, s.offset + s.size)]));
      const m = await readBuffer(backend, buffers.expAvg, 4 * total);
      const v = await readBuffer(backend, buffers.expAvgSq, 4 * total);
      const vmax = opts.amsgrad ? await readBuffer(backend, buffers.maxExpAvgSq, 4 * total) : undefined;
      cached = { at: step, state: { step, options: { ...opts }, expAvg: split(m), expAvgSq: split(v), ...(vmax ? { maxExpAvgSq: split(vmax) } : {}) } };
    },
    optimizerState() {
      if (!cached || cached.at !== step) throw new Error("trainer.optimizerState: on the webgpu backend call `await trainer.syncModel()` first (the moments live on the GPU)");
      return cached.state;
    },
    setLearningRate(learningRate) {
      opts.learningRate = checkedLearningRate(learningRate);
    },
    loadOptimizerState(state) {
      checkAlive();
      if (Boolean(state.options?.amsgrad) !== opts.amsgrad) throw new Error(`Adam.loadStateDict: amsgrad ${state.options?.amsgrad} in the state, ${opts.amsgrad} in this optimizer`);
      // Queue writes run before work submitted later but after nothing still unsubmitted: submit first.
      flush(backend);
      for (const s of slots) {
        const m = state.expAvg[s.name], v = state.expAvgSq[s.name];
        if (!m || !v || m.length !== s.size || v.length !== s.size) throw new Error(`Adam.loadStateDict: state for "${s.name}" missing or of the wrong size`);
        backend.queue.writeBuffer(buffers.expAvg, 4 * s.offset, m);
        backend.queue.writeBuffer(buffers.expAvgSq, 4 * s.offset, v);
        if (opts.amsgrad) {
          const vm = state.maxExpAvgSq?.[s.name];
          if (!vm || vm.length !== s.size) throw new Error(`Adam.loadStateDict: amsgrad state for "${s.name}" missing`);
          backend.queue.writeBuffer(buffers.maxExpAvgSq, 4 * s.offset, vm);
        }
      }
      step = state.step;
      cached = undefined;
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      flush(backend);
      await backend.queue.onSubmittedWorkDone();
      for (const b of owned) b.destroy();
    },
  };
}
