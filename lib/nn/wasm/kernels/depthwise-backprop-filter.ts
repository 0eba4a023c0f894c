/** DepthwiseConv2dNativeBackpropFilter (missing from tfjs-backend-wasm 4.22): dfilter of a depthwise convolution. */
import { kernelsFor, offsetOf, Scratch, type WasmBackendInternals } from "../module";
import { depthwiseGradGeneric } from "./depthwise-grad-generic";
import { channelsLast, depthwiseInfo, geometry, requireFloat32, size, type ConvAttrs, type Info, type KernelArgs, type KernelDef } from "./kernel-utils";

function depthwiseBackpropFilter({ inputs, backend: b, attrs }: KernelArgs): Info {
  const backend = b as WasmBackendInternals;
  const { x, dy } = inputs;
  const a = attrs as unknown as ConvAttrs & { filterShape: number[] };
  channelsLast("DepthwiseConv2dNativeBackpropFilter", a.dataFormat);
  requireFloat32("DepthwiseConv2dNativeBackpropFilter", x, dy);
  const info = depthwiseInfo(x.shape, a.filterShape, a);
  if (a.filterShape[3] !== 1) return depthwiseGradGeneric(backend, info, x, null, dy, "filter");
  const dfilter = backend.makeOutput(a.filterShape, "float32");
  const F = size(a.filterShape);
  const s = new Scratch(backend);
  const g = s.i32(geometry(info, x.shape[3]));
  const part = s.f32(F), acc = s.f64(F);
  try {
    kernelsFor(backend).dw_backward(offsetOf(backend, x), 0, offsetOf(backend, dy), 0, offsetOf(backend, dfilter), g, part, acc);
  } finally {
    s.free();
  }
  return dfilter;
}

export const depthwiseBackpropFilterConfig: KernelDef = { kernelName: "DepthwiseConv2dNativeBackpropFilter", kernelFunc: depthwiseBackpropFilter };
