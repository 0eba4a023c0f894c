/** Shared helpers of the nn and engine tests: seeded data, float64 reference convolution, comparisons, backend switching. */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/nn/backend";
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

/** Runs `f` on the named backend and returns its results as plain arrays (tensors disposed). */
export async function on(backend: "wasm" | "cpu", f: () => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  await backends();
  await tf.setBackend(backend);
  const out = tf.tidy(() => {
    const r = f();
    return Array.isArray(r) ? r : [r];
  });
  const arrays = out.map((t) => t.dataSync().slice() as Float32Array);
  tf.dispose(out);
  await tf.setBackend("wasm");
  return arrays;
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
