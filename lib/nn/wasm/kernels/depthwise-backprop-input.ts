/** DepthwiseConv2dNativeBackpropInput (missing from tfjs-backend-wasm 4.22): dx of a depthwise convolution. */
import { offsetOf } from "../module";
import { depthwiseGradGeneric } from "./depthwise-grad-generic";
import { callConvKernel, convGradArgs, depthwiseInfo, type Info, type KernelArgs, type KernelDef } from "./kernel-utils";

function depthwiseBackpropInput(args: KernelArgs): Info {
  const { dy, filter } = args.inputs;
  const { backend, a } = convGradArgs<{ inputShape: number[] }>("DepthwiseConv2dNativeBackpropInput", args, dy, filter);
  const info = depthwiseInfo(a.inputShape, filter.shape, a);
  if (filter.shape[3] !== 1) return depthwiseGradGeneric(backend, info, null, filter, dy, "input");
  const dx = backend.makeOutput(a.inputShape, "float32");
  callConvKernel(backend, info, a.inputShape[3], 0, (k, g) => k.dw_backward(0, offsetOf(backend, filter), offsetOf(backend, dy), offsetOf(backend, dx), 0, g, 0, 0));
  return dx;
}

export const depthwiseBackpropInputConfig: KernelDef = { kernelName: "DepthwiseConv2dNativeBackpropInput", kernelFunc: depthwiseBackpropInput };
