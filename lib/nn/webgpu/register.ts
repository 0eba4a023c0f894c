/**
 * The engine's WGSL kernels as tfjs kernels of the "webgpu" backend (see lib/nn/ops.ts for where they are used).
 * The depthwise pair takes the wasm kernels' names and signatures, so the op code and the folded inference model
 * use one name on both backends.
 */
import * as tf from "@tensorflow/tfjs";
import { DEPTHWISE_GRAD_KERNEL, DEPTHWISE_KERNEL } from "../wasm/register";
import { GPU_BN_ACT_GRAD_KERNEL, GPU_BN_ACT_KERNEL, bnActGradKernel, bnActKernel } from "./batchnorm";
import { GPU_CONV_CIN1_FILTER_GRAD_KERNEL, GPU_CONV_CIN1_KERNEL, convCin1FilterGradKernel, convCin1Kernel, depthwiseGradKernel, depthwiseKernel } from "./depthwise";
import { GPU_BCE_GRAD_KERNEL, GPU_BCE_KERNEL, bceGradKernel, bceKernel } from "./loss";
import { installDispatchCounter } from "./runtime";

let registered = false;

export function registerWebGpuKernels(): void {
  if (registered) return;
  registered = true;
  installDispatchCounter();
  const kernels: [string, tf.KernelFunc][] = [
    [GPU_BN_ACT_KERNEL, bnActKernel as unknown as tf.KernelFunc],
    [GPU_BN_ACT_GRAD_KERNEL, bnActGradKernel as unknown as tf.KernelFunc],
    [DEPTHWISE_KERNEL, depthwiseKernel as unknown as tf.KernelFunc],
    [DEPTHWISE_GRAD_KERNEL, depthwiseGradKernel as unknown as tf.KernelFunc],
    [GPU_CONV_CIN1_KERNEL, convCin1Kernel as unknown as tf.KernelFunc],
    [GPU_CONV_CIN1_FILTER_GRAD_KERNEL, convCin1FilterGradKernel as unknown as tf.KernelFunc],
    [GPU_BCE_KERNEL, bceKernel as unknown as tf.KernelFunc],
    [GPU_BCE_GRAD_KERNEL, bceGradKernel as unknown as tf.KernelFunc],
  ];
  for (const [kernelName, kernelFunc] of kernels) tf.registerKernel({ kernelName, backendName: "webgpu", kernelFunc });
}
