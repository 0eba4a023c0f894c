/**
 * torch.nn.BCELoss (mean, soft targets) as two GPU dispatches: the value (one workgroup sums every term in a fixed
 * order) and the gradient (element-wise). The composed version costs about fifteen dispatches a step. The formulas
 * are lib/engine/loss.ts's: each log clamped at −100, gradient (p − t) / max(p·(1 − p), 1e-12) · dy / (N·C).
 */
import type * as tf from "@tensorflow/tfjs";
import type { WebGpuBackendInternals } from "./gpu-types";
import { allocate, dispatch, type KernelSource } from "./runtime";
import { WORKGROUP } from "./tiling";

export const GPU_BCE_KERNEL = "PslGpuBce";
export const GPU_BCE_GRAD_KERNEL = "PslGpuBceGrad";

type Info = tf.TensorInfo;

const valueSource: KernelSource = {
  key: "bce-value",
  bindings: [{ name: "p", access: "read" }, { name: "t", access: "read" }, { name: "loss", access: "read_write" }],
  uniforms: [{ name: "count", type: "u32" }, { name: "logClamp", type: "f32" }],
  workgroupSize: WORKGROUP,
  prelude: `var<workgroup> sums: array<f32, ${WORKGROUP}>;`,
  body: `
  var s = 0.0;
  for (var i = lid.x; i < params.count; i = i + ${WORKGROUP}u) {
    let pv = p[i];
    let tv = t[i];
    s = s + (tv * max(log(pv), params.logClamp) + (1.0 - tv) * max(log(1.0 - pv), params.logClamp));
  }
  sums[lid.x] = s;
  workgroupBarrier();
  for (var stride = ${WORKGROUP / 2}u; stride > 0u; stride = stride / 2u) {
    if (lid.x < stride) { sums[lid.x] = sums[lid.x] + sums[lid.x + stride]; }
    workgroupBarrier();
  }
  if (lid.x == 0u) { loss[0] = -(sums[0] / f32(params.count)); }`,
};

const gradSource: KernelSource = {
  key: "bce-grad",
  bindings: [{ name: "p", access: "read" }, { name: "t", access: "read" }, { name: "dy", access: "read" }, { name: "dp", access: "read_write" }],
  uniforms: [{ name: "count", type: "u32" }, { name: "epsilon", type: "f32" }],
  workgroupSize: WORKGROUP,
  body: `
  let i = workgroupIndex(wid, nwg) * ${WORKGROUP}u + lid.x;
  if (i >= params.count) { return; }
  let pv = p[i];
  dp[i] = ((pv - t[i]) / max(pv * (1.0 - pv), params.epsilon)) * (dy[0] / f32(params.count));`,
};

interface KernelArgs {
  inputs: Record<string, Info>;
  backend: unknown;
  attrs?: Record<string, unknown>;
}

/** inputs probs, targets (same shape); attrs logClamp → the mean BCE as a scalar. */
export function bceKernel({ inputs, backend: b, attrs }: KernelArgs): Info {
  const backend = b as WebGpuBackendInternals;
  const loss = allocate(backend, []);
  const count = inputs.probs.shape.reduce((a, c) => a * c, 1);
  dispatch(backend, { source: valueSource, buffers: [inputs.probs, inputs.targets, loss], uniforms: [count, attrs?.logClamp as number], workgroups: 1 });
  return loss;
}

/** inputs probs, targets, dy (scalar); attrs epsilon → d loss / d probs. */
export function bceGradKernel({ inputs, backend: b, attrs }: KernelArgs): Info {
  const backend = b as WebGpuBackendInternals;
  const dp = allocate(backend, inputs.probs.shape);
  const count = inputs.probs.shape.reduce((a, c) => a * c, 1);
  dispatch(backend, { source: gradSource, buffers: [inputs.probs, inputs.targets, inputs.dy, dp], uniforms: [count, attrs?.epsilon as number], workgroups: Math.ceil(count / WORKGROUP) });
  return dp;
}
