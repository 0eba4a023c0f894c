/** What every wasm kernel file shares: the kernel-function signature, dtype/layout checks, conv geometry. */
import * as tf from "@tensorflow/tfjs";
import { kernelsFor, Scratch, type KernelExports, type WasmBackendInternals } from "../module";

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

/** The backend and attributes of a standard conv-gradient kernel, after its NHWC / float32 checks. */
export function convGradArgs<A>(kernel: string, { backend, attrs }: KernelArgs, ...tensors: Info[]): { backend: WasmBackendInternals; a: ConvAttrs & A } {
  const a = attrs as unknown as ConvAttrs & A;
  channelsLast(kernel, a.dataFormat);
  requireFloat32(kernel, ...tensors);
  return { backend: backend as WasmBackendInternals, a };
}

/**
 * Calls a C convolution kernel with its 14-int geometry block and, for filter gradients, float32 + float64
 * partial-sum scratch of `filterSize` values each (0: none, pointers 0); the scratch is freed afterwards.
 */
export function callConvKernel(
  backend: WasmBackendInternals, info: tf.backend_util.Conv2DInfo, channels: number, filterSize: number,
  run: (k: KernelExports, geometry: number, part: number, acc: number) => void,
): void {
  const s = new Scratch(backend);
  const g = s.i32(geometry(info, channels));
  const part = filterSize > 0 ? s.f32(filterSize) : 0, acc = filterSize > 0 ? s.f64(filterSize) : 0;
  try {
    run(kernelsFor(backend), g, part, acc);
  } finally {
    s.free();
  }
}
