/**
 * torch.optim.Adam over the trainer's flat GPU buffers (all parameters, gradients and moments each in ONE buffer):
 * one dispatch per step, plus two for torch.nn.utils.clip_grad_norm_ when clipping is on. The arithmetic is
 * lib/engine/adam.ts's (PyTorch 1.13 single-tensor order, float32): on a GPU the division and square root are
 * within WGSL's few-ULP accuracy rather than correctly rounded, so the trajectory matches the CPU one to float
 * rounding, not bit for bit.
 */
import type { GpuBuffer, WebGpuBackendInternals } from "./gpu-types";
import { dispatch, type KernelSource } from "./runtime";
import { WORKGROUP } from "./tiling";

/** Partial sums of squares per workgroup in the norm's first pass (each workgroup covers a contiguous chunk). */
export const NORM_PARTIALS = 256;

const normPartialsSource: KernelSource = {
  key: "grad-norm-partials",
  bindings: [{ name: "g", access: "read" }, { name: "partials", access: "read_write" }],
  uniforms: [{ name: "count", type: "u32" }, { name: "chunk", type: "u32" }],
  workgroupSize: WORKGROUP,
  prelude: `var<workgroup> sums: array<f32, ${WORKGROUP}>;`,
  body: `
  var s = 0.0;
  let end = min(params.count, (wid.x + 1u) * params.chunk);
  for (var i = wid.x * params.chunk + lid.x; i < end; i = i + ${WORKGROUP}u) { s = s + g[i] * g[i]; }
  sums[lid.x] = s;
  workgroupBarrier();
  for (var stride = ${WORKGROUP / 2}u; stride > 0u; stride = stride / 2u) {
    if (lid.x < stride) { sums[lid.x] = sums[lid.x] + sums[lid.x + stride]; }
    workgroupBarrier();
  }
  if (lid.x == 0u) { partials[wid.x] = sums[0]; }`,
};

const normFinalSource: KernelSource = {
  key: "grad-norm-final",
  bindings: [{ name: "partials", access: "read" }, { name: "norm", access: "read_write" }],
  uniforms: [{ name: "blocks", type: "u32" }],
  workgroupSize: WORKGROUP,
  prelude: `var<workgroup> sums: array<f32, ${WORKGROUP}>;`,
  body: `
  var s = 0.0;
  for (var i = lid.x; i < params.blocks; i = i + ${WORKGROUP}u) { s = s + partials[i]; }
  sums[lid.x] = s;
  workgroupBarrier();
  for (var stride = ${WORKGROUP / 2}u; stride > 0u; stride = stride / 2u) {
    if (lid.x < stride) { sums[lid.x] = sums[lid.x] + sums[lid.x + stride]; }
    workgroupBarrier();
  }
  if (lid.x == 0u) { norm[0] = sqrt(sums[0]); }`,
};

function adamSource(amsgrad: boolean, clip: boolean, weightDecay: boolean): KernelSource {
  return {
    key: `adam-${amsgrad}-${clip}-${weightDecay}`,
    bindings: [
      { name: "p", access: "read_write" }, { name: "g", access: "read" }, { name: "m", access: "read_write" }, { name: "v", access: "read_write" },
      { name: "vmax", access: "read_write" }, { name: "norm", access: "read" },
    ],
    uniforms: [
      { name: "count", type: "u32" }, { name: "beta1", type: "f32" }, { name: "oneMinusBeta1", type: "f32" }, { name: "beta2", type: "f32" },
      { name: "oneMinusBeta2", type: "f32" }, { name: "epsilon", type: "f32" }, { name: "weightDecay", type: "f32" }, { name: "negStepSize", type: "f32" },
      { name: "bc2Sqrt", type: "f32" }, { name: "maxNorm", type: "f32" },
    ],
    workgroupSize: WORKGROUP,
    body: `
  let i = workgroupIndex(wid, nwg) * ${WORKGROUP}u + lid.x;
  if (i >= params.count) { return; }
  var gi = g[i];
  ${clip ? `// clip_grad_norm_: scale only when the factor is below 1.
  let coef = min(params.maxNorm / (norm[0] + 1e-6), 1.0);
  if (coef < 1.0) { gi = gi * coef; }` : ""}
  ${weightDecay ? "gi = gi + params.weightDecay * p[i];" : ""}
  let mi = m[i] * params.beta1 + gi * params.oneMinusBeta1;
  let vi = v[i] * params.beta2 + (gi * gi) * params.oneMinusBeta2;
  m[i] = mi;
  v[i] = vi;
  var second = vi;
  ${amsgrad ? "second = max(vmax[i], vi);\n  vmax[i] = second;" : ""}
  let denom = sqrt(second) / params.bc2Sqrt + params.epsilon;
  p[i] = p[i] + params.negStepSize * (mi / denom);`,
  };
}

export interface AdamBuffers {
  params: GpuBuffer;
  grads: GpuBuffer;
  expAvg: GpuBuffer;
  expAvgSq: GpuBuffer;
  /** amsgrad only; any buffer otherwise (not written). */
  maxExpAvgSq: GpuBuffer;
  /** NORM_PARTIALS + 1 floats: the norm's partials, then the norm itself. */
  normScratch: GpuBuffer;
  /** A second handle on the norm's float (binding offsets need alignment, so it is its own 4-byte buffer). */
  norm: GpuBuffer;
}

export interface AdamScalars {
  count: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  weightDecay: number;
  /** −lr / (1 − β1^step) */
  negStepSize: number;
  /** √(1 − β2^step) */
  bc2Sqrt: number;
  amsgrad: boolean;
  /** clip_grad_norm_ max norm, or null. */
  maxGradNorm: number | null;
}

/** Records the update (and the norm for clipping) into the backend's command stream. */
export function recordAdamStep(backend: WebGpuBackendInternals, b: AdamBuffers, s: AdamScalars): void {
  const clip = s.maxGradNorm !== null;
  if (clip) {
    const chunk = Math.ceil(s.count / NORM_PARTIALS);
    dispatch(backend, { source: normPartialsSource, buffers: [b.grads, b.normScratch], uniforms: [s.count, chunk], workgroups: NORM_PARTIALS });
    dispatch(backend, { source: normFinalSource, buffers: [b.normScratch, b.norm], uniforms: [NORM_PARTIALS], workgroups: 1 });
  }
  const f = Math.fround;
  dispatch(backend, {
    source: adamSource(s.amsgrad, clip, s.weightDecay !== 0),
    buffers: [b.params, b.grads, b.expAvg, b.expAvgSq, b.maxExpAvgSq, b.norm],
    uniforms: [s.count, f(s.beta1), f(1 - s.beta1), f(s.beta2), f(1 - s.beta2), f(s.epsilon), f(s.weightDecay), f(s.negStepSize), f(s.bc2Sqrt), s.maxGradNorm ?? 0],
    workgroups: Math.ceil(s.count / WORKGROUP),
  });
}
