/**
 * The block ops' GPU versions (lib/nn/ops.ts dispatches here on the webgpu backend): BatchNorm(+ReLU6) in training
 * mode and the stem's convolution as the engine's WGSL kernels with their own gradients.
 */
import * as tf from "@tensorflow/tfjs";
import { BN_EPSILON, BN_MOMENTUM, type BatchNormVars } from "../bn-types";
import { kernelConv } from "../kernel-op";
import { torchPad } from "../reference-ops";
import { GPU_BN_ACT_GRAD_KERNEL, GPU_BN_ACT_KERNEL } from "./batchnorm";
import { GPU_CONV_CIN1_FILTER_GRAD_KERNEL, GPU_CONV_CIN1_KERNEL } from "./depthwise";
import { registerWebGpuKernels } from "./register";
import { webgpuBackend } from "./runtime";

/** Whether the WGSL kernels serve the current backend (PSL_REFERENCE_OPS=1 forces the composed reference ops). */
export function gpuKernelsActive(): boolean {
  if (tf.getBackend() !== "webgpu" || process.env.PSL_REFERENCE_OPS === "1") return false;
  registerWebGpuKernels();
  return true;
}

/**
 * The kernel updates running statistics in place: make sure no other tensor shares the variable's buffer
 * (a variable assigned from a tensor that is still alive does), else give the variable a private copy first.
 */
function ownBuffer(v: tf.Variable): void {
  if (webgpuBackend().refCount(v.dataId) <= 1) return;
  const copy = tf.tidy(() => tf.add(v, tf.scalar(0)));
  v.assign(copy);
  copy.dispose();
}

/** y = act(BatchNorm_train(x)), running statistics of `bn` updated (PyTorch's rule) — see batchnorm.ts. */
export function batchNormTrain(x: tf.Tensor4D, bn: BatchNormVars, relu6: boolean): tf.Tensor4D {
  ownBuffer(bn.runningMean);
  ownBuffer(bn.runningVar);
  const op = tf.customGrad((...args: unknown[]) => {
    const [input, gamma, beta] = args as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D];
    const save = args[3] as tf.GradSaveFunc;
    const [y, stats] = tf.engine().runKernel(
      GPU_BN_ACT_KERNEL, { x: input, gamma, beta, runningMean: bn.runningMean, runningVar: bn.runningVar },
      { relu6, epsilon: BN_EPSILON, momentum: BN_MOMENTUM },
    ) as tf.Tensor[];
    save([input, stats]);
    return {
      value: y as tf.Tensor4D,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.engine().runKernel(GPU_BN_ACT_GRAD_KERNEL, { dy, x: saved[0], stats: saved[1] }, { relu6 }) as tf.Tensor[],
    };
  });
  return op(x, bn.gamma, bn.beta) as tf.Tensor4D;
}

/**
 * The stem: k×k convolution of the one-channel input (PyTorch's symmetric padding). Its input is the log-mel, never
 * trained, so the input gradient is not computed: zeros, held on the CPU and never uploaded.
 */
export function convCin1(x: tf.Tensor4D, weight: tf.Tensor4D, stride: number): tf.Tensor4D {
  const attrs = { strides: stride, pad: torchPad(weight.shape[0]), dilations: 1 };
  return kernelConv(x, weight, GPU_CONV_CIN1_KERNEL, attrs, (dy, sx, sf) => [
    tf.zeros(sx.shape),
    tf.engine().runKernel(GPU_CONV_CIN1_FILTER_GRAD_KERNEL, { x: sx, filter: sf, dy }, attrs) as tf.Tensor,
  ]);
}
