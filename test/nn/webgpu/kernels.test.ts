/**
 * The engine's WGSL kernels (lib/nn/webgpu) on the webgpu backend against the reference ops on the cpu backend:
 * the MobileNetV2 blocks (values, gradients for input / weights / BN gamma and beta, running statistics), the BCE
 * loss and its gradient, and the fused Adam update against the CPU optimizer. Shapes are chosen to cross the
 * kernels' tiling: several channel tiles, several row blocks of partial sums, odd sizes, stride 2.
 * Runs on SwiftShader where there is no GPU (slow: shapes stay small).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { batchNorm, type BatchNormVars } from "../../../lib/nn/ops";
import { bceLoss } from "../../../lib/engine/loss";
import { createAdam } from "../../../lib/engine/adam";
import { NORM_PARTIALS, recordAdamStep, type AdamBuffers } from "../../../lib/nn/webgpu/adam";
import { BUFFER_USAGE } from "../../../lib/nn/webgpu/gpu-types";
import { dispatchCount, flush, readBuffer, webgpuBackend } from "../../../lib/nn/webgpu/runtime";
import { assertClose, blockOutputs, on, seeded, webgpu, type BlockSetup } from "../helpers";
import { webgpuSkipReason } from "./helpers";

const skip = webgpuSkipReason();

interface Setup extends BlockSetup {
  name: string;
  /** Engine kernels the webgpu run must use (not the composed fallback). */
  kernels: string[];
}

/** The block's outputs; the stem's input gradient is not computed on the GPU (its input is data). */
const block = (s: Setup) => blockOutputs(s, s.block !== "full");

const BN = ["PslGpuBatchNormAct", "PslGpuBatchNormActGrad"];
const DW = ["PslDepthwise", "PslDepthwiseGrad"];
const setups: Setup[] = [
  { name: "BatchNorm+ReLU6 train", block: "bn", kernels: BN, x: [2, 5, 6, 7], relu6: true, training: true },
  { name: "BatchNorm linear train, 70 channels × 2,640 rows (2 channel tiles, 3 row blocks)", block: "bn", kernels: BN, x: [2, 33, 40, 70], relu6: false, training: true },
  { name: "BatchNorm+ReLU6 train, 3x2x2", block: "bn", kernels: BN, x: [3, 2, 2, 10], relu6: true, training: true },
  { name: "pointwise+BN+ReLU6 train", block: "pointwise", kernels: BN, x: [2, 4, 5, 6], w: [6, 9], relu6: true, training: true },
  { name: "depthwise s1+BN+ReLU6 train", block: "depthwise", kernels: [...DW, ...BN], x: [2, 6, 7, 6], w: [3, 3, 6, 1], stride: 1, relu6: true, training: true },
  { name: "depthwise s2+BN+ReLU6 train (odd sizes)", block: "depthwise", kernels: [...DW, ...BN], x: [2, 7, 9, 5], w: [3, 3, 5, 1], stride: 2, relu6: true, training: true },
  { name: "depthwise s2+BN linear train, 70 channels × 2,706 rows", block: "depthwise", kernels: [...DW, ...BN], x: [2, 33, 41, 70], w: [3, 3, 70, 1], stride: 2, relu6: false, training: true },
  { name: "depthwise s2 eval", block: "depthwise", kernels: DW, x: [1, 8, 6, 4], w: [3, 3, 4, 1], stride: 2, relu6: true, training: false },
  { name: "stem conv 3x3 s2 + BN + ReLU6 train, 2 row blocks", block: "full", kernels: ["PslGpuConvCin1", "PslGpuConvCin1FilterGrad", ...BN], x: [2, 64, 33, 1], w: [3, 3, 1, 16], stride: 2, relu6: true, training: true },
];

/** The kernels one call of `f` runs on webgpu: the engine's WGSL path must be taken, not the composed fallback. */
async function gpuKernelNames(f: () => tf.Tensor[]): Promise<Set<string>> {
  await webgpu();
  await tf.setBackend("webgpu");
  const info = await tf.profile(() => f());
  tf.dispose(info.result as tf.Tensor[]);
  return new Set(info.kernels.map((k) => k.name));
}

for (const s of setups) {
  test(`webgpu ${s.name} matches the reference (values, gradients, running statistics)`, { skip }, async () => {
    const gpu = await on("webgpu", () => block(s));
    const ref = await on("cpu", () => block(s));
    const names = ["y", ...(s.block === "full" ? [] : ["dx"]), ...(s.w ? ["dw"] : []), "dgamma", "dbeta", "running_mean", "running_var"];
    assert.equal(gpu.length, names.length);
    names.forEach((n, i) => assertClose(gpu[i], ref[i], 2e-4, 2e-5, `${s.name}: ${n}`));
    const used = await gpuKernelNames(() => block(s));
    for (const k of s.kernels) assert.ok(used.has(k), `${s.name}: kernel ${k} not used (ran: ${[...used].join(", ")})`);
  });
}

test("webgpu BatchNorm statistics stay accurate with a large common offset (float64 reference)", { skip }, async () => {
  const [n, h, w, c] = [4, 16, 16, 6];
  const xv = seeded(n * h * w * c, 21).map((v, i) => 300 + (i % c) * 50 + 0.01 * v);
  const [runningMean, runningVar] = await on("webgpu", () => {
    const bn: BatchNormVars = {
      gamma: tf.variable(tf.ones([c])), beta: tf.variable(tf.zeros([c])),
      runningMean: tf.variable(tf.zeros([c]), false), runningVar: tf.variable(tf.zeros([c]), false),
    };
    batchNorm(tf.tensor4d(xv, [n, h, w, c]), bn, false, true);
    const out = [bn.runningMean.clone(), bn.runningVar.clone()];
    tf.dispose([bn.gamma, bn.beta, bn.runningMean, bn.runningVar]);
    return out;
  });
  const count = n * h * w;
  const mean = new Float64Array(c), sq = new Float64Array(c);
  for (let i = 0; i < xv.length; i++) mean[i % c] += xv[i] / count;
  for (let i = 0; i < xv.length; i++) sq[i % c] += (xv[i] - mean[i % c]) ** 2;
  assertClose(runningMean, Array.from(mean, (m) => 0.1 * m), 1e-6, 0, "running mean");
  assertClose(runningVar, Array.from(sq, (q) => (0.1 * q) / (count - 1)), 2e-3, 0, "running var");
});

test("webgpu BCE loss and gradient match torch's formulas on the cpu backend, in two dispatches", { skip }, async () => {
  const [n, c] = [5, 37];
  // Probabilities down to 1e-30 and up to 1 − 1e-7: the log clamp at −100 and the gradient's 1e-12 floor both bite.
  const p = seeded(n * c, 31).map((v, i) => (i % 11 === 0 ? 1e-30 : i % 13 === 0 ? 1 - 1e-7 : 0.5 + 0.49 * v));
  const t = seeded(n * c, 32).map((v) => (v + 1) / 2);
  const lossAndGrad = () => {
    const probs = tf.variable(tf.tensor2d(p, [n, c]));
    const { value, grads } = tf.variableGrads(() => bceLoss(probs as unknown as tf.Tensor2D, tf.tensor2d(t, [n, c])), [probs]);
    const out = [value, grads[probs.name]];
    probs.dispose();
    return out;
  };
  await webgpu();
  const before = dispatchCount();
  const gpu = await on("webgpu", lossAndGrad);
  assert.ok(dispatchCount() - before <= 3, `BCE value + gradient took ${dispatchCount() - before} dispatches`);
  const ref = await on("cpu", lossAndGrad);
  assertClose(gpu[0], ref[0], 1e-6, 0, "loss");
  assertClose(gpu[1], ref[1], 1e-5, 1e-12, "dloss/dp");
});

test("the fused Adam update over flat GPU buffers follows the CPU optimizer (clipping, weight decay, amsgrad)", { skip }, async () => {
  await webgpu();
  await tf.setBackend("webgpu");
  const backend = webgpuBackend();
  const count = 1000;
  const sizes = new Map([["a", 600], ["b", 400]]);
  for (const options of [{}, { maxGradNorm: 0.5, weightDecay: 0.01 }, { amsgrad: true, learningRate: 3e-3 }]) {
    const cpu = createAdam(sizes, options);
    const usage = BUFFER_USAGE.STORAGE | BUFFER_USAGE.COPY_SRC | BUFFER_USAGE.COPY_DST;
    const make = (floats: number) => backend.device.createBuffer({ size: 4 * floats, usage });
    const b: AdamBuffers = { params: make(count), grads: make(count), expAvg: make(count), expAvgSq: make(count), maxExpAvgSq: make(count), normScratch: make(NORM_PARTIALS), norm: make(4) };
    const params = seeded(count, 41);
    backend.queue.writeBuffer(b.params, 0, params);
    const cpuParams = new Map([["a", params.slice(0, 600)], ["b", params.slice(600)]]);
    const opts = { learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0, amsgrad: false, maxGradNorm: null as number | null, ...options };
    for (let step = 1; step <= 3; step++) {
      const grads = seeded(count, 50 + step).map((v, i) => (i % 7 === 0 ? 1e-9 * v : 0.1 * v));
      cpu.step(cpuParams, new Map([["a", grads.slice(0, 600)], ["b", grads.slice(600)]]));
      backend.queue.writeBuffer(b.grads, 0, grads);
      recordAdamStep(backend, b, {
        count, beta1: opts.beta1, beta2: opts.beta2, epsilon: opts.epsilon, weightDecay: opts.weightDecay, amsgrad: opts.amsgrad, maxGradNorm: opts.maxGradNorm,
        negStepSize: -Math.fround(opts.learningRate / (1 - opts.beta1 ** step)), bc2Sqrt: Math.fround(Math.sqrt(1 - opts.beta2 ** step)),
      });
      // The next gradient is a queue write: submit this step's dispatch first so the write cannot overtake it.
      flush(backend);
    }
    const gpuParams = await readBuffer(backend, b.params);
    const state = cpu.stateDict();
    const what = JSON.stringify(options);
    assertClose(gpuParams, [...cpuParams.get("a")!, ...cpuParams.get("b")!], 1e-6, 1e-8, `params ${what}`);
    assertClose(await readBuffer(backend, b.expAvg), [...state.expAvg.a, ...state.expAvg.b], 1e-5, 1e-12, `exp_avg ${what}`);
    assertClose(await readBuffer(backend, b.expAvgSq), [...state.expAvgSq.a, ...state.expAvgSq.b], 1e-5, 1e-16, `exp_avg_sq ${what}`);
    for (const buffer of Object.values(b)) buffer.destroy();
  }
});
