/** DepthwiseConv2dNativeBackpropInput (missing from tfjs-backend-wasm 4.22): dx of a depthwise convolution. */
import { kernelsFor, offsetOf, Scratch, type WasmBackendInternals } from "../module";
import { depthwiseGradGeneric } from "./depthwise-grad-generic";
import { channelsLast, depthwiseInfo, geometry, requireFloat32, type ConvAttrs, type Info, type KernelArgs, type KernelDef } from "./kernel-utils";

function depthwiseBackpropInput({ inputs, backend: b, attrs }: KernelArgs): Info {
  const backend = b as WasmBackendInternals;
  const { dy, filter } = inputs;
  const a = attrs as unknown as ConvAttrs & { inputShape: number[] };
  channelsLast("DepthwiseConv2dNativeBackpropInput", a.dataFormat);
  requireFloat32("DepthwiseConv2dNativeBackpropInput", dy, filter);
  const info = depthwiseInfo(a.inputShape, filter.shape, a);
  if (filter.shape[3] !== 1) return depthwiseGradGeneric(backend, info, null, filter, dy, "input");
  const dx = backend.makeOutput(a.inputShape, "float32");
  const s = new Scratch(backend);
  const g = s.i32(geometry(info, a.inputShape[3]));
  try {
    kernelsFor(backend).dw_backward(0, offsetOf(backend, filter), offsetOf(backend, dy), offsetOf(backend, dx), 0, g, 0, 0);
  } finally {
    s.free();
  }
  return dx;
}

export const depthwiseBackpropInputConfig: KernelDef = { kernelName: "DepthwiseConv2dNativeBackpropInput", kernelFunc: depthwiseBackpropInput };
