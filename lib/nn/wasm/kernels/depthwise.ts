/**
 * PslDepthwise: depthwise convolution (channel multiplier 1), NHWC, any kernel/stride/padding/dilation, with an
 * optional fused bias + ReLU6 (inference with BatchNorm folded into the filter). Used by lib/nn/ops.ts and
 * lib/engine/infer.ts.
 */
import { offsetOf, type WasmBackendInternals } from "../module";
import { callConvKernel, depthwiseInfo, requireFloat32, type ConvAttrs, type Info, type KernelArgs, type KernelDef } from "./kernel-utils";

export const DEPTHWISE_KERNEL = "PslDepthwise";

/**
 * Depthwise conv forward (multiplier 1): inputs x, filter [KH,KW,C,1], optional bias [C]; attrs as
 * tf.depthwiseConv2d plus `relu6` (bias and ReLU6 fused: inference with BatchNorm folded into the filter).
 */
function depthwise({ inputs, backend: b, attrs }: KernelArgs): Info {
  const backend = b as WasmBackendInternals;
  const { x, filter, bias } = inputs;
  requireFloat32(DEPTHWISE_KERNEL, x, filter);
  if (filter.shape[3] !== 1) throw new Error(`${DEPTHWISE_KERNEL}: channel multiplier must be 1`);
  const info = depthwiseInfo(x.shape, filter.shape, attrs as unknown as ConvAttrs);
  const y = backend.makeOutput(info.outShape, "float32");
  callConvKernel(backend, info, x.shape[3], 0, (k, g) =>
    k.dw_forward(offsetOf(backend, x), offsetOf(backend, filter), bias ? offsetOf(backend, bias) : 0, offsetOf(backend, y), g, attrs?.relu6 ? 1 : 0));
  return y;
}

export const depthwiseConfig: KernelDef = { kernelName: DEPTHWISE_KERNEL, kernelFunc: depthwise };
