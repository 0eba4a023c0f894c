/**
 * The PSL MobileNetV2 architecture as data: which convolutions exist, their shapes and their PyTorch state-dict keys.
 *
 * Everything that needs the architecture without building tensors (parameter counts, checkpoint and PyTorch import
 * validation, layout conversion, the engine's worker copies) reads this plan, so the layer list lives in one place.
 * Channel arithmetic follows the reference `MobileNetV2_DM` exactly: `int(c * widthMult)` (truncation), expansion
 * `inp * t`, and the last channel stays 1280 unless widthMult > 1.
 */
import { UserError } from "../errors";

export interface ModelConfig {
  numClasses: number;
  widthMult: number;
}

export const DEFAULT_MODEL_CONFIG: Readonly<ModelConfig> = Object.freeze({ numClasses: 527, widthMult: 1.0 });

/** (expansion t, output channels c, repeats n, first stride s) of MobileNetV2, as in the paper's model. */
export const INVERTED_RESIDUAL_SETTINGS: ReadonlyArray<readonly [number, number, number, 1 | 2]> = [
  [1, 16, 1, 1],
  [6, 24, 2, 2],
  [6, 32, 3, 2],
  [6, 64, 4, 2],
  [6, 96, 3, 1],
  [6, 160, 3, 2],
  [6, 320, 1, 1],
];

const STEM_CHANNELS = 32;
const LAST_CHANNEL = 1280;

/** Dropout probability before the classifier (reference: nn.Dropout(0.3)). */
export const CLASSIFIER_DROPOUT = 0.3;

export type ConvKind = "full" | "depthwise" | "pointwise";

/** One convolution (no bias) followed by BatchNorm2d, optionally ReLU6. */
export interface ConvBnLayer {
  kind: ConvKind;
  /** State-dict prefix of the conv weight: `<convKey>.weight`. */
  convKey: string;
  /** State-dict prefix of the BatchNorm: `<bnKey>.weight|bias|running_mean|running_var`. */
  bnKey: string;
  cin: number;
  cout: number;
  kernel: number;
  stride: 1 | 2;
  relu6: boolean;
}

/** One entry of `features`: the stem, an inverted residual block, or the final 1x1 conv. */
export interface BlockPlan {
  /** `features.<i>` */
  key: string;
  layers: ConvBnLayer[];
  /** Adds the block input to its output (stride 1 and cin == cout). */
  residual: boolean;
}

export interface ModelPlan {
  config: ModelConfig;
  blocks: BlockPlan[];
  lastChannel: number;
  classifierKey: "classifier.1";
}

/** Checks a (possibly partial) config and fills defaults. Bad values → UserError naming the field. */
export function resolveModelConfig(partial: Partial<ModelConfig> = {}): ModelConfig {
  const config = { ...DEFAULT_MODEL_CONFIG, ...partial };
  if (!Number.isInteger(config.numClasses) || config.numClasses < 1) {
    throw new UserError(`model config: numClasses must be a positive integer, got ${config.numClasses}`);
  }
  if (!Number.isFinite(config.widthMult) || config.widthMult <= 0) {
    throw new UserError(`model config: widthMult must be a positive number, got ${config.widthMult}`);
  }
  const narrowest = Math.min(STEM_CHANNELS, ...INVERTED_RESIDUAL_SETTINGS.map((s) => s[1]));
  if (Math.trunc(narrowest * config.widthMult) < 1) {
    throw new UserError(`model config: widthMult ${config.widthMult} leaves a layer with 0 channels (needs ≥ ${1 / narrowest})`);
  }
  return { numClasses: config.numClasses, widthMult: config.widthMult };
}

/** The full layer list of the model for `config` (validated). */
export function modelPlan(partial: Partial<ModelConfig> = {}): ModelPlan {
  const config = resolveModelConfig(partial);
  const width = (c: number) => Math.trunc(c * config.widthMult);
  const blocks: BlockPlan[] = [];
  let channels = width(STEM_CHANNELS);
  blocks.push({
    key: "features.0",
    residual: false,
    layers: [{ kind: "full", convKey: "features.0.0", bnKey: "features.0.1", cin: 1, cout: channels, kernel: 3, stride: 2, relu6: true }],
  });
  for (const [expansion, c, repeats, firstStride] of INVERTED_RESIDUAL_SETTINGS) {
    const out = width(c);
    for (let i = 0; i < repeats; i++) {
      const key = `features.${blocks.length}`;
      const stride: 1 | 2 = i === 0 ? firstStride : 1;
      const hidden = channels * expansion;
      const layers: ConvBnLayer[] = [];
      // Sequential indices inside `<key>.conv`: the expansion (if any) and the depthwise conv are ConvBNReLU
      // sub-sequentials (`.j.0` conv, `.j.1` BN); the linear projection is a bare conv `.j` followed by BN `.j+1`.
      let j = 0;
      if (expansion !== 1) {
        layers.push({ kind: "pointwise", convKey: `${key}.conv.${j}.0`, bnKey: `${key}.conv.${j}.1`, cin: channels, cout: hidden, kernel: 1, stride: 1, relu6: true });
        j++;
      }
      layers.push({ kind: "depthwise", convKey: `${key}.conv.${j}.0`, bnKey: `${key}.conv.${j}.1`, cin: hidden, cout: hidden, kernel: 3, stride, relu6: true });
      j++;
      layers.push({ kind: "pointwise", convKey: `${key}.conv.${j}`, bnKey: `${key}.conv.${j + 1}`, cin: hidden, cout: out, kernel: 1, stride: 1, relu6: false });
      blocks.push({ key, layers, residual: stride === 1 && channels === out });
      channels = out;
    }
  }
  const lastChannel = config.widthMult > 1 ? width(LAST_CHANNEL) : LAST_CHANNEL;
  const key = `features.${blocks.length}`;
  blocks.push({
    key,
    residual: false,
    layers: [{ kind: "pointwise", convKey: `${key}.0`, bnKey: `${key}.1`, cin: channels, cout: lastChannel, kernel: 1, stride: 1, relu6: true }],
  });
  return { config, blocks, lastChannel, classifierKey: "classifier.1" };
}

export type TensorRole = "conv" | "bn-weight" | "bn-bias" | "bn-running-mean" | "bn-running-var" | "linear-weight" | "linear-bias";

/** One named tensor of the model, with its shape in the kit (tfjs) layout and in the PyTorch layout. */
export interface TensorSpec {
  /** PyTorch state-dict key, e.g. `features.2.conv.0.0.weight`. */
  key: string;
  role: TensorRole;
  /** For convolutions: which kind (decides the layout conversion). */
  convKind?: ConvKind;
  /** Shape in the kit: full conv [kh,kw,cin,cout], depthwise [kh,kw,C,1], pointwise [cin,cout], linear [in,out]. */
  shape: number[];
  /** Shape in a PyTorch state dict: conv [cout, cin/groups, kh, kw], linear [out, in]. */
  torchShape: number[];
  /** Trained by the optimizer (false for BN running statistics). */
  trainable: boolean;
}

/** Every tensor of the model in a stable order (the order of the PyTorch state dict, without num_batches_tracked). */
export function tensorSpecs(partial: Partial<ModelConfig> | ModelPlan = {}): TensorSpec[] {
  const plan = "blocks" in partial ? partial : modelPlan(partial);
  const specs: TensorSpec[] = [];
  for (const block of plan.blocks) {
    for (const layer of block.layers) {
      const k = layer.kernel;
      if (layer.kind === "full") {
        specs.push({ key: `${layer.convKey}.weight`, role: "conv", convKind: "full", shape: [k, k, layer.cin, layer.cout], torchShape: [layer.cout, layer.cin, k, k], trainable: true });
      } else if (layer.kind === "depthwise") {
        specs.push({ key: `${layer.convKey}.weight`, role: "conv", convKind: "depthwise", shape: [k, k, layer.cin, 1], torchShape: [layer.cout, 1, k, k], trainable: true });
      } else {
        specs.push({ key: `${layer.convKey}.weight`, role: "conv", convKind: "pointwise", shape: [layer.cin, layer.cout], torchShape: [layer.cout, layer.cin, 1, 1], trainable: true });
      }
      const c = [layer.cout];
      specs.push({ key: `${layer.bnKey}.weight`, role: "bn-weight", shape: c, torchShape: c, trainable: true });
      specs.push({ key: `${layer.bnKey}.bias`, role: "bn-bias", shape: c, torchShape: c, trainable: true });
      specs.push({ key: `${layer.bnKey}.running_mean`, role: "bn-running-mean", shape: c, torchShape: c, trainable: false });
      specs.push({ key: `${layer.bnKey}.running_var`, role: "bn-running-var", shape: c, torchShape: c, trainable: false });
    }
  }
  const { lastChannel, classifierKey } = plan;
  const classes = plan.config.numClasses;
  specs.push({ key: `${classifierKey}.weight`, role: "linear-weight", shape: [lastChannel, classes], torchShape: [classes, lastChannel], trainable: true });
  specs.push({ key: `${classifierKey}.bias`, role: "linear-bias", shape: [classes], torchShape: [classes], trainable: true });
  return specs;
}

/** Number of trainable parameters (2,898,383 for 527 classes at width 1.0, as PyTorch counts them). */
export function countParameters(partial: Partial<ModelConfig> = {}): number {
  let total = 0;
  for (const spec of tensorSpecs(partial)) if (spec.trainable) total += spec.shape.reduce((a, b) => a * b, 1);
  return total;
}
