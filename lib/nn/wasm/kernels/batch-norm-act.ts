/**
 * PslBatchNormAct: BatchNorm in training mode (+ optional ReLU6) as one kernel — per-channel statistics in one pass
 * (bn_stats), then normalise + affine + activation in a second (affine_act). With data-parallel workers the statistics
 * are the whole batch's (lib/nn/sync-batchnorm.ts). Used by lib/nn/ops.ts.
 */
import { activeShardExchange, wholeBatchMoments } from "../../sync-batchnorm";
import { kernelsFor, offsetOf, Scratch, f32View, type WasmBackendInternals } from "../module";
import { requireFloat32, size, type Info, type KernelArgs, type KernelDef } from "./kernel-utils";

export const BN_ACT_KERNEL = "PslBatchNormAct";

/** Per-channel scale/shift of the normalisation: scale = gamma/sqrt(var+eps), shift = beta - mean*scale. */
export function affineFromStats(gamma: Float32Array, beta: Float32Array, mean: Float32Array, variance: Float32Array, epsilon: number) {
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
/** What both BatchNorm kernels start from: the backend, attrs relu6 / epsilon, channels C and rows M of x [..., C]. */
export function batchNormArgs(kernel: string, { inputs, backend, attrs }: KernelArgs, ...tensors: string[]) {
  requireFloat32(kernel, ...tensors.map((name) => inputs[name]));
  const x = inputs.x, C = x.shape[x.shape.length - 1];
  return { backend: backend as WasmBackendInternals, relu6: attrs?.relu6 ? 1 : 0, epsilon: attrs?.epsilon as number, C, M: size(x.shape) / C };
}

function batchNormAct(args: KernelArgs): Info[] {
  const { x, gamma, beta } = args.inputs;
  const { backend, relu6, epsilon, C, M } = batchNormArgs(BN_ACT_KERNEL, args, "x", "gamma", "beta");
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

export const batchNormActConfig: KernelDef = { kernelName: BN_ACT_KERNEL, kernelFunc: batchNormAct };
