/**
 * The PSL MobileNetV2 (reference `MobileNetV2_DM`, front-end excluded) as explicit tf.Variables.
 *
 * Variables are keyed by their PyTorch state-dict names so checkpoints, the PyTorch importer and the engine's
 * optimizer all speak the same names. The network is written only with the block functions of lib/nn/ops
 * (convBn, depthwiseConvBn, pointwiseConvBn) plus plain tfjs ops for the head: the engine swaps in fast kernels
 * there without this file changing.
 *
 * Input: log-mel [N, T, 64] (time-major, as the front-end produces it) → NHWC [N, 64 (freq), T, 1], i.e. the
 * reference's `b 1 f t` with channels last. Output: clip probabilities [N, C] = mean over frames of the frame
 * probabilities [N, T', C], T' = ceil(T / 32) (five stride-2 stages).
 */
import * as tf from "@tensorflow/tfjs";
import { UserError } from "../errors";
import { N_MELS } from "../audio/frontend";
import { convBn, depthwiseConvBn, pointwiseConvBn, type BatchNormVars } from "../nn/ops";
import { CLASSIFIER_DROPOUT, modelPlan, tensorSpecs, type ConvBnLayer, type ModelConfig, type ModelPlan, type TensorSpec } from "./config";
import { initialValues } from "./init";

export interface ForwardOptions {
  /** Training mode: BN batch statistics (running stats updated in place) and dropout. */
  training: boolean;
  /**
   * Seed of the dropout mask (training only); unseeded when absent. An array gives one seed per item: each item's
   * mask then depends only on its own seed, not on which other items share the batch (data-parallel shards).
   */
  dropoutSeed?: number | readonly number[];
}

export interface ForwardOutput {
  /** Clip probabilities [N, numClasses]: mean of the frame probabilities. */
  clip: tf.Tensor2D;
  /** Frame probabilities [N, T', numClasses]. */
  frames: tf.Tensor3D;
}

export interface MobileNetV2 {
  readonly config: ModelConfig;
  readonly plan: ModelPlan;
  /** Tensor specs in state-dict order (shapes in kit and PyTorch layouts). */
  readonly specs: readonly TensorSpec[];
  /** All tensors by PyTorch key: trainable weights + BN running statistics (num_batches_tracked is not kept). */
  readonly variables: Map<string, tf.Variable>;
  /** The trainable variables in a stable order (state-dict order). */
  trainableVariables(): tf.Variable[];
  /** The BatchNorm variables of one BN layer (`bnKey` as in ConvBnLayer). */
  batchNorm(bnKey: string): BatchNormVars;
  forward(input: tf.Tensor3D, opts: ForwardOptions): ForwardOutput;
  /** Overwrites weights from kit-layout arrays keyed by PyTorch key; every key must be present with the right size. */
  setWeights(values: Map<string, Float32Array>): void;
  /** Copies every variable out (kit layout), keyed by PyTorch key. */
  getWeights(): Map<string, Float32Array>;
  dispose(): void;
}

/** tf.dropout, or with one seed per item the same mask rule (floor(u + keep) / keep) drawn item by item. */
function dropout(x: tf.Tensor3D, seed: number | readonly number[] | undefined): tf.Tensor3D {
  if (typeof seed !== "object") return tf.dropout(x, CLASSIFIER_DROPOUT, undefined, seed) as tf.Tensor3D;
  const [n, frames, channels] = x.shape;
  if (seed.length !== n) throw new Error(`MobileNetV2.forward: ${seed.length} dropout seeds for a batch of ${n}`);
  const keep = 1 - CLASSIFIER_DROPOUT;
  const uniform = tf.concat(seed.map((s) => tf.randomUniform([1, frames, channels], 0, 1, "float32", s)), 0);
  return tf.mul(x, tf.div(tf.floor(tf.add(uniform, keep)), keep));
}

let instanceCounter = 0;

/** A fresh model with the reference initialisation, deterministic in `seed` (same seed → identical weights). */
export function createMobileNetV2(config: Partial<ModelConfig> = {}, seed = 0): MobileNetV2 {
  const plan = modelPlan(config);
  return buildModel(plan, initialValues(tensorSpecs(plan), seed));
}

/** A model whose tensors take the given kit-layout values (used by checkpoint loading and PyTorch import). */
export function createMobileNetV2FromWeights(config: Partial<ModelConfig>, values: Map<string, Float32Array>): MobileNetV2 {
  const plan = modelPlan(config);
  checkValues(tensorSpecs(plan), values);
  return buildModel(plan, values);
}

function checkValues(specs: readonly TensorSpec[], values: Map<string, Float32Array>): void {
  for (const spec of specs) {
    const value = values.get(spec.key);
    const size = spec.shape.reduce((a, b) => a * b, 1);
    if (!value) throw new UserError(`model weights: missing tensor "${spec.key}"`);
    if (value.length !== size) throw new UserError(`model weights: tensor "${spec.key}" has ${value.length} values, expected ${size} (shape [${spec.shape}])`);
  }
}

function buildModel(plan: ModelPlan, values: Map<string, Float32Array>): MobileNetV2 {
  instanceCounter += 1;
  // tfjs keeps a global registry of variable names: prefix with an instance id so several models can coexist.
  const prefix = `mobilenetv2_${instanceCounter}`;
  const specs = tensorSpecs(plan);
  const variables = new Map<string, tf.Variable>();
  for (const spec of specs) {
    const value = values.get(spec.key)!;
    // tidy disposes the temporary tensor; the variable keeps its own reference to the data.
    variables.set(spec.key, tf.tidy(() => tf.variable(tf.tensor(value, spec.shape, "float32"), spec.trainable, `${prefix}/${spec.key}`)));
  }
  const trainable = specs.filter((s) => s.trainable).map((s) => variables.get(s.key)!);
  const bnCache = new Map<string, BatchNormVars>();
  const batchNormVars = (bnKey: string): BatchNormVars => {
    let bn = bnCache.get(bnKey);
    if (!bn) {
      const get = (name: string) => {
        const v = variables.get(`${bnKey}.${name}`);
        if (!v) throw new Error(`no BatchNorm "${bnKey}" in this model`);
        return v as tf.Variable<tf.Rank.R1>;
      };
      bn = { gamma: get("weight"), beta: get("bias"), runningMean: get("running_mean"), runningVar: get("running_var") };
      bnCache.set(bnKey, bn);
    }
    return bn;
  };
  const weight = (layer: ConvBnLayer) => variables.get(`${layer.convKey}.weight`)!;
  const classifierWeight = variables.get(`${plan.classifierKey}.weight`)! as tf.Variable<tf.Rank.R2>;
  const classifierBias = variables.get(`${plan.classifierKey}.bias`)! as tf.Variable<tf.Rank.R1>;
  let disposed = false;

  const applyLayer = (x: tf.Tensor4D, layer: ConvBnLayer, training: boolean): tf.Tensor4D => {
    const bn = batchNormVars(layer.bnKey);
    const w = weight(layer);
    if (layer.kind === "full") return convBn(x, w as tf.Tensor4D, bn, { stride: layer.stride, relu6: layer.relu6, training });
    if (layer.kind === "depthwise") return depthwiseConvBn(x, w as tf.Tensor4D, bn, { stride: layer.stride, relu6: layer.relu6, training });
    return pointwiseConvBn(x, w as tf.Tensor2D, bn, { relu6: layer.relu6, training });
  };

  const forward = (input: tf.Tensor3D, opts: ForwardOptions): ForwardOutput => {
    if (disposed) throw new Error("MobileNetV2.forward: the model was disposed");
    if (input.rank !== 3 || input.shape[2] !== N_MELS || input.shape[0] < 1 || input.shape[1] < 1) {
      throw new UserError(`MobileNetV2.forward: expected a log-mel batch [N, T, ${N_MELS}] with N, T ≥ 1, got [${input.shape}]`);
    }
    return tf.tidy(() => {
      // [N, T, F] → [N, F, T, 1]: frequency is the image height, time the width (reference: 'b f t -> b 1 f t').
      let x = tf.expandDims(tf.transpose(input, [0, 2, 1]), 3) as tf.Tensor4D;
      for (const block of plan.blocks) {
        const blockInput = x;
        for (const layer of block.layers) x = applyLayer(x, layer, opts.training);
        if (block.residual) x = tf.add(blockInput, x);
      }
      // AdaptiveAvgPool2d((1, None)): mean over the remaining frequency rows → one feature vector per frame.
      let perFrame = tf.mean(x, 1) as tf.Tensor3D; // [N, T', C]
      const [n, frames, channels] = perFrame.shape;
      if (opts.training) perFrame = dropout(perFrame, opts.dropoutSeed);
      const logits = tf.add(tf.matMul(tf.reshape(perFrame, [n * frames, channels]), classifierWeight), classifierBias);
      const frameProbs = tf.reshape(tf.sigmoid(logits), [n, frames, plan.config.numClasses]) as tf.Tensor3D;
      return { clip: tf.mean(frameProbs, 1) as tf.Tensor2D, frames: frameProbs };
    });
  };

  return {
    config: plan.config,
    plan,
    specs,
    variables,
    trainableVariables: () => trainable.slice(),
    batchNorm: batchNormVars,
    forward,
    setWeights(newValues) {
      checkValues(specs, newValues);
      for (const spec of specs) tf.tidy(() => variables.get(spec.key)!.assign(tf.tensor(newValues.get(spec.key)!, spec.shape, "float32")));
    },
    getWeights() {
      const out = new Map<string, Float32Array>();
      for (const spec of specs) out.set(spec.key, variables.get(spec.key)!.dataSync() as Float32Array);
      return out;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const v of variables.values()) v.dispose();
    },
  };
}
