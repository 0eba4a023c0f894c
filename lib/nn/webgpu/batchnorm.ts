/**
 * BatchNorm (+ReLU6) in training mode on the GPU: two dispatches forward, two backward, instead of the dozen
 * tensor-wide ops (and their gradients) of the composed version — the same split as the wasm kernels.
 *
 * Forward: (1) per-channel partial sums of d = x − K and d² over row blocks (shift K = the first row, so the
 * variance E[d²] − E[d]² does not cancel); (2) every workgroup adds the partials of its channels (a fixed order:
 * deterministic), derives mean, biased variance, scale = γ/√(σ²+ε) and shift = β − μ·scale, applies
 * y = act(x·scale + shift) to its rows, and the first row tile also writes `stats` [4, C] = (mean, 1/√(σ²+ε), scale,
 * shift) for the backward pass and updates the running statistics IN PLACE with PyTorch's rule (momentum 0.1,
 * unbiased variance) — in place because a separate update would cost a dispatch per layer, and the kernels'
 * buffer budget (8 storage bindings) has no room for two more outputs.
 * Backward: (1) partial sums of g and g·x̂ (g = dy masked by ReLU6's derivative, PyTorch's hardtanh: 0 where the
 * pre-activation is ≤ 0 or ≥ 6); (2) totals → dβ, dγ, and dx = k·g + kx·x̂ + kc with k = γ/σ, kx = −k·dγ/M,
 * kc = −k·dβ/M.
 */
import type * as tf from "@tensorflow/tfjs";
import type { WebGpuBackendInternals } from "./gpu-types";
import { allocate, dispatch, invalidateCpuCopy, type KernelSource } from "./runtime";
import { channelTiling, laneReduce, TILE_UNIFORM, TILE_WGSL, tileShift, WORKGROUP } from "./tiling";

export const GPU_BN_ACT_KERNEL = "PslGpuBatchNormAct";
export const GPU_BN_ACT_GRAD_KERNEL = "PslGpuBatchNormActGrad";

type Info = tf.TensorInfo;
const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** The largest channel tile (tiling.ts): per-channel workgroup arrays are sized for it. */
const MAX_TILE = 64;

const u32 = (name: string) => ({ name, type: "u32" as const });
/** Rows, channels and rows per block; the tile; ReLU6 or not. */
const sumsUniforms = [...["rows", "channels", "rowsPerBlock"].map(u32), TILE_UNIFORM, u32("relu6")];
/** Rows, channels, partial blocks and rows per tile; the tile; ReLU6 or not. */
const applyUniforms = [...["rows", "channels", "blocks", "rowsPerTile"].map(u32), TILE_UNIFORM, u32("relu6")];

const sumArrays = `var<workgroup> s1: array<f32, ${WORKGROUP}>;
var<workgroup> s2: array<f32, ${WORKGROUP}>;`;

/** WGSL: per-channel sums `a`, `b` accumulated by `loop` (inside `c < C`), then totalled over the lanes into s1/s2. */
function laneSums(loop: string): string {
  return `
  let C = params.channels;
  ${TILE_WGSL}
  var a = 0.0;
  var b = 0.0;
  if (c < C) {
    ${loop}
  }
  s1[lid.x] = a;
  s2[lid.x] = b;
  ${laneReduce(["s1", "s2"])}`;
}

/**
 * First pass of a reduction: two per-channel sums `a`, `b` over this workgroup's row block, written as partials
 * [blocks, 2, C]. `setup` runs once per channel, `accumulate` per row (it sees `r` and adds into `a`, `b`).
 */
function rowSumsSource(key: string, inputs: string[], setup: string, accumulate: string): KernelSource {
  return {
    key,
    bindings: [...inputs.map((name) => ({ name, access: "read" as const })), { name: "partials", access: "read_write" }],
    uniforms: [...sumsUniforms],
    workgroupSize: WORKGROUP,
    prelude: sumArrays,
    body: `${laneSums(`${setup}
    let end = min(params.rows, (wid.y + 1u) * params.rowsPerBlock);
    for (var r = wid.y * params.rowsPerBlock + lane; r < end; r = r + lanes) {
      ${accumulate}
    }`)}
  if (lane == 0u && c < C) {
    partials[(wid.y * 2u) * C + c] = s1[lid.x];
    partials[(wid.y * 2u + 1u) * C + c] = s2[lid.x];
  }`,
  };
}

/**
 * Second pass: every workgroup adds the partials of its channels (totals in s1/s2 of the lane-0 threads), `finalize`
 * turns them into two per-channel coefficients `first`/`second` (shared through workgroup memory; the first row tile
 * also writes the pass's per-channel outputs), and `apply` maps each of the workgroup's rows with them.
 */
function partialsThenRowsSource(key: string, bindings: KernelSource["bindings"], uniforms: KernelSource["uniforms"], finalize: string, rowSetup: string, apply: string): KernelSource {
  return {
    key,
    bindings,
    uniforms: [...applyUniforms, ...uniforms],
    workgroupSize: WORKGROUP,
    prelude: `${sumArrays}
var<workgroup> firstOf: array<f32, ${MAX_TILE}>;
var<workgroup> secondOf: array<f32, ${MAX_TILE}>;`,
    body: `${laneSums(`for (var p = lane; p < params.blocks; p = p + lanes) {
      a = a + partials[(p * 2u) * C + c];
      b = b + partials[(p * 2u + 1u) * C + c];
    }`)}
  if (lane == 0u && c < C) {
    ${finalize}
  }
  workgroupBarrier();
  if (c < C) {
    let first = firstOf[lid.x - (lane << params.tileShift)];
    let second = secondOf[lid.x - (lane << params.tileShift)];
    ${rowSetup}
    let end = min(params.rows, (wid.y + 1u) * params.rowsPerTile);
    for (var r = wid.y * params.rowsPerTile + lane; r < end; r = r + lanes) {
      ${apply}
    }
  }`,
  };
}

const statsSource = rowSumsSource("bn-stats", ["x"], "let k = x[c];", `let d = x[r * C + c] - k;
      a = a + d;
      b = b + d * d;`);

/** The applied normalisation: first = scale = γ/√(σ²+ε), second = shift = β − μ·scale (mean and var from the sums). */
const applySource = partialsThenRowsSource(
  "bn-apply",
  [
    { name: "x", access: "read" }, { name: "gamma", access: "read" }, { name: "beta", access: "read" }, { name: "partials", access: "read" },
    { name: "y", access: "read_write" }, { name: "stats", access: "read_write" },
    { name: "runningMean", access: "read_write" }, { name: "runningVar", access: "read_write" },
  ],
  [{ name: "epsilon", type: "f32" }, { name: "momentum", type: "f32" }, { name: "keep", type: "f32" }, { name: "unbias", type: "f32" }],
  `let n = f32(params.rows);
    let d = s1[lid.x] / n;
    let mean = x[c] + d;
    let variance = max(s2[lid.x] / n - d * d, 0.0);
    let invstd = 1.0 / sqrt(variance + params.epsilon);
    let scale = gamma[c] * invstd;
    let shift = beta[c] - mean * scale;
    firstOf[lid.x] = scale;
    secondOf[lid.x] = shift;
    if (wid.y == 0u) {
      stats[c] = mean;
      stats[C + c] = invstd;
      stats[2u * C + c] = scale;
      stats[3u * C + c] = shift;
      runningMean[c] = runningMean[c] * params.keep + mean * params.momentum;
      runningVar[c] = runningVar[c] * params.keep + (variance * params.unbias) * params.momentum;
    }`,
  "",
  `var v = x[r * C + c] * first + second;
      if (params.relu6 != 0u) { v = clamp(v, 0.0, 6.0); }
      y[r * C + c] = v;`,
);

/** WGSL: per channel, the forward's statistics; then per row, g = dy masked by ReLU6's derivative and x̂. */
const GRAD_SETUP = `let mean = stats[c];
    let invstd = stats[C + c];
    let scale = stats[2u * C + c];
    let shift = stats[3u * C + c];`;
const MASKED_GRADIENT = `let i = r * C + c;
      let xv = x[i];
      var g = dy[i];
      if (params.relu6 != 0u) {
        let z = xv * scale + shift;
        if (!(z > 0.0 && z < 6.0)) { g = 0.0; }
      }
      let xhat = (xv - mean) * invstd;`;

const gradSumsSource = rowSumsSource("bn-grad-sums", ["dy", "x", "stats"], GRAD_SETUP, `${MASKED_GRADIENT}
      a = a + g;
      b = b + g * xhat;`);

/** dx = k·g + kx·x̂ + kc with k = scale, first = kx = −k·dγ/M, second = kc = −k·dβ/M. */
const gradInputSource = partialsThenRowsSource(
  "bn-grad-input",
  [
    { name: "dy", access: "read" }, { name: "x", access: "read" }, { name: "stats", access: "read" }, { name: "partials", access: "read" },
    { name: "dx", access: "read_write" }, { name: "dgamma", access: "read_write" }, { name: "dbeta", access: "read_write" },
  ],
  [],
  `let n = f32(params.rows);
    let k = stats[2u * C + c];
    firstOf[lid.x] = -k * s2[lid.x] / n;
    secondOf[lid.x] = -k * s1[lid.x] / n;
    if (wid.y == 0u) {
      dgamma[c] = s2[lid.x];
      dbeta[c] = s1[lid.x];
    }`,
  GRAD_SETUP,
  `${MASKED_GRADIENT}
      dx[i] = scale * g + first * xhat + second;`,
);

interface KernelArgs {
  inputs: Record<string, Info>;
  backend: unknown;
  attrs?: Record<string, unknown>;
}

/**
 * inputs x [..., C], gamma, beta, runningMean, runningVar (updated in place); attrs relu6, epsilon, momentum
 * → [y (x's shape), stats [4C]: mean, 1/√(σ²+ε), scale, shift].
 */
export function bnActKernel({ inputs, backend: b, attrs }: KernelArgs): Info[] {
  const backend = b as WebGpuBackendInternals;
  const { x, gamma, beta, runningMean, runningVar } = inputs;
  const C = x.shape[x.shape.length - 1];
  const M = size(x.shape) / C;
  const relu6 = Boolean(attrs?.relu6);
  const epsilon = attrs?.epsilon as number;
  const momentum = attrs?.momentum as number;
  const t = channelTiling(M, C);
  const partials = allocate(backend, [t.rowBlocks * 2 * C]);
  const y = allocate(backend, x.shape);
  const stats = allocate(backend, [4 * C]);
  const shift = tileShift(t), act = relu6 ? 1 : 0;
  dispatch(backend, { source: statsSource, buffers: [x, partials], uniforms: [M, C, t.rowsPerBlock, shift, act], workgroups: [t.channelBlocks, t.rowBlocks] });
  dispatch(backend, {
    source: applySource,
    buffers: [x, gamma, beta, partials, y, stats, runningMean, runningVar],
    uniforms: [M, C, t.rowBlocks, t.rowsPerTile, shift, act, epsilon, momentum, 1 - momentum, M > 1 ? M / (M - 1) : 1],
    workgroups: [t.channelBlocks, t.applyTiles],
  });
  invalidateCpuCopy(backend, runningMean);
  invalidateCpuCopy(backend, runningVar);
  backend.disposeData(partials.dataId);
  return [y, stats];
}

/** inputs dy, x, stats (from the forward kernel); attrs relu6 → [dx, dgamma, dbeta]. */
export function bnActGradKernel({ inputs, backend: b, attrs }: KernelArgs): Info[] {
  const backend = b as WebGpuBackendInternals;
  const { dy, x, stats } = inputs;
  const C = x.shape[x.shape.length - 1];
  const M = size(x.shape) / C;
  const relu6 = Boolean(attrs?.relu6);
  const t = channelTiling(M, C);
  const partials = allocate(backend, [t.rowBlocks * 2 * C]);
  const dx = allocate(backend, x.shape);
  const dgamma = allocate(backend, [C]);
  const dbeta = allocate(backend, [C]);
  const shift = tileShift(t), act = relu6 ? 1 : 0;
  dispatch(backend, { source: gradSumsSource, buffers: [dy, x, stats, partials], uniforms: [M, C, t.rowsPerBlock, shift, act], workgroups: [t.channelBlocks, t.rowBlocks] });
  dispatch(backend, {
    source: gradInputSource,
    buffers: [dy, x, stats, partials, dx, dgamma, dbeta],
    uniforms: [M, C, t.rowBlocks, t.rowsPerTile, shift, act],
    workgroups: [t.channelBlocks, t.applyTiles],
  });
  backend.disposeData(partials.dataId);
  return [dx, dgamma, dbeta];
}
