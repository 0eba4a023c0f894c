/** Conv2DBackpropFilter (missing from tfjs-backend-wasm 4.22): the dense convolution's filter gradient (the stem). */
import * as tf from "@tensorflow/tfjs";
import { offsetOf } from "../module";
import { callConvKernel, convGradArgs, size, type Info, type KernelArgs, type KernelDef } from "./kernel-utils";

function conv2DBackpropFilter(args: KernelArgs): Info {
  const { x, dy } = args.inputs;
  const { backend, a } = convGradArgs<{ filterShape: number[] }>("Conv2DBackpropFilter", args, x, dy);
  // tfjs's conv2d gradient passes no dilations here (conv2d only differentiates with dilation 1).
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], a.filterShape as [number, number, number, number],
    a.strides, 1, a.pad, a.dimRoundingMode, false,
  );
  const dfilter = backend.makeOutput(a.filterShape, "float32");
  callConvKernel(backend, info, x.shape[3], size(a.filterShape), (k, g, part, acc) =>
    k.conv_filter_grad(offsetOf(backend, x), offsetOf(backend, dy), offsetOf(backend, dfilter), g, a.filterShape[3], part, acc));
  return dfilter;
}

export const conv2DBackpropFilterConfig: KernelDef = { kernelName: "Conv2DBackpropFilter", kernelFunc: conv2DBackpropFilter };
