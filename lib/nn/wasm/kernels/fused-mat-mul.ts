/**
 * _FusedMatMul (tf.fused.matMul) on the engine's gemm_nn with bias and ReLU6 in its epilogue: inference's 1x1 convs
 * with BatchNorm folded in (lib/engine/infer.ts) are each one pass. tfjs-backend-wasm's own kernel (XNNPACK) took two
 * thirds of an inference batch (CPU profile) and is used still for what this does not cover: other ranks, dtypes,
 * transposes, activations, PReLU weights.
 */
import type * as tf from "@tensorflow/tfjs";
import type { WasmBackendInternals } from "../module";
import { gemmNN } from "./batch-mat-mul";
import type { KernelArgs } from "./kernel-utils";

export function makeFusedMatMul(original: tf.KernelConfig): tf.KernelFunc {
  return (args) => {
    const { inputs, attrs } = args as unknown as KernelArgs;
    const { a, b, bias, preluActivationWeights } = inputs;
    const activation = (attrs?.activation as string | undefined) ?? "linear";
    // tf.fused.matMul hands the kernel rank-3 operands ([1, M, K] · [1, K, N] for plain matrices).
    const matrix = (t: { shape: number[] }) => t.shape.length === 2 || (t.shape.length === 3 && t.shape[0] === 1);
    const ours =
      process.env.PSL_GEMM !== "xnnpack" && !attrs?.transposeA && !attrs?.transposeB && !preluActivationWeights &&
      (activation === "linear" || activation === "relu6") && matrix(a) && matrix(b) &&
      [a, b, ...(bias ? [bias] : [])].every((t) => t.dtype === "float32") &&
      (!bias || (bias.shape.length === 1 && bias.shape[0] === b.shape[b.shape.length - 1]));
    if (!ours) return original.kernelFunc(args);
    const as2d = (t: typeof a) => ({ ...t, shape: t.shape.slice(-2) });
    const [M, K] = a.shape.slice(-2), [K2, N] = b.shape.slice(-2);
    if (K !== K2) return original.kernelFunc(args);
    const out = gemmNN(args.backend as unknown as WasmBackendInternals, as2d(a), as2d(b), false, bias, activation === "relu6");
    return a.shape.length === 3 ? { ...out, shape: [1, M, N] } : out;
  };
}
