/** DepthwiseConv2dNativeBackpropFilter (missing from tfjs-backend-wasm 4.22): dfilter of a depthwise convolution. */
import { offsetOf } from "../module";
import { depthwiseGradGeneric } from "./depthwise-grad-generic";
import { callConvKernel, convGradArgs, depthwiseInfo, size, type Info, type KernelArgs, type KernelDef } from "./kernel-utils";

function depthwiseBackpropFilter(args: KernelArgs): Info {
  const { x, dy } = args.inputs;
  const { backend, a } = convGradArgs<{ filterShape: number[] }>("DepthwiseConv2dNativeBackpropFilter", args, x, dy);
  const info = depthwiseInfo(x.shape, a.filterShape, a);
  if (a.filterShape[3] !== 1) return depthwiseGradGeneric(backend, info, x, null, dy, "filter");
  const dfilter = backend.makeOutput(a.filterShape, "float32");
  callConvKernel(backend, info, x.shape[3], size(a.filterShape), (k, g, part, acc) =>
    k.dw_backward(offsetOf(backend, x), 0, offsetOf(backend, dy), 0, offsetOf(backend, dfilter), g, part, acc));
  return dfilter;
}

export const depthwiseBackpropFilterConfig: KernelDef = { kernelName: "DepthwiseConv2dNativeBackpropFilter", kernelFunc: depthwiseBackpropFilter };
