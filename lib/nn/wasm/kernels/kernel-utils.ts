/** What every wasm kernel file shares: the kernel-function signature, dtype/layout checks, conv geometry. */
import * as tf from "@tensorflow/tfjs";

export type Info = tf.TensorInfo;

export interface KernelArgs {
  inputs: Record<string, Info>;
  backend: unknown;
  attrs?: Record<string, unknown>;
}

/** One kernel for the registration list (register.ts): its tfjs name and its function. */
export interface KernelDef {
  kernelName: string;
  kernelFunc: (args: KernelArgs) => Info | Info[];
}

export const size = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

export function requireFloat32(kernel: string, ...infos: Info[]): void {
  for (const t of infos) if (t.dtype !== "float32") throw new Error(`${kernel} on wasm supports float32 only (got ${t.dtype})`);
}

export function channelsLast(kernel: string, dataFormat: unknown): void {
  if (dataFormat !== undefined && dataFormat !== "NHWC" && dataFormat !== "channelsLast") {
    throw new Error(`${kernel} on wasm supports NHWC only (got ${String(dataFormat)})`);
  }
}

/** The 14-int geometry block the C kernels take: N,H,W,C,OH,OW,KH,KW,SH,SW,PT,PL,DH,DW. */
export function geometry(info: tf.backend_util.Conv2DInfo, channels: number): number[] {
  return [
    info.batchSize, info.inHeight, info.inWidth, channels, info.outHeight, info.outWidth,
    info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth,
    info.padInfo.top, info.padInfo.left, info.dilationHeight, info.dilationWidth,
  ];
}

export interface ConvAttrs {
  strides: number | [number, number];
  pad: "valid" | "same" | number | tf.backend_util.ExplicitPadding;
  dilations?: number | [number, number];
  dimRoundingMode?: "floor" | "round" | "ceil";
  dataFormat?: string;
}

export function depthwiseInfo(xShape: number[], filterShape: number[], a: ConvAttrs): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number], filterShape as [number, number, number, number],
    a.strides, a.dilations ?? 1, a.pad, a.dimRoundingMode, true,
  );
}
