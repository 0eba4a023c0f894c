/** PslDepthwiseGrad: both gradients of PslDepthwise (no bias/activation) in one pass over dy. Used by lib/nn/ops.ts. */
import { offsetOf, type WasmBackendInternals } from "../module";
import { callConvKernel, depthwiseInfo, requireFloat32, size, type ConvAttrs, type Info, type KernelArgs, type KernelDef } from "./kernel-utils";

export const DEPTHWISE_GRAD_KERNEL = "PslDepthwiseGrad";

/** Both depthwise gradients (multiplier 1) in one pass: inputs x, filter, dy → [dx, dfilter]. */
function depthwiseGrad({ inputs, backend: b, attrs }: KernelArgs): Info[] {
  const backend = b as WasmBackendInternals;
  const { x, filter, dy } = inputs;
  requireFloat32(DEPTHWISE_GRAD_KERNEL, x, filter, dy);
  const info = depthwiseInfo(x.shape, filter.shape, attrs as unknown as ConvAttrs);
  const dx = backend.makeOutput(x.shape, "float32");
  const dfilter = backend.makeOutput(filter.shape, "float32");
  callConvKernel(backend, info, x.shape[3], size(filter.shape), (k, g, part, acc) =>
    k.dw_backward(offsetOf(backend, x), offsetOf(backend, filter), offsetOf(backend, dy), offsetOf(backend, dx), offsetOf(backend, dfilter), g, part, acc));
  return [dx, dfilter];
}

export const depthwiseGradConfig: KernelDef = { kernelName: DEPTHWISE_GRAD_KERNEL, kernelFunc: depthwiseGrad };
