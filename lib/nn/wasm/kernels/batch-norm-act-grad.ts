/**
 * PslBatchNormActGrad: the backward of PslBatchNormAct in two passes — per-channel Σg and Σg·x̂ (g = dy through
 * PyTorch's ReLU6 mask), then dx. With data-parallel workers dx uses the whole batch's sums (lib/nn/sync-batchnorm.ts);
 * dgamma and dbeta stay this shard's (the trainer adds the shards' gradients).
 */
import { activeShardExchange, batchRows, wholeBatchSums } from "../../sync-batchnorm";
import { kernelsFor, offsetOf, Scratch, f32View } from "../module";
import { affineFromStats, batchNormArgs } from "./batch-norm-act";
import type { Info, KernelArgs, KernelDef } from "./kernel-utils";

export const BN_ACT_GRAD_KERNEL = "PslBatchNormActGrad";

/** inputs dy, x, gamma, beta, mean, variance (batch statistics of the forward pass); attrs relu6, epsilon → [dx, dgamma, dbeta]. */
function batchNormActGrad(args: KernelArgs): Info[] {
  const { dy, x, gamma, beta, mean, variance } = args.inputs;
  const { backend, relu6, epsilon, C, M } = batchNormArgs(BN_ACT_GRAD_KERNEL, args, "dy", "x", "gamma", "beta", "mean", "variance");
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

export const batchNormActGradConfig: KernelDef = { kernelName: BN_ACT_GRAD_KERNEL, kernelFunc: batchNormActGrad };
