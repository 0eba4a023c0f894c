/**
 * tfjs kernels for the wasm backend, backed by kernels.wasm (see module.ts):
 *
 * - the missing gradient kernels, so every standard tfjs conv op is differentiable on wasm:
 *   Conv2DBackpropFilter, DepthwiseConv2dNativeBackpropInput, DepthwiseConv2dNativeBackpropFilter
 *   (tfjs-backend-wasm already has Conv2DBackpropInput);
 * - BatchMatMul (rank 2) on the engine's own register-blocked GEMMs, including transposed operands (the built-in
 *   kernel runs those 10-30x slower than plain products, and every matMul gradient is a transposed product);
 * - Identity sharing the input's buffer instead of copying it (tfjs saves every tensor a gradient needs through it);
 * - the engine's fused kernels used by lib/nn/ops.ts: PslBatchNormAct / PslBatchNormActGrad (BatchNorm
 *   training statistics + affine + ReLU6 in two passes, backward in two passes) and PslDepthwise / PslDepthwiseGrad.
 *
 * All are NHWC / float32 only, like the rest of tfjs-backend-wasm.
 */
import * as tf from "@tensorflow/tfjs";
import { kernelsFor, offsetOf, Scratch, f32View, type WasmBackendInternals } from "./module";
import { activeShardExchange, batchRows, wholeBatchMoments, wholeBatchSums } from "../sync-batchnorm";

type Info = tf.TensorInfo;
interface KernelArgs {
  inputs: Record<string, Info>;
  backend: unknown;
  attrs?: Record<string, unknown>;
}

export const BN_ACT_KERNEL = "PslBatchNormAct";
export const BN_ACT_GRAD_KERNEL = "PslBatchNormActGrad";
export const DEPTHWISE_KERNEL = "PslDepthwise";
export const DEPTHWISE_GRAD_KERNEL = "PslDepthwiseGrad";

const size = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

function requireFloat32(kernel: string, ...infos: Info[]): void {
  for (const t of infos) if (t.dtype !== "float32") throw new Error(`${kernel} on wasm supports float32 only (got ${t.dtype})`);
}

/** The 14-int geometry block the C kernels take: N,H,W,C,OH,OW,KH,KW,SH,SW,PT,PL,DH,DW. */
function geometry(info: tf.backend_util.Conv2DInfo, channels: number): number[] {
  return [
    info.batchSize, info.inHeight, info.inWidth, channels, info.outHeight, info.outWidth,
    info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth,
    info.padInfo.top, info.padInfo.left, info.dilationHeight, info.dilationWidth,
  ];
}

function channelsLast(kernel: string, dataFormat: unknown): void {
  if (dataFormat !== undefined && dataFormat !== "NHWC" && dataFormat !== "channelsLast") {
    throw new Error(`${kernel} on wasm supports NHWC only (got ${String(dataFormat)})`);
  }
}

// ---------------------------------------------------------------- BatchNorm (+ReLU6), training mode

/** Per-channel scale/shift of the normalisation: scale = gamma/sqrt(var+eps), shift = beta - mean*scale. */
function affineFromStats(gamma: Float32Array, beta: Float32Array, mean: Float32Array, variance: Float32Array, epsilon: number) {
  const C = gamma.length;
  const invstd = new Float32Array(C);
  const scale = new Float32Array(C);
  const shift = new Float32Array(C);
  for (let c = 0; c < C; c++) {
    invstd[c] = 1 / Math.sqrt(variance[c] + epsilon);
    scale[c] = gamma[c] * invstd[c];
    shift[c] = beta[c] - mean[c] * scale[c];
  }
  return { invstd, scale, shift };
}

/** inputs x [..., C], gamma [C], beta [C]; attrs relu6, epsilon → [y (x's shape), batch mean [C], biased batch variance [C]]. */
function bnActKernel({ inputs, backend: b, attrs }: KernelArgs): Info[] {
  const backend = b as WasmBackendInternals;
  const { x, gamma, beta } = inputs;
  requireFloat32(BN_ACT_KERNEL, x, gamma, beta);
  const relu6 = attrs?.relu6 ? 1 : 0;
  const epsilon = attrs?.epsilon as number;
  const C = x.shape[x.shape.length - 1];
  const M = size(x.shape) / C;
  const k = kernelsFor(backend);
  const y = backend.makeOutput(x.shape, "float32");
  const mean = backend.makeOutput([C], "float32");
  const variance = backend.makeOutput([C], "float32");
  const s = new Scratch(backend);
  const part = s.f32(2 * C), acc = s.f64(2 * C), scalePtr = s.f32(C), shiftPtr = s.f32(C);
  try {
    k.bn_stats(offsetOf(backend, x), M, C, offsetOf(backend, mean), offsetOf(backend, variance), part, acc);
    const exchange = activeShardExchange();
    if (exchange) {
      // bn_stats leaves the shifted sums S1 = Σ(x − K), S2 = Σ(x − K)² (float64, K = the first row) in `acc`.
      const sums = new Float64Array(backend.wasm.HEAPU8.buffer, acc, 2 * C);
      const K = f32View(backend, offsetOf(backend, x), C);
      const localMean = new Float64Array(C), localM2 = new Float64Array(C);
      for (let c = 0; c < C; c++) {
        const s1 = sums[c];
        localMean[c] = K[c] + s1 / M;
        localM2[c] = Math.max(0, sums[C + c] - (s1 * s1) / M);
      }
      const whole = wholeBatchMoments(exchange, M, localMean, localM2);
      f32View(backend, offsetOf(backend, mean), C).set(whole.mean);
      f32View(backend, offsetOf(backend, variance), C).set(whole.variance);
    }
    const { scale, shift } = affineFromStats(
      f32View(backend, offsetOf(backend, gamma), C), f32View(backend, offsetOf(backend, beta), C),
      f32View(backend, offsetOf(backend, mean), C), f32View(backend, offsetOf(backend, variance), C), epsilon,
    );
    f32View(backend, scalePtr, C).set(scale);
    f32View(backend, shiftPtr, C).set(shift);
    k.affine_act(offsetOf(backend, x), offsetOf(backend, y), M, C, scalePtr, shiftPtr, relu6);
  } finally {
    s.free();
  }
  return [y, mean, variance];
}

/** inputs dy, x, gamma, beta, mean, variance (batch statistics of the forward pass); attrs relu6, epsilon → [dx, dgamma, dbeta]. */
function bnActGradKernel({ inputs, backend: b, attrs }: KernelArgs): Info[] {
  const backend = b as WasmBackendInternals;
  const { dy, x, gamma, beta, mean, variance } = inputs;
  requireFloat32(BN_ACT_GRAD_KERNEL, dy, x, gamma, beta, mean, variance);
  const relu6 = attrs?.relu6 ? 1 : 0;
  const epsilon = attrs?.epsilon as number;
  const C = x.shape[x.shape.length - 1];
  const M = size(x.shape) / C;
  const k = kernelsFor(backend);
  const dx = backend.makeOutput(x.shape, "float32");
  const dgamma = backend.makeOutput([C], "float32");
  const dbeta = backend.makeOutput([C], "float32");
  const s = new Scratch(backend);
  const [scaleP, shiftP, xaP, xbP, kgP, kxP, kcP, p1, p2] = Array.from({ length: 9 }, () => s.f32(C));
  const a1 = s.f64(C), a2 = s.f64(C);
  try {
    const g = f32View(backend, offsetOf(backend, gamma), C).slice();
    const m = f32View(backend, offsetOf(backend, mean), C).slice();
    const { invstd, scale, shift } = affineFromStats(g, f32View(backend, offsetOf(backend, beta), C), m, f32View(backend, offsetOf(backend, variance), C), epsilon);
    const xb = new Float32Array(C);
    for (let c = 0; c < C; c++) xb[c] = -m[c] * invstd[c];
    f32View(backend, scaleP, C).set(scale);
    f32View(backend, shiftP, C).set(shift);
    f32View(backend, xaP, C).set(invstd);
    f32View(backend, xbP, C).set(xb);
    k.bn_act_grad_sums(offsetOf(backend, dy), offsetOf(backend, x), M, C, scaleP, shiftP, relu6, xaP, xbP,
      offsetOf(backend, dbeta), offsetOf(backend, dgamma), p1, p2, a1, a2);
    // dgamma, dbeta are this shard's own sums (the trainer adds the shards' gradients); dx needs the whole batch's.
    let sumG: ArrayLike<number> = f32View(backend, offsetOf(backend, dbeta), C);
    let sumGxhat: ArrayLike<number> = f32View(backend, offsetOf(backend, dgamma), C);
    let rows = M;
    const exchange = activeShardExchange();
    if (exchange) {
      const whole = wholeBatchSums(exchange, new Float64Array(backend.wasm.HEAPU8.buffer, a1, C), new Float64Array(backend.wasm.HEAPU8.buffer, a2, C));
      sumG = Float32Array.from(whole.a);
      sumGxhat = Float32Array.from(whole.b);
      rows = batchRows(exchange, M);
    }
    const kg = new Float32Array(C), kx = new Float32Array(C), kc = new Float32Array(C);
    for (let c = 0; c < C; c++) {
      kg[c] = g[c] * invstd[c];
      kx[c] = (-kg[c] * sumGxhat[c]) / rows;
      kc[c] = (-kg[c] * sumG[c]) / rows;
    }
    f32View(backend, kgP, C).set(kg);
    f32View(backend, kxP, C).set(kx);
    f32View(backend, kcP, C).set(kc);
    k.bn_act_grad_input(offsetOf(backend, dy), offsetOf(backend, x), offsetOf(backend, dx), M, C, scaleP, shiftP, relu6, xaP, xbP, kgP, kxP, kcP);
  } finally {
    s.free();
  }
  return [dx, dgamma, dbeta];
}

// ---------------------------------------------------------------- depthwise / dense convolution

interface ConvAttrs {
  strides: number | [number, number];
  pad: "valid" | "same" | number | tf.backend_util.ExplicitPadding;
  dilations?: number | [number, number];
  dimRoundingMode?: "floor" | "round" | "ceil";
  dataFormat?: string;
}

function depthwiseInfo(xShape: number[], filterShape: number[], a: ConvAttrs): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number], filterShape as [number, number, number, number],
    a.strides, a.dilations ?? 1, a.pad, a.dimRoundingMode, true,
  );
}

/**
 * Depthwise conv forward (multiplier 1): inputs x, filter [KH,KW,C,1], optional bias [C]; attrs as
 * tf.depthwiseConv2d plus `relu6` (bias and ReLU6 fused: inference with BatchNorm folded into the filter).
 */
function depthwiseKernel({ inputs, backend: b, attrs }: KernelArgs): Info {
  const backend = b as WasmBackendInternals;
  const { x, filter, bias } = inputs;
  requireFloat32(DEPTHWISE_KERNEL, x, filter);
  if (filter.shape[3] !== 1) throw new Error(`${DEPTHWISE_KERNEL}: channel multiplier must be 1`);
  const info = depthwiseInfo(x.shape, filter.shape, attrs as unknown as ConvAttrs);
  const y = backend.makeOutput(info.outShape, "float32");
  const s = new Scratch(backend);
  const g = s.i32(geometry(info, x.shape[3]));
  try {
    kernelsFor(backend).dw_forward(offsetOf(backend, x), offsetOf(backend, filter), bias ? offsetOf(backend, bias) : 0, offsetOf(backend, y), g, attrs?.relu6 ? 1 : 0);
  } finally {
    s.free();
  }
  return y;
}

/** Both depthwise gradients (multiplier 1) in one pass: inputs x, filter, dy → [dx, dfilter]. */
function depthwiseGradKernel({ inputs, backend: b, attrs }: KernelArgs): Info[] {
  const backend = b as WasmBackendInternals;
  const { x, filter, dy } = inputs;
  requireFloat32(DEPTHWISE_GRAD_KERNEL, x, filter, dy);
  const info = depthwiseInfo(x.shape, filter.shape, attrs as unknown as ConvAttrs);
  const dx = backend.makeOutput(x.shape, "float32");
  const dfilter = backend.makeOutput(filter.shape, "float32");
  const F = size(filter.shape);
  const s = new Scratch(backend);
  const g = s.i32(geometry(info, x.shape[3]));
  const part = s.f32(F), acc = s.f64(F);
  try {
    kernelsFor(backend).dw_backward(offsetOf(backend, x), offsetOf(backend, filter), offsetOf(backend, dy),
      offsetOf(backend, dx), offsetOf(backend, dfilter), g, part, acc);
  } finally {
    s.free();
  }
  return [dx, dfilter];
}

/**
 * Depthwise gradient with channel multiplier > 1 (not used by the kit's models; kept so the standard op is
 * differentiable for any filter): plain loops on heap views.
 */
function depthwiseGradGeneric(
  backend: WasmBackendInternals, info: tf.backend_util.Conv2DInfo, x: Info | null, filter: Info | null, dy: Info, want: "input" | "filter",
): Info {
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, filterHeight: KH, filterWidth: KW } = info;
  const mult = info.outChannels / C;
  const out = backend.makeOutput(want === "input" ? [N, H, W, C] : [KH, KW, C, mult], "float32");
  const o = f32View(backend, offsetOf(backend, out), want === "input" ? N * H * W * C : KH * KW * C * mult);
  o.fill(0);
  const g = f32View(backend, offsetOf(backend, dy), size(dy.shape));
  const xv = x ? f32View(backend, offsetOf(backend, x), size(x.shape)) : null;
  const fv = filter ? f32View(backend, offsetOf(backend, filter), size(filter.shape)) : null;
  for (let n = 0; n < N; n++)
    for (let oh = 0; oh < OH; oh++)
      for (let ow = 0; ow < OW; ow++)
        for (let kh = 0; kh < KH; kh++) {
          const ih = oh * info.strideHeight - info.padInfo.top + kh * info.dilationHeight;
          if (ih < 0 || ih >= H) continue;
          for (let kw = 0; kw < KW; kw++) {
            const iw = ow * info.strideWidth - info.padInfo.left + kw * info.dilationWidth;
            if (iw < 0 || iw >= W) continue;
            for (let c = 0; c < C; c++)
              for (let q = 0; q < mult; q++) {
                const gv = g[((n * OH + oh) * OW + ow) * C * mult + c * mult + q];
                const xi = ((n * H + ih) * W + iw) * C + c;
                const fi = ((kh * KW + kw) * C + c) * mult + q;
                if (want === "input") o[xi] += gv * fv![fi];
                else o[fi] += gv * xv![xi];
              }
          }
        }
  return out;
}

function depthwiseBackpropInput({ inputs, backend: b, attrs }: KernelArgs): Info {
  const backend = b as WasmBackendInternals;
  const { dy, filter } = inputs;
  const a = attrs as unknown as ConvAttrs & { inputShape: number[] };
  channelsLast("DepthwiseConv2dNativeBackpropInput", a.dataFormat);
  requireFloat32("DepthwiseConv2dNativeBackpropInput", dy, filter);
  const info = depthwiseInfo(a.inputShape, filter.shape, a);
  if (filter.shape[3] !== 1) return depthwiseGradGeneric(backend, info, null, filter, dy, "input");
  const dx = backend.makeOutput(a.inputShape, "float32");
  const s = new Scratch(backend);
  const g = s.i32(geometry(info, a.inputShape[3]));
  try {
    kernelsFor(backend).dw_backward(0, offsetOf(backend, filter), offsetOf(backend, dy), offsetOf(backend, dx), 0, g, 0, 0);
  } finally {
    s.free();
  }
  return dx;
}

function depthwiseBackpropFilter({ inputs, backend: b, attrs }: KernelArgs): Info {
  const backend = b as WasmBackendInternals;
  const { x, dy } = inputs;
  const a = attrs as unknown as ConvAttrs & { filterShape: number[] };
  channelsLast("DepthwiseConv2dNativeBackpropFilter", a.dataFormat);
  requireFloat32("DepthwiseConv2dNativeBackpropFilter", x, dy);
  const info = depthwiseInfo(x.shape, a.filterShape, a);
  if (a.filterShape[3] !== 1) return depthwiseGradGeneric(backend, info, x, null, dy, "filter");
  const dfilter = backend.makeOutput(a.filterShape, "float32");
  const F = size(a.filterShape);
  const s = new Scratch(backend);
  const g = s.i32(geometry(info, x.shape[3]));
  const part = s.f32(F), acc = s.f64(F);
  try {
    kernelsFor(backend).dw_backward(offsetOf(backend, x), 0, offsetOf(backend, dy), 0, offsetOf(backend, dfilter), g, part, acc);
  } finally {
    s.free();
  }
  return dfilter;
}

function conv2DBackpropFilter({ inputs, backend: b, attrs }: KernelArgs): Info {
  const backend = b as WasmBackendInternals;
  const { x, dy } = inputs;
  const a = attrs as unknown as ConvAttrs & { filterShape: number[] };
  channelsLast("Conv2DBackpropFilter", a.dataFormat);
  requireFloat32("Conv2DBackpropFilter", x, dy);
  // tfjs's conv2d gradient passes no dilations here (conv2d only differentiates with dilation 1).
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], a.filterShape as [number, number, number, number],
    a.strides, 1, a.pad, a.dimRoundingMode, false,
  );
  const dfilter = backend.makeOutput(a.filterShape, "float32");
  const F = size(a.filterShape);
  const s = new Scratch(backend);
  const g = s.i32(geometry(info, x.shape[3]));
  const part = s.f32(F), acc = s.f64(F);
  try {
    kernelsFor(backend).conv_filter_grad(offsetOf(backend, x), offsetOf(backend, dy), offsetOf(backend, dfilter), g, a.filterShape[3], part, acc);
  } finally {
    s.free();
  }
  return dfilter;
}

// ---------------------------------------------------------------- BatchMatMul with transposes

function transposeLast2(backend: WasmBackendInternals, t: Info): Info {
  const rank = t.shape.length;
  const [r, c] = [t.shape[rank - 2], t.shape[rank - 1]];
  const batch = size(t.shape.slice(0, -2));
  const out = backend.makeOutput([...t.shape.slice(0, -2), c, r], "float32");
  const k = kernelsFor(backend);
  const src = offsetOf(backend, t), dst = offsetOf(backend, out);
  for (let i = 0; i < batch; i++) k.transpose2d(src + 4 * i * r * c, dst + 4 * i * r * c, r, c);
  return out;
}

/** out [M,N] = a [M,K] · b [K,N] with the engine's gemm_nn (rank 2, float32). */
function gemmNN(backend: WasmBackendInternals, a: Info, b: Info): Info {
  const [M, K] = a.shape, N = b.shape[1];
  const out = backend.makeOutput([M, N], "float32");
  const s = new Scratch(backend);
  const packed = s.f32(K * N);
  try {
    kernelsFor(backend).gemm_nn(offsetOf(backend, a), offsetOf(backend, b), offsetOf(backend, out), M, K, N, packed);
  } finally {
    s.free();
  }
  return out;
}

function makeBatchMatMul(original: tf.KernelConfig): tf.KernelFunc {
  return (args) => {
    const { inputs, attrs } = args as unknown as KernelArgs;
    const backend = args.backend as unknown as WasmBackendInternals;
    const { a, b } = inputs;
    const transposeA = Boolean(attrs?.transposeA), transposeB = Boolean(attrs?.transposeB);
    if (a.dtype !== "float32" || b.dtype !== "float32") return original.kernelFunc(args);
    const rank2 = a.shape.length === 2 && b.shape.length === 2;
    const own = process.env.PSL_GEMM !== "xnnpack";
    if (rank2) {
      const inner = transposeA ? a.shape[0] : a.shape[1], innerB = transposeB ? b.shape[1] : b.shape[0];
      if (inner !== innerB) throw new Error(`matMul: inner dimensions ${inner} and ${innerB} do not match (shapes ${a.shape}, ${b.shape})`);
    }
    // x^T dy (every matMul weight gradient): one streaming pass, no transposed copy of the big operand.
    if (transposeA && !transposeB && rank2) {
      const [M, K] = a.shape, N = b.shape[1];
      const out = backend.makeOutput([K, N], "float32");
      kernelsFor(backend).gemm_tn(offsetOf(backend, a), offsetOf(backend, b), offsetOf(backend, out), M, K, N);
      return out;
    }
    if (!transposeA && rank2 && own) {
      // dy W^T (input gradients): transpose the small weight matrix, then the plain product.
      if (!transposeB) return gemmNN(backend, a, b);
      const bt = transposeLast2(backend, b);
      try {
        return gemmNN(backend, a, bt);
      } finally {
        backend.disposeData(bt.dataId);
      }
    }
    if (!transposeA && !transposeB) return original.kernelFunc(args);
    // Otherwise materialise the transposes (cheap next to the slow transposed path) and run the plain product.
    const temps: Info[] = [];
    const at = transposeA ? transposeLast2(backend, a) : a;
    if (transposeA) temps.push(at);
    const bt = transposeB ? transposeLast2(backend, b) : b;
    if (transposeB) temps.push(bt);
    try {
      return original.kernelFunc({ ...args, inputs: { a: at, b: bt }, attrs: { ...attrs, transposeA: false, transposeB: false } } as never);
    } finally {
      for (const t of temps) backend.disposeData(t.dataId);
    }
  };
}

// ---------------------------------------------------------------- Identity without a copy

/**
 * tfjs saves every tensor a gradient needs through Identity (engine.clone), and tfjs-backend-wasm's Identity
 * copies the data: a full extra pass over every saved activation in every training step. tfjs tensors are
 * immutable (even Variable.assign swaps in new data), so sharing the buffer with a reference count is exact;
 * the cpu backend's Identity does the same.
 */
function identityShared({ inputs, backend: b }: KernelArgs): Info {
  const { x } = inputs;
  (b as { incRef(dataId: object): void }).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

// ---------------------------------------------------------------- registration

/** PSL_KERNEL_PROFILE=1: total milliseconds per engine kernel (and BatchMatMul variant), printed to stderr at exit. */
const profile = process.env.PSL_KERNEL_PROFILE === "1" ? new Map<string, { ms: number; calls: number }>() : undefined;
if (profile) {
  process.on("exit", () => {
    const rows = [...profile].sort((a, b) => b[1].ms - a[1].ms);
    process.stderr.write(`[kernel profile] ${rows.map(([k, v]) => `${k} ${v.ms.toFixed(0)} ms/${v.calls}`).join(", ")}\n`);
  });
}
function profiled<A extends unknown[], R>(name: string | ((...args: A) => string), f: (...args: A) => R): (...args: A) => R {
  if (!profile) return f;
  return (...args: A) => {
    const t = performance.now();
    const r = f(...args);
    const key = typeof name === "string" ? name : name(...args);
    const e = profile.get(key) ?? { ms: 0, calls: 0 };
    e.ms += performance.now() - t;
    e.calls += 1;
    profile.set(key, e);
    return r;
  };
}

let registered = false;

/** Registers (once per process) the engine's kernels for the "wasm" backend. Safe to call before or after tf.setBackend. */
export function registerWasmKernels(): void {
  if (registered) return;
  registered = true;
  // Importing the package registers its kernels (and the backend factory); ours extend/override those.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require("@tensorflow/tfjs-backend-wasm");
  const add = (kernelName: string, kernelFunc: (args: KernelArgs) => Info | Info[]) => {
    if (!tf.getKernel(kernelName, "wasm")) tf.registerKernel({ kernelName, backendName: "wasm", kernelFunc: profiled(kernelName, kernelFunc) as unknown as tf.KernelFunc });
  };
  add(BN_ACT_KERNEL, bnActKernel);
  add(BN_ACT_GRAD_KERNEL, bnActGradKernel);
  add(DEPTHWISE_KERNEL, depthwiseKernel);
  add(DEPTHWISE_GRAD_KERNEL, depthwiseGradKernel);
  add("Conv2DBackpropFilter", conv2DBackpropFilter);
  add("DepthwiseConv2dNativeBackpropInput", depthwiseBackpropInput);
  add("DepthwiseConv2dNativeBackpropFilter", depthwiseBackpropFilter);
  const identity = tf.getKernel("Identity", "wasm");
  if (identity) {
    tf.unregisterKernel("Identity", "wasm");
    tf.registerKernel({ ...identity, kernelFunc: ((args: KernelArgs) =>
      args.inputs.x.dtype === "string" ? identity.kernelFunc(args as never) : identityShared(args)) as unknown as tf.KernelFunc });
  }
  const original = tf.getKernel("BatchMatMul", "wasm");
  if (original) {
    tf.unregisterKernel("BatchMatMul", "wasm");
    // setupFunc binds the original's C function; it must still run if the backend initialises after this.
    const mmName = (args: { attrs?: Record<string, unknown> }) => `BatchMatMul ${args.attrs?.transposeA ? "T" : "N"}${args.attrs?.transposeB ? "T" : "N"}`;
    tf.registerKernel({ ...original, kernelFunc: profiled(mmName as never, makeBatchMatMul(original)) as tf.KernelFunc });
  }
}
