/** Shared helpers of the nn and engine tests: seeded data, float64 reference convolution, comparisons, backend switching. */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/nn/backend";
import { batchNorm, convBn, depthwiseConvBn, pointwiseConvBn, type BatchNormVars } from "../../lib/nn/ops";
import { uniformNoise } from "../../lib/data/random";

/** Deterministic values in [-1, 1) (lib/data/random's uniformNoise). */
export function seeded(n: number, seed: number): Float32Array {
  return uniformNoise(n, seed);
}

let ready: Promise<void> | undefined;
/** Registers both backends once (wasm via initBackend, which also registers the engine kernels). */
export function backends(): Promise<void> {
  ready ??= initBackend({ preferred: "wasm", quiet: true }).then(() => undefined);
  return ready;
}

let gpu: Promise<void> | undefined;
/** The webgpu backend too, initialised once (SwiftShader accepted where there is no GPU: these are correctness tests). */
export function webgpu(): Promise<void> {
  gpu ??= backends().then(() => initBackend({ preferred: "webgpu", quiet: true })).then(() => undefined);
  return gpu;
}

/**
 * Runs `f` on the named backend and returns its results as plain arrays (tensors disposed). Reads are asynchronous,
 * the only kind webgpu has; the wasm backend is active again afterwards.
 */
export async function on(backend: "wasm" | "cpu" | "webgpu", f: () => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  await (backend === "webgpu" ? webgpu() : backends());
  await tf.setBackend(backend);
  const out = tf.tidy(() => {
    const r = f();
    return Array.isArray(r) ? r : [r];
  });
  const arrays = await Promise.all(out.map(async (t) => (await t.data()).slice() as Float32Array));
  tf.dispose(out);
  await tf.setBackend("wasm");
  return arrays;
}

/** One MobileNetV2 block (lib/nn/ops.ts) with seeded inputs, weights and BatchNorm parameters. */
export interface BlockSetup {
  block: "bn" | "pointwise" | "depthwise" | "full";
  x: number[];
  w?: number[];
  stride?: 1 | 2;
  relu6: boolean;
  training: boolean;
}

const sizeOf = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * Runs the block on the current backend: [y, d/dx (unless `inputGradient` is false), d/dw?, dγ, dβ, running mean,
 * running var] for the loss Σ r ⊙ y with seeded r. Input scaled so that ReLU6 clips at both ends for some elements.
 */
export function blockOutputs(s: BlockSetup, inputGradient = true): tf.Tensor[] {
  const C = s.block === "pointwise" || s.block === "full" ? s.w![s.w!.length - 1] : s.x[3];
  const x = tf.variable(tf.tensor(seeded(sizeOf(s.x), 11).map((v) => 4 * v + 1), s.x));
  const w = s.w ? tf.variable(tf.tensor(seeded(sizeOf(s.w), 12), s.w)) : undefined;
  const bn: BatchNormVars = {
    gamma: tf.variable(tf.tensor1d(seeded(C, 13).map((v) => 1 + 0.5 * v))),
    beta: tf.variable(tf.tensor1d(seeded(C, 14).map((v) => 0.5 * v))),
    runningMean: tf.variable(tf.tensor1d(seeded(C, 15).map((v) => 0.1 * v)), false),
    runningVar: tf.variable(tf.tensor1d(seeded(C, 16).map((v) => 1 + 0.2 * v)), false),
  };
  const forward = () => {
    const x4 = x as unknown as tf.Tensor4D;
    if (s.block === "bn") return batchNorm(x4, bn, s.relu6, s.training);
    if (s.block === "pointwise") return pointwiseConvBn(x4, w as unknown as tf.Tensor2D, bn, { relu6: s.relu6, training: s.training });
    const opts = { stride: s.stride ?? 1, relu6: s.relu6, training: s.training };
    return s.block === "depthwise" ? depthwiseConvBn(x4, w as unknown as tf.Tensor4D, bn, opts) : convBn(x4, w as unknown as tf.Tensor4D, bn, opts);
  };
  const vars = [x, ...(w ? [w] : []), bn.gamma, bn.beta];
  let y: tf.Tensor | undefined;
  const { value, grads } = tf.variableGrads(() => {
    const out = forward();
    y = tf.keep(out.clone());
    return tf.sum(tf.mul(out, tf.tensor(seeded(out.size, 17), out.shape)));
  }, vars);
  const out = [y!, ...vars.filter((v) => inputGradient || v !== x).map((v) => grads[v.name]), bn.runningMean.clone(), bn.runningVar.clone()];
  tf.dispose([value, ...vars, bn.runningMean, bn.runningVar, ...(inputGradient ? [] : [grads[x.name]])]);
  return out;
}

/** |a - b| <= atol + rtol * |b| element-wise, with the worst offender in the message. */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number, atol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  let worst = -1, worstExcess = 0;
  for (let i = 0; i < actual.length; i++) {
    const excess = Math.abs(actual[i] - expected[i]) - (atol + rtol * Math.abs(expected[i]));
    if (!(excess <= 0) && (worst < 0 || !(excess <= worstExcess))) {
      worst = i;
      worstExcess = excess;
    }
  }
  if (worst >= 0) assert.fail(`${what}: element ${worst}: ${actual[worst]} vs expected ${expected[worst]} (beyond rtol ${rtol}, atol ${atol})`);
}

export interface ConvCase {
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: number | [number, number];
  pad: "same" | "valid" | number | [[number, number], [number, number], [number, number], [number, number]];
  dilations?: number;
  depthwise: boolean;
}

/** Float64 NHWC convolution (dense or depthwise with multiplier), geometry from tfjs's own computeConv2DInfo. */
export function conv64(c: ConvCase, x: Float64Array, w: Float64Array): { y: Float64Array; shape: number[] } {
  const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, c.dilations ?? 1, c.pad as never, undefined, c.depthwise);
  const [N, H, W, C] = c.x;
  const [KH, KW, , F] = c.filter;
  const OC = info.outChannels;
  const y = new Float64Array(N * info.outHeight * info.outWidth * OC);
  for (let n = 0; n < N; n++)
    for (let oh = 0; oh < info.outHeight; oh++)
      for (let ow = 0; ow < info.outWidth; ow++)
        for (let kh = 0; kh < KH; kh++) {
          const ih = oh * info.strideHeight - info.padInfo.top + kh * info.dilationHeight;
          if (ih < 0 || ih >= H) continue;
          for (let kw = 0; kw < KW; kw++) {
            const iw = ow * info.strideWidth - info.padInfo.left + kw * info.dilationWidth;
            if (iw < 0 || iw >= W) continue;
            for (let ci = 0; ci < C; ci++) {
              const xv = x[((n * H + ih) * W + iw) * C + ci];
              const yBase = ((n * info.outHeight + oh) * info.outWidth + ow) * OC;
              if (c.depthwise) for (let q = 0; q < F; q++) y[yBase + ci * F + q] += xv * w[((kh * KW + kw) * C + ci) * F + q];
              else for (let co = 0; co < F; co++) y[yBase + co] += xv * w[((kh * KW + kw) * C + ci) * F + co];
            }
          }
        }
  return { y, shape: [N, info.outHeight, info.outWidth, OC] };
}

/** Central finite differences of f at p (float64). */
export function numericGradient(f: (p: Float64Array) => number, p: Float64Array, h = 1e-3): Float64Array {
  const g = new Float64Array(p.length);
  for (let i = 0; i < p.length; i++) {
    const keep = p[i];
    p[i] = keep + h;
    const up = f(p);
    p[i] = keep - h;
    const down = f(p);
    p[i] = keep;
    g[i] = (up - down) / (2 * h);
  }
  return g;
}

/** Σ r ⊙ y in float64. */
export function dot64(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}
