/**
 * BatchMatMul (rank 2) on the engine's own register-blocked GEMMs, transposed operands included: tfjs-backend-wasm's
 * built-in kernel runs those 10-30x slower than plain products, and every matMul gradient is a transposed product.
 * Wraps the built-in kernel (still used for other ranks and dtypes). PSL_GEMM=xnnpack: tfjs's own plain product.
 */
import type * as tf from "@tensorflow/tfjs";
import { kernelsFor, offsetOf, Scratch, type WasmBackendInternals } from "../module";
import { size, type Info, type KernelArgs } from "./kernel-utils";

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

/**
 * out [M,N] = act(a [M,K] · b [K,N] (or · bᵀ with b [N,K]) + bias) with the engine's gemm_nn (rank 2, float32);
 * bias [N] optional, act ReLU6 or none.
 */
export function gemmNN(backend: WasmBackendInternals, a: Info, b: Info, transB = false, bias?: Info, relu6 = false): Info {
  const [M, K] = a.shape, N = transB ? b.shape[0] : b.shape[1];
  const out = backend.makeOutput([M, N], "float32");
  const s = new Scratch(backend);
  const packed = s.f32(K * 8 * Math.ceil(N / 8));
  try {
    kernelsFor(backend).gemm_nn(offsetOf(backend, a), offsetOf(backend, b), offsetOf(backend, out), M, K, N, packed, transB ? 1 : 0,
      bias ? offsetOf(backend, bias) : 0, relu6 ? 1 : 0);
  } finally {
    s.free();
  }
  return out;
}

/** The BatchMatMul kernel function, falling back to the built-in `original` where ours does not apply. */
export function makeBatchMatMul(original: tf.KernelConfig): tf.KernelFunc {
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
      // dy W^T (input gradients): the packing of W's panels reads it transposed.
      return gemmNN(backend, a, b, transposeB);
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
