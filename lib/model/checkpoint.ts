/**
 * The kit's checkpoint: ONE safetensors file holding
 *   - `model.<state-dict key>`: every model tensor (weights + BN running stats) in **PyTorch layout**, so the file also
 *     loads into the reference model (`safetensors.torch.load_file`, strip `model.`, `load_state_dict(strict=False)`);
 *   - `optimizer.<name>`: optional optimizer tensors (e.g. Adam moments) exactly as the trainer hands them over;
 *   - `__metadata__`: format tag, model config and a free JSON `meta` (epoch, step, best metric, rng/sampler state…).
 *
 * Writes are atomic (temp file in the same folder + fsync + rename): a crash never leaves a torn checkpoint.
 * Loading is strict: a missing, unexpected or mis-shaped tensor is a UserError naming the key, never a model that
 * silently keeps random weights (a pitfall of the reference's loader); so is a NaN/Inf in any tensor or a negative
 * BatchNorm variance (./check-weights.ts).
 */
import * as tf from "@tensorflow/tfjs";
import { readFileSync } from "node:fs";
import { UserError } from "../errors";
import { parseSafetensors, readSafetensors, writeSafetensors, type SafetensorsData, type TensorToWrite } from "../io/safetensors";
import { resolveModelConfig, tensorSpecs, type ModelConfig } from "./config";
import { kitToTorch, torchToKit } from "./layout";
import { createMobileNetV2FromWeights, type MobileNetV2 } from "./mobilenetv2";
import { checkFiniteTensor, checkModelValues, checkNonNegativeTensor } from "./check-weights";

export const CHECKPOINT_FORMAT = "psl-lab-checkpoint";
export const CHECKPOINT_FORMAT_VERSION = "1";
const MODEL_PREFIX = "model.";
const OPTIMIZER_PREFIX = "optimizer.";

export interface SaveCheckpointOptions {
  model: MobileNetV2;
  /** Optimizer tensors by name (e.g. `m.features.0.0.weight`); stored as `optimizer.<name>`. */
  optimizerState?: Record<string, Float32Array | tf.Tensor>;
  /** Anything JSON-serialisable the trainer needs to resume (epoch, step, best metric, rng/sampler state, …). */
  meta?: Record<string, unknown>;
}

export interface LoadedCheckpoint {
  config: ModelConfig;
  /** Model tensors in the kit layout, keyed by PyTorch state-dict key (ready for createMobileNetV2FromWeights). */
  tensors: Map<string, Float32Array>;
  /** Optimizer tensors by the names they were saved under (flat Float32Arrays), plus their shapes. */
  optimizerState: Record<string, Float32Array>;
  optimizerShapes: Record<string, number[]>;
  meta: Record<string, unknown>;
}

/** Writes the checkpoint atomically. */
export function saveCheckpoint(path: string, options: SaveCheckpointOptions): void {
  const { model } = options;
  const entries: [string, TensorToWrite][] = [];
  const weights = model.getWeights();
  for (const spec of model.specs) {
    entries.push([`${MODEL_PREFIX}${spec.key}`, { data: kitToTorch(spec, weights.get(spec.key)!), shape: spec.torchShape }]);
  }
  for (const [name, value] of Object.entries(options.optimizerState ?? {})) {
    if (value instanceof tf.Tensor) {
      entries.push([`${OPTIMIZER_PREFIX}${name}`, { data: Float32Array.from(value.dataSync()), shape: value.shape.slice() }]);
    } else {
      entries.push([`${OPTIMIZER_PREFIX}${name}`, { data: value, shape: [value.length] }]);
    }
  }
  const metaJson = JSON.stringify(options.meta ?? {});
  if (metaJson === undefined) throw new UserError(`saveCheckpoint ${path}: meta is not JSON-serialisable`);
  writeSafetensors(path, entries, {
    format: CHECKPOINT_FORMAT,
    format_version: CHECKPOINT_FORMAT_VERSION,
    weight_layout: "pytorch",
    model_config: JSON.stringify(model.config),
    meta: metaJson,
  });
}

function toFloat32(data: SafetensorsData, path: string, key: string): Float32Array {
  if (data instanceof Float32Array) return data;
  if (data instanceof Float64Array) return Float32Array.from(data);
  throw new UserError(`${path}: tensor "${key}" is not a floating-point tensor`);
}

/** Reads and validates a kit checkpoint. */
export function loadCheckpoint(path: string): LoadedCheckpoint {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new UserError(`cannot read checkpoint ${path}: ${(error as Error).message}`);
  }
  const file = parseSafetensors(bytes, path);
  if (file.metadata.format !== CHECKPOINT_FORMAT) {
    throw new UserError(`${path}: not a PSL Lab checkpoint (safetensors metadata "format" is ${JSON.stringify(file.metadata.format)}, expected "${CHECKPOINT_FORMAT}")`);
  }
  if (file.metadata.format_version !== CHECKPOINT_FORMAT_VERSION) {
    throw new UserError(`${path}: checkpoint format version ${file.metadata.format_version} is not supported (this kit reads ${CHECKPOINT_FORMAT_VERSION})`);
  }
  const parseJson = (field: string): unknown => {
    try {
      return JSON.parse(file.metadata[field] ?? "");
    } catch {
      throw new UserError(`${path}: checkpoint metadata "${field}" is missing or not JSON`);
    }
  };
  const rawConfig = parseJson("model_config");
  if (rawConfig === null || typeof rawConfig !== "object") throw new UserError(`${path}: checkpoint metadata "model_config" is not an object`);
  let config: ModelConfig;
  try {
    config = resolveModelConfig(rawConfig as Partial<ModelConfig>);
  } catch (error) {
    throw new UserError(`${path}: ${(error as Error).message}`);
  }
  const meta = parseJson("meta");
  if (meta === null || typeof meta !== "object" || Array.isArray(meta)) throw new UserError(`${path}: checkpoint metadata "meta" is not an object`);

  const specs = tensorSpecs(config);
  const expected = new Set(specs.map((s) => `${MODEL_PREFIX}${s.key}`));
  const tensors = new Map<string, Float32Array>();
  for (const spec of specs) {
    const name = `${MODEL_PREFIX}${spec.key}`;
    const stored = file.tensors.get(name);
    if (!stored) throw new UserError(`${path}: checkpoint lacks tensor "${name}" (model ${JSON.stringify(config)})`);
    if (stored.shape.join(",") !== spec.torchShape.join(",")) {
      throw new UserError(`${path}: tensor "${name}" has shape [${stored.shape}], expected [${spec.torchShape}] for model ${JSON.stringify(config)}`);
    }
    tensors.set(spec.key, torchToKit(spec, toFloat32(stored.data, path, name)));
  }
  const optimizerState: Record<string, Float32Array> = {};
  const optimizerShapes: Record<string, number[]> = {};
  for (const [name, stored] of file.tensors) {
    if (name.startsWith(OPTIMIZER_PREFIX)) {
      const key = name.slice(OPTIMIZER_PREFIX.length);
      optimizerState[key] = toFloat32(stored.data, path, name);
      optimizerShapes[key] = stored.shape;
    } else if (!expected.has(name) && !name.endsWith(".num_batches_tracked")) {
      throw new UserError(`${path}: unexpected tensor "${name}" for model ${JSON.stringify(config)}`);
    }
  }
  checkModelValues(path, tensors, MODEL_PREFIX);
  for (const [key, values] of Object.entries(optimizerState)) {
    checkFiniteTensor(path, `${OPTIMIZER_PREFIX}${key}`, values);
    // Adam's second moments (v, and amsgrad's running maximum) are averages of squares.
    if (key.startsWith("v.") || key.startsWith("vmax.")) checkNonNegativeTensor(path, `${OPTIMIZER_PREFIX}${key}`, values, "optimizer second moment");
  }
  return { config, tensors, optimizerState, optimizerShapes, meta: meta as Record<string, unknown> };
}

/**
 * Copies a kit checkpoint to `to` with its free `meta` changed and every tensor byte for byte (atomic write): e.g. a
 * finished run's last checkpoint, marked unfinished so that a longer run continues from it (lib/psl/extend-run.ts).
 */
export function copyCheckpointWithMeta(from: string, to: string, change: (meta: Record<string, unknown>) => Record<string, unknown>): void {
  const file = readSafetensors(from);
  if (file.metadata.format !== CHECKPOINT_FORMAT) throw new UserError(`${from}: not a PSL Lab checkpoint (safetensors metadata "format" is ${JSON.stringify(file.metadata.format)})`);
  let meta: Record<string, unknown>;
  try {
    meta = JSON.parse(file.metadata.meta ?? "") as Record<string, unknown>;
  } catch {
    throw new UserError(`${from}: checkpoint metadata "meta" is missing or not JSON`);
  }
  const tensors = [...file.tensors].map(([name, tensor]): [string, TensorToWrite] => [name, { data: tensor.data, shape: tensor.shape }]);
  writeSafetensors(to, tensors, { ...file.metadata, meta: JSON.stringify(change(meta)) });
}

/** Builds the model stored in a kit checkpoint. */
export function loadModel(path: string): MobileNetV2 {
  const checkpoint = loadCheckpoint(path);
  return createMobileNetV2FromWeights(checkpoint.config, checkpoint.tensors);
}
