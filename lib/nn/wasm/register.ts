/**
 * The registration list of the engine's kernels for tfjs's "wasm" backend (one file per kernel under kernels/, as
 * tfjs does), backed by kernels.wasm (see module.ts):
 *
 * - the missing gradient kernels, so every standard tfjs conv op is differentiable on wasm:
 *   Conv2DBackpropFilter, DepthwiseConv2dNativeBackpropInput, DepthwiseConv2dNativeBackpropFilter
 *   (tfjs-backend-wasm already has Conv2DBackpropInput);
 * - BatchMatMul (rank 2) on the engine's own GEMMs, including transposed operands, and _FusedMatMul (bias + ReLU6
 *   in the GEMM's epilogue: inference's folded 1x1 convs);
 * - Identity sharing the input's buffer instead of copying it (tfjs saves every tensor a gradient needs through it);
 * - the engine's fused kernels used by lib/nn/ops.ts: PslBatchNormAct / PslBatchNormActGrad and PslDepthwise /
 *   PslDepthwiseGrad.
 *
 * All are NHWC / float32 only, like the rest of tfjs-backend-wasm.
 */
import * as tf from "@tensorflow/tfjs";
import { makeBatchMatMul } from "./kernels/batch-mat-mul";
import { batchNormActConfig } from "./kernels/batch-norm-act";
import { batchNormActGradConfig } from "./kernels/batch-norm-act-grad";
import { conv2DBackpropFilterConfig } from "./kernels/conv2d-backprop-filter";
import { depthwiseConfig } from "./kernels/depthwise";
import { depthwiseBackpropFilterConfig } from "./kernels/depthwise-backprop-filter";
import { depthwiseBackpropInputConfig } from "./kernels/depthwise-backprop-input";
import { depthwiseGradConfig } from "./kernels/depthwise-grad";
import { makeFusedMatMul } from "./kernels/fused-mat-mul";
import { identityShared } from "./kernels/identity";
import type { KernelArgs, KernelDef } from "./kernels/kernel-utils";
import { profiled } from "./profile";

export { BN_ACT_KERNEL } from "./kernels/batch-norm-act";
export { BN_ACT_GRAD_KERNEL } from "./kernels/batch-norm-act-grad";
export { DEPTHWISE_KERNEL } from "./kernels/depthwise";
export { DEPTHWISE_GRAD_KERNEL } from "./kernels/depthwise-grad";

/** The kernels this engine adds to tfjs-backend-wasm (registered only where the backend has none of that name). */
const KERNELS: KernelDef[] = [
  batchNormActConfig,
  batchNormActGradConfig,
  depthwiseConfig,
  depthwiseGradConfig,
  conv2DBackpropFilterConfig,
  depthwiseBackpropInputConfig,
  depthwiseBackpropFilterConfig,
];

let registered = false;

/** Registers (once per process) the engine's kernels for the "wasm" backend. Safe to call before or after tf.setBackend. */
export function registerWasmKernels(): void {
  if (registered) return;
  registered = true;
  // Importing the package registers its kernels (and the backend factory); ours extend/override those.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require("@tensorflow/tfjs-backend-wasm");
  for (const { kernelName, kernelFunc } of KERNELS) {
    if (!tf.getKernel(kernelName, "wasm")) tf.registerKernel({ kernelName, backendName: "wasm", kernelFunc: profiled(kernelName, kernelFunc) as unknown as tf.KernelFunc });
  }
  // Overrides of built-in kernels: they wrap the original, which stays in use where ours does not apply.
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
  const fused = tf.getKernel("_FusedMatMul", "wasm");
  if (fused) {
    tf.unregisterKernel("_FusedMatMul", "wasm");
    tf.registerKernel({ ...fused, kernelFunc: profiled("_FusedMatMul", makeFusedMatMul(fused)) as tf.KernelFunc });
  }
}
