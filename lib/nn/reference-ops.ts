/**
 * Reference implementation of the MobileNetV2 building blocks (NHWC), from standard tfjs ops only.
 *
 * lib/nn/ops.ts dispatches to these on backends without the engine's fused kernels (cpu, tensorflow)
 * and the tests compare the fused paths against them (values, gradients, running-statistic updates).
 *
 * Weight layouts (tfjs-friendly; the PyTorch importer converts):
 *   full conv   [kh, kw, cin, cout]
 *   depthwise   [kh, kw, channels, 1]
 *   pointwise   [cin, cout]
 */
import * as tf from "@tensorflow/tfjs";

import { BN_EPSILON, BN_MOMENTUM, type BatchNormVars, type ConvBnOptions } from "./bn-types";

/** Symmetric zero padding of (k - 1) / 2 on height and width, as PyTorch's `padding=(k-1)//2`. */
export function torchPad(kernelSize: number): [[number, number], [number, number], [number, number], [number, number]] {
  const p = (kernelSize - 1) / 2;
  return [[0, 0], [p, p], [p, p], [0, 0]];
}

/**
 * BatchNorm2d over N, H, W per channel, optionally followed by ReLU6.
 * Training: normalise with the biased batch variance; update running mean/var with momentum 0.1 and the
 * unbiased variance (PyTorch's behaviour; `assign` is not taped, so no gradient flows into the running stats).
 * Inference: running statistics.
 */
export function batchNorm(x: tf.Tensor4D, bn: BatchNormVars, relu6: boolean, training: boolean): tf.Tensor4D {
  return tf.tidy(() => {
    let mean: tf.Tensor1D;
    let variance: tf.Tensor1D;
    if (training) {
      const moments = tf.moments(x, [0, 1, 2]);
      mean = moments.mean as tf.Tensor1D;
      variance = moments.variance as tf.Tensor1D;
      const count = x.shape[0] * x.shape[1] * x.shape[2];
      const unbiased = count > 1 ? tf.mul(variance, count / (count - 1)) : variance;
      bn.runningMean.assign(tf.add(tf.mul(bn.runningMean, 1 - BN_MOMENTUM), tf.mul(mean, BN_MOMENTUM)));
      bn.runningVar.assign(tf.add(tf.mul(bn.runningVar, 1 - BN_MOMENTUM), tf.mul(unbiased, BN_MOMENTUM)));
    } else {
      mean = bn.runningMean;
      variance = bn.runningVar;
    }
    const y = tf.batchNorm(x, mean, variance, bn.beta, bn.gamma, BN_EPSILON) as tf.Tensor4D;
    return relu6 ? (tf.relu6(y) as tf.Tensor4D) : y;
  });
}

/** Full k x k convolution with PyTorch's padding (no BatchNorm). */
export function fullConv(x: tf.Tensor4D, weight: tf.Tensor4D, stride: 1 | 2): tf.Tensor4D {
  return tf.conv2d(x, weight, stride, torchPad(weight.shape[0]));
}

/** Depthwise k x k convolution with PyTorch's padding (no BatchNorm). */
export function depthwiseConv(x: tf.Tensor4D, weight: tf.Tensor4D, stride: 1 | 2): tf.Tensor4D {
  return tf.depthwiseConv2d(tf.pad(x, torchPad(weight.shape[0])), weight, stride, "valid");
}

/** 1x1 convolution written as a matrix product over all N*H*W positions (no BatchNorm). */
export function pointwiseConv(x: tf.Tensor4D, weight: tf.Tensor2D): tf.Tensor4D {
  const [n, h, w, cin] = x.shape;
  return tf.matMul(tf.reshape(x, [n * h * w, cin]), weight).reshape([n, h, w, weight.shape[1]]) as tf.Tensor4D;
}

/** Full 3x3 (or k x k) convolution + BatchNorm (+ ReLU6); used by the stem. */
export function convBn(x: tf.Tensor4D, weight: tf.Tensor4D, bn: BatchNormVars, opts: ConvBnOptions): tf.Tensor4D {
  return tf.tidy(() => batchNorm(fullConv(x, weight, opts.stride), bn, opts.relu6, opts.training));
}

/** Depthwise k x k convolution (one filter per channel) + BatchNorm (+ ReLU6). */
export function depthwiseConvBn(x: tf.Tensor4D, weight: tf.Tensor4D, bn: BatchNormVars, opts: ConvBnOptions): tf.Tensor4D {
  return tf.tidy(() => batchNorm(depthwiseConv(x, weight, opts.stride), bn, opts.relu6, opts.training));
}

/** 1x1 convolution written as a matrix product over all N*H*W positions, + BatchNorm (+ ReLU6). */
export function pointwiseConvBn(x: tf.Tensor4D, weight: tf.Tensor2D, bn: BatchNormVars, opts: Omit<ConvBnOptions, "stride">): tf.Tensor4D {
  return tf.tidy(() => batchNorm(pointwiseConv(x, weight), bn, opts.relu6, opts.training));
}
