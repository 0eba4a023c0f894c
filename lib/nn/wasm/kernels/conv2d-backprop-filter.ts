/** Conv2DBackpropFilter (missing from tfjs-backend-wasm 4.22): the dense convolution's filter gradient (the stem). */
import * as tf from "@tensorflow/tfjs";
import { kernelsFor, offsetOf, Scratch, type WasmBackendInternals } from "../module";
import { channelsLast, geometry, requireFloat32, size, type ConvAttrs, type Info, type KernelArgs, type KernelDef } from "./kernel-utils";

function conv2DBackpropFilter({ inputs, backend: b, attrs }: KernelArgs): Info {
  const backend = b as WasmBackendInternals;
  const { x, dy } = inputs;
  const a = attrs as unknown as ConvAttrs & { filterShape: number[] };
  channelsLast("Conv2DBackpropFilter", a.dataFormat);
  requireFloat32("Conv2DBackpropFilter", x, dy);
  // tfjs's conv2d gradient passes no dilations here (conv2d only differentiates with dilation 1).
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], a.filterShape as [number, number, number, number],
    a.strides, 1, a.pad, a.dimRoundingMode, false,
  );
  const dfilter = backend.makeOutput(a.filterShape, "float32");
  const F = size(a.filterShape);
  const s = new Scratch(backend);
  const g = s.i32(geometry(info, x.shape[3]));
  const part = s.f32(F), acc = s.f64(F);
  try {
    kernelsFor(backend).conv_filter_grad(offsetOf(backend, x), offsetOf(backend, dy), offsetOf(backend, dfilter), g, a.filterShape[3], part, acc);
  } finally {
    s.free();
  }
  return dfilter;
}

export const conv2DBackpropFilterConfig: KernelDef = { kernelName: "Conv2DBackpropFilter", kernelFunc: conv2DBackpropFilter };
