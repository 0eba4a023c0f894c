/**
 * k×k convolutions whose every output channel reads ONE input channel, on the GPU: the depthwise convolution
 * (channel c reads channel c) and the stem's convolution of the one-channel log-mel (every channel reads channel 0).
 *
 * Forward: one thread per output value, zero padding folded into the index arithmetic (no padded copy), optional
 * bias + ReLU6 (inference with BatchNorm folded in). Backward, one pass over the data + a small reduction:
 * threads tile [channels × rows] like the BatchNorm kernels; each thread computes dx for its input positions and
 * accumulates the k² filter-gradient taps of the same-numbered output positions, the lanes' taps are summed in
 * workgroup memory and written as partials per row block, and a second dispatch adds the partials up (a fixed
 * order: deterministic). tfjs's own DepthwiseConv2dNativeBackpropFilter gives each filter value ONE thread that
 * loops over every position of the batch — 270 ms a step on an H200, most of the measured GPU time.
 */
import * as tf from "@tensorflow/tfjs";
import type { WebGpuBackendInternals } from "./gpu-types";
import { allocate, dispatch, type KernelSource } from "./runtime";
import { channelTiling, TILE_UNIFORM, TILE_WGSL, tileShift, WORKGROUP } from "./tiling";

/** Stem convolution of a one-channel input: inputs x [N,H,W,1], filter [KH,KW,1,C] → y [N,OH,OW,C]. */
export const GPU_CONV_CIN1_KERNEL = "PslGpuConvCin1";
/** Its filter gradient: inputs x, dy → dfilter [KH,KW,1,C] (the input is data: no input gradient). */
export const GPU_CONV_CIN1_FILTER_GRAD_KERNEL = "PslGpuConvCin1FilterGrad";

type Info = tf.TensorInfo;
const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

interface ConvAttrs {
  strides: number | [number, number];
  pad: "valid" | "same" | number | tf.backend_util.ExplicitPadding;
  dilations?: number | [number, number];
  relu6?: boolean;
}

interface Geometry {
  N: number; H: number; W: number; C: number; OH: number; OW: number; KH: number; KW: number;
  SH: number; SW: number; PT: number; PL: number;
}

function geometry(xShape: number[], filterShape: number[], attrs: ConvAttrs, depthwise: boolean): Geometry {
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number], filterShape as [number, number, number, number], attrs.strides, attrs.dilations ?? 1, attrs.pad, undefined, depthwise,
  );
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) throw new Error("the GPU depthwise kernels support dilation 1 only");
  return {
    N: info.batchSize, H: info.inHeight, W: info.inWidth, C: info.outChannels, OH: info.outHeight, OW: info.outWidth,
    KH: info.filterHeight, KW: info.filterWidth, SH: info.strideHeight, SW: info.strideWidth, PT: info.padInfo.top, PL: info.padInfo.left,
  };
}

/** Filters up to 3×3 (the model's): the backward kernel keeps one accumulator per tap in registers. */
const MAX_TAPS = 9;

/** Geometry, then `cin1` (1: every channel reads input channel 0, the stem) and `relu6`. */
const geometryUniforms = ["N", "H", "W", "C", "OH", "OW", "KH", "KW", "SH", "SW", "PT", "PL", "cin1", "relu6"].map((name) => ({ name, type: "u32" as const }));
const geometryValues = (g: Geometry, cin1: boolean, relu6: boolean) => [g.N, g.H, g.W, g.C, g.OH, g.OW, g.KH, g.KW, g.SH, g.SW, g.PT, g.PL, cin1 ? 1 : 0, relu6 ? 1 : 0];

/** WGSL: the input index of tap (kh, kw) for output position (n, oh, ow) → `inside` and `xi`. */
const TAP = `
      let ih = i32(oh * params.SH + kh) - i32(params.PT);
      let iw = i32(ow * params.SW + kw) - i32(params.PL);
      let inside = ih >= 0 && ih < i32(params.H) && iw >= 0 && iw < i32(params.W);
      let xi = ((n * params.H + u32(max(ih, 0))) * params.W + u32(max(iw, 0))) * select(params.C, 1u, params.cin1 != 0u) + select(c, 0u, params.cin1 != 0u);`;

function forwardSource(bias: boolean): KernelSource {
  return {
    key: `conv1ch-fwd-${bias}`,
    bindings: [
      { name: "x", access: "read" }, { name: "weights", access: "read" }, ...(bias ? [{ name: "bias", access: "read" as const }] : []),
      { name: "y", access: "read_write" },
    ],
    uniforms: [...geometryUniforms, { name: "total", type: "u32" }],
    workgroupSize: WORKGROUP,
    body: `
  let i = workgroupIndex(wid, nwg) * ${WORKGROUP}u + lid.x;
  if (i >= params.total) { return; }
  let c = i % params.C;
  let p = i / params.C;
  let ow = p % params.OW;
  let q = p / params.OW;
  let oh = q % params.OH;
  let n = q / params.OH;
  var acc = ${bias ? "bias[c]" : "0.0"};
  for (var kh = 0u; kh < params.KH; kh = kh + 1u) {
    for (var kw = 0u; kw < params.KW; kw = kw + 1u) {
      ${TAP}
      if (inside) { acc = acc + x[xi] * weights[(kh * params.KW + kw) * params.C + c]; }
    }
  }
  if (params.relu6 != 0u) { acc = clamp(acc, 0.0, 6.0); }
  y[i] = acc;`,
  };
}

const backwardSource: KernelSource = {
  key: "conv1ch-bwd",
  bindings: [
    { name: "x", access: "read" }, { name: "weights", access: "read" }, { name: "dy", access: "read" },
    { name: "dx", access: "read_write" }, { name: "partials", access: "read_write" },
  ],
  uniforms: [...geometryUniforms, { name: "rows", type: "u32" }, { name: "rowsPerBlock", type: "u32" }, TILE_UNIFORM],
  workgroupSize: WORKGROUP,
  prelude: `const MAX_TAPS: u32 = ${MAX_TAPS}u;
var<workgroup> sums: array<f32, ${WORKGROUP * MAX_TAPS}>;`,
  body: `
  let C = params.C;
  ${TILE_WGSL}
  let taps = params.KH * params.KW;
  var part: array<f32, MAX_TAPS>;
  var w: array<f32, MAX_TAPS>;
  if (c < C) {
    for (var k = 0u; k < taps; k = k + 1u) { w[k] = weights[k * C + c]; }
    let rowsIn = params.N * params.H * params.W;
    let rowsOut = params.N * params.OH * params.OW;
    let end = min(params.rows, (wid.y + 1u) * params.rowsPerBlock);
    for (var r = wid.y * params.rowsPerBlock + lane; r < end; r = r + lanes) {
      if (params.cin1 == 0u && r < rowsIn) {
        // dx at input position r: every output position whose window covers it.
        let iw = i32(r % params.W);
        let ih = i32((r / params.W) % params.H);
        let nIn = r / (params.W * params.H);
        var s = 0.0;
        for (var kh = 0u; kh < params.KH; kh = kh + 1u) {
          let ohs = ih + i32(params.PT) - i32(kh);
          if (ohs < 0 || ohs % i32(params.SH) != 0) { continue; }
          let oh = u32(ohs) / params.SH;
          if (oh >= params.OH) { continue; }
          for (var kw = 0u; kw < params.KW; kw = kw + 1u) {
            let ows = iw + i32(params.PL) - i32(kw);
            if (ows < 0 || ows % i32(params.SW) != 0) { continue; }
            let ow = u32(ows) / params.SW;
            if (ow >= params.OW) { continue; }
            s = s + dy[((nIn * params.OH + oh) * params.OW + ow) * C + c] * w[kh * params.KW + kw];
          }
        }
        dx[r * C + c] = s;
      }
      if (r < rowsOut) {
        // Filter-gradient taps of output position r.
        let ow = r % params.OW;
        let oh = (r / params.OW) % params.OH;
        let n = r / (params.OW * params.OH);
        let gv = dy[r * C + c];
        for (var kh = 0u; kh < params.KH; kh = kh + 1u) {
          for (var kw = 0u; kw < params.KW; kw = kw + 1u) {
            ${TAP}
            if (inside) { part[kh * params.KW + kw] = part[kh * params.KW + kw] + gv * x[xi]; }
          }
        }
      }
    }
  }
  for (var k = 0u; k < MAX_TAPS; k = k + 1u) { sums[k * ${WORKGROUP}u + lid.x] = part[k]; }
  workgroupBarrier();
  for (var stride = lanes / 2u; stride > 0u; stride = stride / 2u) {
    if (lane < stride) {
      for (var k = 0u; k < taps; k = k + 1u) {
        sums[k * ${WORKGROUP}u + lid.x] = sums[k * ${WORKGROUP}u + lid.x] + sums[k * ${WORKGROUP}u + lid.x + (stride << params.tileShift)];
      }
    }
    workgroupBarrier();
  }
  if (lane == 0u && c < C) {
    for (var k = 0u; k < taps; k = k + 1u) { partials[(wid.y * taps + k) * C + c] = sums[k * ${WORKGROUP}u + lid.x]; }
  }`,
};

const filterReduceSource: KernelSource = {
  key: "conv1ch-filter-reduce",
  bindings: [{ name: "partials", access: "read" }, { name: "dfilter", access: "read_write" }],
  uniforms: [{ name: "count", type: "u32" }, { name: "blocks", type: "u32" }],
  workgroupSize: WORKGROUP,
  body: `
  let j = workgroupIndex(wid, nwg) * ${WORKGROUP}u + lid.x;
  if (j >= params.count) { return; }
  var s = 0.0;
  for (var p = 0u; p < params.blocks; p = p + 1u) { s = s + partials[p * params.count + j]; }
  dfilter[j] = s;`,
};

interface KernelArgs {
  inputs: Record<string, Info>;
  backend: unknown;
  attrs?: Record<string, unknown>;
}

function forward(backend: WebGpuBackendInternals, x: Info, filter: Info, bias: Info | undefined, attrs: ConvAttrs, cin1: boolean): Info {
  const g = geometry(x.shape, filter.shape, attrs, !cin1);
  const y = allocate(backend, [g.N, g.OH, g.OW, g.C]);
  const total = size(y.shape);
  dispatch(backend, {
    source: forwardSource(Boolean(bias)),
    buffers: bias ? [x, filter, bias, y] : [x, filter, y],
    uniforms: [...geometryValues(g, cin1, Boolean(attrs.relu6)), total],
    workgroups: Math.ceil(total / WORKGROUP),
  });
  return y;
}

/** dx (depthwise only; the stem's input is data) and the filter gradient: one pass + the partials' reduction. */
function backward(backend: WebGpuBackendInternals, x: Info, filter: Info, dy: Info, attrs: ConvAttrs, cin1: boolean): { dx?: Info; dfilter: Info } {
  const g = geometry(x.shape, filter.shape, attrs, !cin1);
  if (g.KH * g.KW > MAX_TAPS) throw new Error(`the GPU depthwise gradient supports filters up to 3×3 (got ${g.KH}×${g.KW})`);
  const rows = cin1 ? g.N * g.OH * g.OW : g.N * g.H * g.W;
  const t = channelTiling(rows, g.C);
  const taps = g.KH * g.KW;
  const partials = allocate(backend, [t.rowBlocks * taps * g.C]);
  // The stem writes no dx: a 4-byte placeholder fills the binding.
  const dx = cin1 ? allocate(backend, [1]) : allocate(backend, x.shape);
  const dfilter = allocate(backend, filter.shape);
  dispatch(backend, {
    source: backwardSource,
    buffers: [x, filter, dy, dx, partials],
    uniforms: [...geometryValues(g, cin1, false), rows, t.rowsPerBlock, tileShift(t)],
    workgroups: [t.channelBlocks, t.rowBlocks],
  });
  dispatch(backend, { source: filterReduceSource, buffers: [partials, dfilter], uniforms: [taps * g.C, t.rowBlocks], workgroups: Math.ceil((taps * g.C) / WORKGROUP) });
  backend.disposeData(partials.dataId);
  if (cin1) {
    backend.disposeData(dx.dataId);
    return { dfilter };
  }
  return { dx, dfilter };
}

/** Depthwise forward (multiplier 1): inputs x, filter [KH,KW,C,1], optional bias [C]; attrs as tf.depthwiseConv2d + relu6. */
export function depthwiseKernel({ inputs, backend, attrs }: KernelArgs): Info {
  if (inputs.filter.shape[3] !== 1) throw new Error("the GPU depthwise kernel needs channel multiplier 1");
  return forward(backend as WebGpuBackendInternals, inputs.x, inputs.filter, inputs.bias, attrs as unknown as ConvAttrs, false);
}

/** Both depthwise gradients (multiplier 1): inputs x, filter, dy → [dx, dfilter]. */
export function depthwiseGradKernel({ inputs, backend, attrs }: KernelArgs): Info[] {
  const { dx, dfilter } = backward(backend as WebGpuBackendInternals, inputs.x, inputs.filter, inputs.dy, attrs as unknown as ConvAttrs, false);
  return [dx!, dfilter];
}

/** The stem: inputs x [N,H,W,1], filter [KH,KW,1,C]; attrs strides, pad, relu6 (optional bias for inference). */
export function convCin1Kernel({ inputs, backend, attrs }: KernelArgs): Info {
  if (inputs.x.shape[3] !== 1 || inputs.filter.shape[2] !== 1) throw new Error(`${GPU_CONV_CIN1_KERNEL}: one input channel only`);
  return forward(backend as WebGpuBackendInternals, inputs.x, inputs.filter, inputs.bias, attrs as unknown as ConvAttrs, true);
}

/** The stem's filter gradient: inputs x, filter (for the shape), dy → dfilter. */
export function convCin1FilterGradKernel({ inputs, backend, attrs }: KernelArgs): Info {
  return backward(backend as WebGpuBackendInternals, inputs.x, inputs.filter, inputs.dy, attrs as unknown as ConvAttrs, true).dfilter;
}
