/**
 * Depthwise gradients with channel multiplier > 1 (not used by the kit's models; kept so the standard op is
 * differentiable for any filter): plain loops on heap views.
 */
import type * as tf from "@tensorflow/tfjs";
import { offsetOf, f32View, type WasmBackendInternals } from "../module";
import { size, type Info } from "./kernel-utils";

/** dx (`want` "input") or dfilter ("filter") of a depthwise convolution with any channel multiplier. */
export function depthwiseGradGeneric(
  backend: WasmBackendInternals, info: tf.backend_util.Conv2DInfo, x: Info | null, filter: Info | null, dy: Info, want: "input" | "filter",
): Info {
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, filterHeight: KH, filterWidth: KW } = info;
  const mult = info.outChannels / C;
  const out = backend.makeOutput(want === "input" ? [N, H, W, C] : [KH, KW, C, mult], "float32");
  const o = f32View(backend, offsetOf(backend, out), want === "input" ? N * H * W * C : KH * KW * C * mult);
  o.fill(0);
  const g = f32View(backend, offsetOf(backend, dy), size(dy.shape));
  const xv = x ? f32View(backend, offsetOf(backend, x), size(x.shape)) : null;
  const fv = filter ? f32View(backend, offsetOf(backend, filter), size(filter.shape)) : null;
  for (let n = 0; n < N; n++)
    for (let oh = 0; oh < OH; oh++)
      for (let ow = 0; ow < OW; ow++)
        for (let kh = 0; kh < KH; kh++) {
          const ih = oh * info.strideHeight - info.padInfo.top + kh * info.dilationHeight;
          if (ih < 0 || ih >= H) continue;
          for (let kw = 0; kw < KW; kw++) {
            const iw = ow * info.strideWidth - info.padInfo.left + kw * info.dilationWidth;
            if (iw < 0 || iw >= W) continue;
            for (let c = 0; c < C; c++)
              for (let q = 0; q < mult; q++) {
                const gv = g[((n * OH + oh) * OW + ow) * C * mult + c * mult + q];
                const xi = ((n * H + ih) * W + iw) * C + c;
                const fi = ((kh * KW + kw) * C + c) * mult + q;
                if (want === "input") o[xi] += gv * fv![fi];
                else o[fi] += gv * xv![xi];
              }
          }
        }
  return out;
}
