/**
 * Fast eval-mode inference: BatchNorm folded into the convolutions.
 *
 * In eval mode BatchNorm is a per-channel affine map, so conv → BN → ReLU6 equals conv with weights W·s and
 * bias β − μ·s (s = γ/√(σ² + ε)) followed by ReLU6. Each layer then is ONE fused op: tfjs's fused matMul
 * (XNNPACK, bias + ReLU6) for 1x1 convs, the engine's depthwise kernel with bias + ReLU6 on wasm and webgpu, tfjs's
 * fused conv2d for the stem (the engine's one-channel conv kernel on webgpu, padding folded in). Results equal
 * model.forward(x, {training: false}) to float32 rounding (tested).
 *
 * Layout: the folded model runs on [N, time, mel, C] (time as the image's height) where model.forward runs on
 * [N, mel, time, C]. Every convolution here is square with equal strides and symmetric padding, so swapping the two
 * spatial axes only needs each spatial filter transposed (kh ↔ kw) once at fold time. The input [N, time, mel] then
 * becomes the stem's input by a free reshape instead of a transpose, and the stem reads its padding as explicit
 * conv padding instead of a padded copy: on wasm those two copies of the input cost ~12% of a batch's CPU time.
 *
 * `foldModel` snapshots the weights: fold again after the model's weights change (e.g. after trainer.syncModel()).
 */
import * as tf from "@tensorflow/tfjs";
import { N_MELS } from "../audio/frontend";
import type { ModelConfig } from "../model/config";
import type { MobileNetV2 } from "../model/mobilenetv2";
import { BN_EPSILON } from "../nn/bn-types";
import { torchPad } from "../nn/reference-ops";
import { DEPTHWISE_KERNEL, registerWasmKernels } from "../nn/wasm/register";
import { GPU_CONV_CIN1_KERNEL } from "../nn/webgpu/depthwise";
import { gpuKernelsActive } from "../nn/webgpu/ops";

interface FoldedLayer {
  kind: "full" | "depthwise" | "pointwise";
  stride: 1 | 2;
  relu6: boolean;
  weight: tf.Tensor;
  bias: tf.Tensor1D;
}

export interface Predictions {
  /** Clip probabilities [batchSize, numClasses], row-major. */
  clip: Float32Array;
  /** Frame probabilities [batchSize, frameCount, numClasses], row-major. */
  frames: Float32Array;
  frameCount: number;
}

export interface FoldedModel {
  readonly numClasses: number;
  /** The folded model's configuration (so a FoldedModel serves lib/model's predictClips as a Predictor). */
  readonly config: ModelConfig;
  /**
   * Eval-mode probabilities of a batch of log-mels [batchSize, frames, 64] (row-major), read synchronously: not on the
   * webgpu backend, which cannot read synchronously in Node (use predictAsync there; it works everywhere).
   */
  predict(input: Float32Array, batchSize: number, frames: number): Predictions;
  /** The same, read asynchronously. */
  predictAsync(input: Float32Array, batchSize: number, frames: number): Promise<Predictions>;
  /** The same as tensors (caller disposes): {clip [N, C], frames [N, T', C]}. */
  forward(input: tf.Tensor3D): { clip: tf.Tensor2D; frames: tf.Tensor3D };
  dispose(): void;
}

/** Folds every BatchNorm of `model` (its current running statistics) into the preceding convolution. */
export function foldModel(model: MobileNetV2): FoldedModel {
  const v = (key: string) => {
    const t = model.variables.get(key);
    if (!t) throw new Error(`foldModel: the model has no tensor "${key}"`);
    return t;
  };
  const blocks = model.plan.blocks.map((block) => ({
    residual: block.residual,
    layers: block.layers.map((layer): FoldedLayer => tf.tidy(() => {
      const scale = tf.div(v(`${layer.bnKey}.weight`), tf.sqrt(tf.add(v(`${layer.bnKey}.running_var`), BN_EPSILON)));
      const bias = tf.sub(v(`${layer.bnKey}.bias`), tf.mul(v(`${layer.bnKey}.running_mean`), scale)) as tf.Tensor1D;
      const w = v(`${layer.convKey}.weight`);
      // Output channels are the last axis for full [kh,kw,cin,cout] and pointwise [cin,cout]; the channel axis
      // (2) for depthwise [kh,kw,C,1].
      const scaled = layer.kind === "depthwise" ? tf.mul(w, tf.reshape(scale, [1, 1, -1, 1])) : tf.mul(w, scale);
      // Spatial filters [kh, kw, ·, ·] transposed for the time-major layout (file comment); 1x1 filters have none.
      const weight = layer.kind === "pointwise" ? scaled : tf.transpose(scaled, [1, 0, 2, 3]);
      return { kind: layer.kind, stride: layer.stride, relu6: layer.relu6, weight: tf.keep(weight), bias: tf.keep(bias) };
    })),
  }));
  const classifierWeight = tf.clone(v(`${model.plan.classifierKey}.weight`)) as tf.Tensor2D;
  const classifierBias = tf.clone(v(`${model.plan.classifierKey}.bias`)) as tf.Tensor1D;
  const numClasses = model.config.numClasses;
  let disposed = false;

  const layerForward = (x: tf.Tensor4D, l: FoldedLayer): tf.Tensor4D => {
    const activation = l.relu6 ? "relu6" : "linear";
    if (l.kind === "pointwise") {
      const [n, h, w, cin] = x.shape;
      const y = tf.fused.matMul({ a: tf.reshape(x, [n * h * w, cin]), b: l.weight as tf.Tensor2D, bias: l.bias, activation });
      return tf.reshape(y, [n, h, w, l.weight.shape[1]!]);
    }
    const pad = torchPad(l.weight.shape[0]!);
    const onGpu = gpuKernelsActive();
    if (l.kind === "depthwise" && (tf.getBackend() === "wasm" || onGpu) && l.weight.shape[3] === 1) {
      if (!onGpu) registerWasmKernels();
      return tf.engine().runKernel(DEPTHWISE_KERNEL, { x, filter: l.weight, bias: l.bias }, { strides: l.stride, pad, dilations: 1, relu6: l.relu6 }) as tf.Tensor4D;
    }
    if (l.kind === "full" && onGpu && l.weight.shape[2] === 1) {
      return tf.engine().runKernel(GPU_CONV_CIN1_KERNEL, { x, filter: l.weight, bias: l.bias }, { strides: l.stride, pad, dilations: 1, relu6: l.relu6 }) as tf.Tensor4D;
    }
    if (l.kind === "full") return tf.fused.conv2d({ x, filter: l.weight as tf.Tensor4D, strides: l.stride, pad, bias: l.bias, activation });
    return tf.fused.depthwiseConv2d({ x: tf.pad(x, pad), filter: l.weight as tf.Tensor4D, strides: l.stride, pad: "valid", bias: l.bias, activation });
  };

  const forward = (input: tf.Tensor3D) => {
    if (disposed) throw new Error("FoldedModel: disposed");
    return tf.tidy(() => {
      let x = tf.expandDims(input, 3) as tf.Tensor4D; // [N, time, mel, 1]: see the file comment
      for (const block of blocks) {
        const blockInput = x;
        for (const l of block.layers) x = layerForward(x, l);
        if (block.residual) x = tf.add(blockInput, x);
      }
      const perFrame = tf.mean(x, 2) as tf.Tensor3D; // mean over the remaining mel columns: [N, T', C]
      const [n, t, c] = perFrame.shape;
      const logits = tf.fused.matMul({ a: tf.reshape(perFrame, [n * t, c]), b: classifierWeight, bias: classifierBias });
      const frames = tf.reshape(tf.sigmoid(logits), [n, t, numClasses]) as tf.Tensor3D;
      return { clip: tf.mean(frames, 1) as tf.Tensor2D, frames };
    });
  };

  /** The forward pass of a row-major input batch (outputs left to the caller). */
  const run = (input: Float32Array, batchSize: number, frames: number) => {
    if (input.length !== batchSize * frames * N_MELS) throw new Error(`predict: input has ${input.length} values, expected ${batchSize}*${frames}*${N_MELS}`);
    const x = tf.tensor3d(input, [batchSize, frames, N_MELS]);
    try {
      return forward(x);
    } finally {
      x.dispose();
    }
  };

  return {
    numClasses,
    config: model.config,
    forward,
    predict(input, batchSize, frames) {
      if (tf.getBackend() === "webgpu") throw new Error("FoldedModel.predict reads synchronously, which the webgpu backend cannot do in Node: use predictAsync");
      const out = run(input, batchSize, frames);
      const result = { clip: out.clip.dataSync() as Float32Array, frames: out.frames.dataSync() as Float32Array, frameCount: out.frames.shape[1] };
      tf.dispose([out.clip, out.frames]);
      return result;
    },
    async predictAsync(input, batchSize, frames) {
      const out = run(input, batchSize, frames);
      try {
        const [clip, framesData] = await Promise.all([out.clip.data() as Promise<Float32Array>, out.frames.data() as Promise<Float32Array>]);
        return { clip, frames: framesData, frameCount: out.frames.shape[1] };
      } finally {
        tf.dispose([out.clip, out.frames]);
      }
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const b of blocks) for (const l of b.layers) tf.dispose([l.weight, l.bias]);
      tf.dispose([classifierWeight, classifierBias]);
    },
  };
}

/**
 * `use(folded)` with `model` folded for the call, the fold freed afterwards (also when `use` throws or its promise
 * rejects). Every eval-mode scorer of the pipeline (evaluation, annotation, the online teacher, psl predict) goes
 * through a fold: on wasm model.forward in eval mode costs ~2.6x the folded model's CPU time (BatchNorm as separate
 * whole-tensor ops, no fused bias + ReLU6), and a fold costs about one 10-s clip's inference.
 */
export function withFoldedModel<R>(model: MobileNetV2, use: (folded: FoldedModel) => R): R {
  const folded = foldModel(model);
  let result: R;
  try {
    result = use(folded);
  } catch (error) {
    folded.dispose();
    throw error;
  }
  if (result instanceof Promise) return result.finally(() => folded.dispose()) as R;
  folded.dispose();
  return result;
}

/** One-shot eval-mode prediction (folds, predicts, disposes); for many batches keep a `foldModel` result instead. */
export function predict(model: MobileNetV2, input: Float32Array, batchSize: number, frames: number): Predictions {
  return withFoldedModel(model, (folded) => folded.predict(input, batchSize, frames));
}
