/**
 * Weight layout conversion between PyTorch state dicts and the kit's tfjs layouts.
 *
 * PyTorch: conv [cout, cin/groups, kh, kw], linear [out, in].
 * Kit:     full conv [kh, kw, cin, cout], depthwise [kh, kw, C, 1], pointwise [cin, cout], linear [in, out].
 * BatchNorm vectors and biases are identical in both. Plain loops over Float32Arrays: no tfjs needed, so
 * checkpoint/import code works before a backend is initialised and is exact (pure permutations).
 */
import type { TensorSpec } from "./config";

/** Converts one tensor from PyTorch layout to the kit layout (returns a new array; input untouched). */
export function torchToKit(spec: TensorSpec, torch: Float32Array): Float32Array {
  return permute(spec, torch, true);
}

/** Converts one tensor from the kit layout to PyTorch layout. */
export function kitToTorch(spec: TensorSpec, kit: Float32Array): Float32Array {
  return permute(spec, kit, false);
}

function permute(spec: TensorSpec, src: Float32Array, toKit: boolean): Float32Array {
  const out = new Float32Array(src.length);
  if (spec.role === "conv" && spec.convKind === "full") {
    const [cout, cin, kh, kw] = spec.torchShape;
    for (let o = 0; o < cout; o++)
      for (let i = 0; i < cin; i++)
        for (let y = 0; y < kh; y++)
          for (let x = 0; x < kw; x++) {
            const t = ((o * cin + i) * kh + y) * kw + x;
            const k = ((y * kw + x) * cin + i) * cout + o;
            if (toKit) out[k] = src[t];
            else out[t] = src[k];
          }
  } else if (spec.role === "conv" && spec.convKind === "depthwise") {
    const [channels, , kh, kw] = spec.torchShape;
    for (let c = 0; c < channels; c++)
      for (let y = 0; y < kh; y++)
        for (let x = 0; x < kw; x++) {
          const t = (c * kh + y) * kw + x;
          const k = (y * kw + x) * channels + c;
          if (toKit) out[k] = src[t];
          else out[t] = src[k];
        }
  } else if ((spec.role === "conv" && spec.convKind === "pointwise") || spec.role === "linear-weight") {
    // Both are a plain matrix transpose: torch [out, in(,1,1)] ↔ kit [in, out].
    const rows = spec.torchShape[0];
    const cols = spec.torchShape[1];
    for (let o = 0; o < rows; o++)
      for (let i = 0; i < cols; i++) {
        if (toKit) out[i * rows + o] = src[o * cols + i];
        else out[o * cols + i] = src[i * rows + o];
      }
  } else {
    out.set(src);
  }
  return out;
}
