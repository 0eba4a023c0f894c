/**
 * The MobileNetV2 building blocks as differentiable tfjs functions (NHWC layout).
 *
 * The model (lib/model) is written only in terms of these functions, so the engine can replace
 * their implementation per backend without the model changing:
 * - on "wasm", BatchNorm(+ReLU6) in training mode and the depthwise convolution run the engine's fused SIMD
 *   kernels (lib/nn/wasm) with custom gradients: two passes over memory forward and two backward instead of
 *   the dozen tensor-wide ops of the composed version;
 * - on "webgpu", the same ops (and the stem's one-channel convolution) run the engine's WGSL kernels
 *   (lib/nn/webgpu): two dispatches each way instead of a dozen, which is what bounds a GPU training step;
 * - everywhere else (and for everything not listed above) the plain reference (reference-ops.ts), which is
 *   also what the tests hold the fast paths to.
 *
 * Weight layouts (tfjs-friendly; the PyTorch importer converts):
 *   full conv   [kh, kw, cin, cout]
 *   depthwise   [kh, kw, channels, 1]
 *   pointwise   [cin, cout]
 */
import * as tf from "@tensorflow/tfjs";

import { BN_EPSILON, BN_MOMENTUM, type BatchNormVars, type ConvBnOptions } from "./bn-types";
import { kernelConv } from "./kernel-op";
import * as reference from "./reference-ops";
import { activeShardExchange, batchRows, wholeBatchMoments, wholeBatchSums, type ShardExchange } from "./sync-batchnorm";
import { BN_ACT_GRAD_KERNEL, BN_ACT_KERNEL, DEPTHWISE_GRAD_KERNEL, DEPTHWISE_KERNEL, registerWasmKernels } from "./wasm/register";
import * as gpu from "./webgpu/ops";

export { BN_EPSILON, BN_MOMENTUM, type BatchNormVars, type ConvBnOptions };

/** Whether the fused kernels serve the current backend (they are registered lazily the first time). */
function fused(): boolean {
  if (tf.getBackend() !== "wasm" || process.env.PSL_REFERENCE_OPS === "1") return false;
  registerWasmKernels();
  return true;
}

/**
 * y = act(BatchNorm_train(x)) with the batch statistics, as one fused kernel with its own gradient.
 * Also applies PyTorch's running-statistics update (momentum 0.1, unbiased variance) to `bn`.
 */
function fusedBatchNormTrain(x: tf.Tensor4D, bn: BatchNormVars, relu6: boolean): tf.Tensor4D {
  const attrs = { relu6, epsilon: BN_EPSILON };
  const op = tf.customGrad((...args: unknown[]) => {
    const [input, gamma, beta] = args as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D];
    const save = args[3] as tf.GradSaveFunc;
    const [y, mean, variance] = tf.engine().runKernel(BN_ACT_KERNEL, { x: input, gamma, beta }, attrs) as tf.Tensor[];
    const exchange = activeShardExchange();
    const count = exchange ? batchRows(exchange, input.size / input.shape[3]) : input.size / input.shape[3];
    const unbiased = count > 1 ? tf.mul(variance, count / (count - 1)) : variance;
    bn.runningMean.assign(tf.add(tf.mul(bn.runningMean, 1 - BN_MOMENTUM), tf.mul(mean, BN_MOMENTUM)));
    bn.runningVar.assign(tf.add(tf.mul(bn.runningVar, 1 - BN_MOMENTUM), tf.mul(unbiased, BN_MOMENTUM)));
    save([input, gamma, beta, mean, variance]);
    return {
      value: y as tf.Tensor4D,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sg, sb, sm, sv] = saved;
        return tf.engine().runKernel(BN_ACT_GRAD_KERNEL, { dy, x: sx, gamma: sg, beta: sb, mean: sm, variance: sv }, attrs) as tf.Tensor[];
      },
    };
  });
  return op(x, bn.gamma, bn.beta) as tf.Tensor4D;
}

/** Depthwise k x k convolution with PyTorch's symmetric padding (k-1)/2, fused forward and one-pass backward. */
function fusedDepthwise(x: tf.Tensor4D, weight: tf.Tensor4D, stride: number): tf.Tensor4D {
  const attrs = { strides: stride, pad: reference.torchPad(weight.shape[0]), dilations: 1 };
  return kernelConv(x, weight, DEPTHWISE_KERNEL, attrs, (dy, sx, sf) => tf.engine().runKernel(DEPTHWISE_GRAD_KERNEL, { x: sx, filter: sf, dy }, attrs) as tf.Tensor[]);
}

/**
 * BatchNorm2d over N, H, W per channel, optionally followed by ReLU6.
 * Training: normalise with the biased batch variance; update running mean/var with momentum 0.1 and the
 * unbiased variance (PyTorch's behaviour; no gradient flows into the running stats).
 * Inference: running statistics.
 */
export function batchNorm(x: tf.Tensor4D, bn: BatchNormVars, relu6: boolean, training: boolean): tf.Tensor4D {
  if (training && fused()) return fusedBatchNormTrain(x, bn, relu6);
  if (training && gpu.gpuKernelsActive()) return gpu.batchNormTrain(x, bn, relu6);
  const exchange = training ? activeShardExchange() : undefined;
  if (exchange) return syncedBatchNormTrain(x, bn, relu6, exchange);
  return reference.batchNorm(x, bn, relu6, training);
}

/**
 * Training-mode BatchNorm(+ReLU6) with the whole batch's statistics across data-parallel shards, from standard tfjs
 * ops: the path of backends without the fused kernels (cpu, tensorflow) when the trainer runs workers. Same maths as
 * the fused kernels: PyTorch's ReLU6 (hardtanh) derivative, the shards' partial sums exchanged in float64.
 */
function syncedBatchNormTrain(x: tf.Tensor4D, bn: BatchNormVars, relu6: boolean, exchange: ShardExchange): tf.Tensor4D {
  const C = x.shape[3];
  const rows = x.size / C;
  const f64 = (t: tf.Tensor) => Float64Array.from(t.dataSync());
  const op = tf.customGrad((...args: unknown[]) => {
    const [input, gamma, beta] = args as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D];
    const save = args[3] as tf.GradSaveFunc;
    const local = tf.tidy(() => {
      const m = tf.mean(input, [0, 1, 2]);
      return [m, tf.sum(tf.square(tf.sub(input, m)), [0, 1, 2])];
    });
    const whole = wholeBatchMoments(exchange, rows, f64(local[0]), f64(local[1]));
    tf.dispose(local);
    const mean = tf.tensor1d(Float32Array.from(whole.mean));
    const variance = tf.tensor1d(Float32Array.from(whole.variance));
    const unbiased = whole.rows > 1 ? tf.mul(variance, whole.rows / (whole.rows - 1)) : variance;
    bn.runningMean.assign(tf.add(tf.mul(bn.runningMean, 1 - BN_MOMENTUM), tf.mul(mean, BN_MOMENTUM)));
    bn.runningVar.assign(tf.add(tf.mul(bn.runningVar, 1 - BN_MOMENTUM), tf.mul(unbiased, BN_MOMENTUM)));
    const invstd = tf.rsqrt(tf.add(variance, BN_EPSILON));
    const xhat = tf.mul(tf.sub(input, mean), invstd);
    const z = tf.add(tf.mul(xhat, gamma), beta);
    save([xhat, z, gamma, invstd]);
    return {
      value: (relu6 ? tf.clipByValue(z, 0, 6) : z) as tf.Tensor4D,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sxhat, sz, sgamma, sinvstd] = saved;
        const g = relu6 ? tf.mul(dy, tf.cast(tf.logicalAnd(tf.greater(sz, 0), tf.less(sz, 6)), "float32")) : dy;
        const dbeta = tf.sum(g, [0, 1, 2]);
        const dgamma = tf.sum(tf.mul(g, sxhat), [0, 1, 2]);
        const sums = wholeBatchSums(exchange, f64(dbeta), f64(dgamma));
        const n = batchRows(exchange, rows);
        const meanG = tf.tensor1d(Float32Array.from(sums.a, (v) => v / n));
        const meanGxhat = tf.tensor1d(Float32Array.from(sums.b, (v) => v / n));
        const dx = tf.mul(tf.mul(sgamma, sinvstd), tf.sub(tf.sub(g, meanG), tf.mul(sxhat, meanGxhat)));
        return [dx, dgamma, dbeta];
      },
    };
  });
  return op(x, bn.gamma, bn.beta) as tf.Tensor4D;
}

/** Full 3x3 (or k x k) convolution + BatchNorm (+ ReLU6); used by the stem. */
export function convBn(x: tf.Tensor4D, weight: tf.Tensor4D, bn: BatchNormVars, opts: ConvBnOptions): tf.Tensor4D {
  if (weight.shape[2] === 1 && gpu.gpuKernelsActive()) return tf.tidy(() => batchNorm(gpu.convCin1(x, weight, opts.stride), bn, opts.relu6, opts.training));
  if (!fused()) return tf.tidy(() => batchNorm(reference.fullConv(x, weight, opts.stride), bn, opts.relu6, opts.training));
  return tf.tidy(() => {
    // tfjs's conv2d forward (XNNPACK); its filter gradient is the engine's Conv2DBackpropFilter kernel.
    const y = tf.conv2d(tf.pad(x, reference.torchPad(weight.shape[0])), weight, opts.stride, "valid");
    return batchNorm(y, bn, opts.relu6, opts.training);
  });
}

/** Depthwise k x k convolution (one filter per channel) + BatchNorm (+ ReLU6). */
export function depthwiseConvBn(x: tf.Tensor4D, weight: tf.Tensor4D, bn: BatchNormVars, opts: ConvBnOptions): tf.Tensor4D {
  if (!(fused() || gpu.gpuKernelsActive()) || weight.shape[3] !== 1) return tf.tidy(() => batchNorm(reference.depthwiseConv(x, weight, opts.stride), bn, opts.relu6, opts.training));
  return tf.tidy(() => batchNorm(fusedDepthwise(x, weight, opts.stride), bn, opts.relu6, opts.training));
}

/**
 * 1x1 convolution written as a matrix product over all N*H*W positions, + BatchNorm (+ ReLU6).
 * On wasm the product's gradients (dy·Wᵀ, xᵀ·dy) go through the engine's BatchMatMul (fast transposed paths).
 */
export function pointwiseConvBn(x: tf.Tensor4D, weight: tf.Tensor2D, bn: BatchNormVars, opts: Omit<ConvBnOptions, "stride">): tf.Tensor4D {
  return tf.tidy(() => batchNorm(reference.pointwiseConv(x, weight), bn, opts.relu6, opts.training));
}
