/**
 * Experiment configuration: one JSON file per experiment in `configs/`, merged over the defaults below, then
 * `--set key=value` overrides (dotted keys), then validated. Every bad value is a UserError naming the field.
 *
 * Defaults mirror what the reference's released YAML configs actually do (RicherMans/PSL configs/*.yaml): Adam lr 1e-3
 * without amsgrad, batch 32, random shuffling (`sampler: null`), early stopping patience 15, up to 300 epochs, no
 * augmentation; `max_grad_norm: 2.0` is present there but never applied, so the kit's default is no clipping (null).
 * The one deliberate change: validation uses a held-out split, not the training clips as the reference does.
 */
import { readFileSync } from "node:fs";
import { UserError } from "../errors";
import { BACKEND_NAMES } from "../engine/backend";
import { DEFAULT_MAX_CLIP_SECONDS } from "../audio/decode";

export type SamplerKind = "random" | "balanced";
export type AnnotationMode = "offline" | "online";
export type TargetKind = "soft" | "hard" | "topk";
export type WeakCombination = "ignore" | "union" | "restrict";
/** A global threshold, or per class: keys are class indices ("137") or display names ("Speech"); `default` for the rest. */
export type ThresholdSetting = number | Record<string, number>;

export interface TrainingSettings {
  /** MobileNetV2 width multiplier (1.0 = the paper's 2.9 M-parameter model). */
  widthMult: number;
  /** Maximum number of epochs (early stopping usually ends sooner); ignored when `steps` is set. */
  epochs: number;
  /**
   * Budget of optimizer steps (null = train by epochs). Every batch is full; validation runs every
   * `validateEverySteps` steps and patience counts those periods. Students compared with one budget get the same
   * number of updates whatever their chunk size (an epoch of 2-s chunks is 5× the steps of an epoch of 10-s clips).
   */
  steps: number | null;
  /** Validation period in steps when `steps` is set (null = one epoch's worth of steps). */
  validateEverySteps: number | null;
  /** Epochs without a validation-mAP improvement before stopping. */
  patience: number;
  batchSize: number;
  learningRate: number;
  amsgrad: boolean;
  /** Gradient-norm clipping (torch clip_grad_norm_ semantics); null = none (what the reference effectively does). */
  maxGradNorm: number | null;
  sampler: SamplerKind;
  /** Save a resumable checkpoint every this many steps inside an epoch (also at every epoch end); 0 = epoch ends only. */
  checkpointEverySteps: number;
}

export interface TeacherSettings extends TrainingSettings {
  /**
   * A pretrained teacher instead of training one: a kit checkpoint (.safetensors) or the authors' PyTorch .pt
   * (e.g. mobilenetv2_mAP40_53.pt). Null = train a teacher on the teacher split's weak labels.
   */
  checkpoint: string | null;
}

export interface AnnotationSettings {
  /** Chunk length in seconds (the paper: 10, 5, 2). */
  chunkSeconds: number;
  /** Hop between chunk starts; null = chunkSeconds (non-overlapping, as the reference). */
  hopSeconds: number | null;
  /** offline: annotate once into a PSL table (cached); online: run the teacher on every training batch (reference). */
  mode: AnnotationMode;
  /** soft probabilities (reference), hard labels by threshold, or the top-k classes per chunk. */
  target: TargetKind;
  threshold: ThresholdSetting;
  topK: number;
  /** How pseudo labels combine with the clip's weak labels. */
  weak: WeakCombination;
  /** Clips per annotation shard (resume granularity). */
  shardClips: number;
}

export interface StudentSettings extends TrainingSettings {
  /** loss = α·BCE(student, teacher targets) + (1 − α)·BCE(student, weak): 1 = PSL, 0.5 = teacher-student, 0 = weak. */
  alpha: number;
}

export interface DataSettings {
  /** Demo corpus size when dataset = "demo". */
  demoProfile: "quick" | "default";
  /** Demo corpus generator seed (the corpus, not the models: model seeds are `seed`). */
  demoSeed: number;
  /** Manifest (TSV filename/labels/duration) the teacher trains on; null = from `dataset`. */
  teacherTrain: string | null;
  /** Manifest the student trains on (the paper: AudioSet balanced); null = from `dataset`. */
  studentTrain: string | null;
  /** Held-out manifest for early stopping; null = from `dataset`, or split off the training manifest. */
  validation: string | null;
  /** Evaluation manifest (full clips); null = from `dataset`. */
  eval: string | null;
  /** class_labels_indices.csv for class names; null = from `dataset` (AudioSet's 527 classes). */
  classLabels: string | null;
  /** Fraction of the training manifest held out for validation when no validation manifest is given. */
  validationFraction: number;
  /**
   * Audio files longer than this (seconds, read from their headers before decoding) are skipped with a reason, or
   * fail the run with --strict: decoding keeps a whole file in memory, and an hour-long file in a clip corpus is
   * nearly always a download mistake. AudioSet clips are 10 s, FSD50K ≤ 30 s.
   */
  maxClipSeconds: number;
}

export interface ExperimentConfig {
  name: string;
  /** "demo" (the embedded demo corpus), "audioset" (manifests under data-manifests/audioset), or a manifest TSV path. */
  dataset: string;
  data: DataSettings;
  /** Number of output classes (AudioSet: 527; the demo corpus uses AudioSet indices too). */
  numClasses: number;
  teacher: TeacherSettings;
  annotation: AnnotationSettings;
  student: StudentSettings;
  seed: number;
  /** "auto" or one of the engine's backends (see lib/engine/backend.ts). */
  backend: string;
  /** Training workers for the engine ("auto" or a count). */
  workers: number | "auto";
  /** Where cached artefacts (teacher, annotation, student) go. */
  cacheDir: string;
  /** Where metrics JSON/CSV go (reports/experiments/<name>/). */
  reportsDir: string;
}

const TRAINING_DEFAULTS: TrainingSettings = {
  widthMult: 1.0,
  epochs: 300,
  steps: null,
  validateEverySteps: null,
  patience: 15,
  batchSize: 32,
  learningRate: 1e-3,
  amsgrad: false,
  maxGradNorm: null,
  sampler: "random",
  checkpointEverySteps: 200,
};

export const DEFAULT_CONFIG: ExperimentConfig = {
  name: "experiment",
  dataset: "demo",
  data: {
    demoProfile: "default",
    demoSeed: 0,
    teacherTrain: null,
    studentTrain: null,
    validation: null,
    eval: null,
    classLabels: null,
    validationFraction: 0.1,
    maxClipSeconds: DEFAULT_MAX_CLIP_SECONDS,
  },
  numClasses: 527,
  teacher: { ...TRAINING_DEFAULTS, checkpoint: null },
  annotation: { chunkSeconds: 2, hopSeconds: null, mode: "offline", target: "soft", threshold: 0.5, topK: 3, weak: "ignore", shardClips: 256 },
  student: { ...TRAINING_DEFAULTS, alpha: 1.0 },
  seed: 42,
  backend: "auto",
  workers: "auto",
  cacheDir: ".cache/psl",
  reportsDir: "reports/experiments",
};

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Deep-merges `patch` over `base`. Keys must exist in `base` (typos are errors), except inside free-form maps
 * (the per-class threshold map).
 */
function merge(base: Record<string, unknown>, patch: Record<string, unknown>, path: string, source: string): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    const field = path ? `${path}.${key}` : key;
    if (key === "$comment" || key.startsWith("//")) continue; // documentation inside JSON configs
    if (!(key in base)) throw new UserError(`${source}: unknown config field "${field}"`);
    const current = base[key];
    if (field === "annotation.threshold") out[key] = value;
    else if (isPlainObject(current) && isPlainObject(value)) out[key] = merge(current, value, field, source);
    else if (isPlainObject(current)) throw new UserError(`${source}: config field "${field}" must be an object`);
    else out[key] = value;
  }
  return out;
}

/** Parses the value of `--set key=value`: JSON where it parses (numbers, booleans, null, objects), else a plain string. */
function parseSetValue(text: string): Json {
  try {
    return JSON.parse(text) as Json;
  } catch {
    return text;
  }
}

/**
 * Applies `key=value` overrides with dotted keys (`student.alpha=0.5`, `annotation.threshold.Speech=0.3`).
 * Unknown keys and malformed entries are UserErrors naming them.
 */
export function applyOverrides(config: ExperimentConfig, sets: readonly string[]): ExperimentConfig {
  let out = config as unknown as Record<string, unknown>;
  for (const set of sets) {
    const eq = set.indexOf("=");
    if (eq <= 0) throw new UserError(`--set "${set}": expected key=value (e.g. student.alpha=0.5)`);
    const key = set.slice(0, eq).trim();
    const parts = key.split(".");
    if (parts.some((p) => p === "")) throw new UserError(`--set "${set}": malformed key "${key}"`);
    const value = parseSetValue(set.slice(eq + 1).trim());
    // Per-class thresholds: annotation.threshold.<class> sets one entry of the map (turning a number into a default).
    if (parts.length >= 3 && parts[0] === "annotation" && parts[1] === "threshold") {
      const annotation = out.annotation as Record<string, unknown>;
      const current = annotation.threshold;
      const map: Record<string, unknown> = isPlainObject(current) ? { ...current } : { default: current };
      map[parts.slice(2).join(".")] = value;
      out = { ...out, annotation: { ...annotation, threshold: map } };
      continue;
    }
    let patch: Record<string, unknown> = {};
    const root = patch;
    for (let i = 0; i < parts.length - 1; i += 1) {
      const next: Record<string, unknown> = {};
      patch[parts[i]] = next;
      patch = next;
    }
    patch[parts[parts.length - 1]] = value;
    out = merge(out, root, "", `--set ${key}`);
  }
  return out as unknown as ExperimentConfig;
}

function need(condition: boolean, field: string, message: string, source: string): void {
  if (!condition) throw new UserError(`${source}: ${field} ${message}`);
}

function checkTraining(t: TrainingSettings, prefix: string, source: string): void {
  need(typeof t.widthMult === "number" && t.widthMult > 0, `${prefix}.widthMult`, `must be a positive number, got ${JSON.stringify(t.widthMult)}`, source);
  need(Number.isInteger(t.epochs) && t.epochs >= 0, `${prefix}.epochs`, `must be an integer ≥ 0, got ${JSON.stringify(t.epochs)}`, source);
  need(t.steps === null || (Number.isInteger(t.steps) && t.steps >= 0), `${prefix}.steps`, `must be an integer ≥ 0 or null, got ${JSON.stringify(t.steps)}`, source);
  need(t.validateEverySteps === null || (Number.isInteger(t.validateEverySteps) && t.validateEverySteps >= 1), `${prefix}.validateEverySteps`, `must be an integer ≥ 1 or null, got ${JSON.stringify(t.validateEverySteps)}`, source);
  need(Number.isInteger(t.patience) && t.patience >= 1, `${prefix}.patience`, `must be an integer ≥ 1, got ${JSON.stringify(t.patience)}`, source);
  need(Number.isInteger(t.batchSize) && t.batchSize >= 1, `${prefix}.batchSize`, `must be an integer ≥ 1, got ${JSON.stringify(t.batchSize)}`, source);
  need(typeof t.learningRate === "number" && t.learningRate > 0, `${prefix}.learningRate`, `must be a positive number, got ${JSON.stringify(t.learningRate)}`, source);
  need(typeof t.amsgrad === "boolean", `${prefix}.amsgrad`, `must be true or false, got ${JSON.stringify(t.amsgrad)}`, source);
  need(t.maxGradNorm === null || (typeof t.maxGradNorm === "number" && t.maxGradNorm > 0), `${prefix}.maxGradNorm`, `must be a positive number or null, got ${JSON.stringify(t.maxGradNorm)}`, source);
  need(t.sampler === "random" || t.sampler === "balanced", `${prefix}.sampler`, `must be "random" or "balanced", got ${JSON.stringify(t.sampler)}`, source);
  need(Number.isInteger(t.checkpointEverySteps) && t.checkpointEverySteps >= 0, `${prefix}.checkpointEverySteps`, `must be an integer ≥ 0`, source);
}

function checkProbability(value: unknown, field: string, source: string): void {
  need(typeof value === "number" && value >= 0 && value <= 1, field, `must be a number in [0, 1], got ${JSON.stringify(value)}`, source);
}

/** Checks every field; returns the config unchanged. `source` names the file (and overrides) in messages. */
export function validateConfig(config: ExperimentConfig, source = "config"): ExperimentConfig {
  need(typeof config.name === "string" && /^[A-Za-z0-9._-]+$/.test(config.name), "name", `must be a simple name (letters, digits, . _ -), got ${JSON.stringify(config.name)}`, source);
  need(typeof config.dataset === "string" && config.dataset.length > 0, "dataset", `must be "demo", "audioset" or a manifest path`, source);
  need(Number.isInteger(config.numClasses) && config.numClasses >= 1, "numClasses", `must be a positive integer, got ${JSON.stringify(config.numClasses)}`, source);
  const d = config.data;
  need(d.demoProfile === "quick" || d.demoProfile === "default", "data.demoProfile", `must be "quick" or "default", got ${JSON.stringify(d.demoProfile)}`, source);
  need(Number.isInteger(d.demoSeed) && d.demoSeed >= 0, "data.demoSeed", `must be an integer ≥ 0, got ${JSON.stringify(d.demoSeed)}`, source);
  for (const key of ["teacherTrain", "studentTrain", "validation", "eval", "classLabels"] as const) {
    need(d[key] === null || (typeof d[key] === "string" && d[key] !== ""), `data.${key}`, "must be a file path or null", source);
  }
  need(typeof d.validationFraction === "number" && d.validationFraction > 0 && d.validationFraction < 1, "data.validationFraction", `must be in (0, 1), got ${JSON.stringify(d.validationFraction)}`, source);
  need(typeof d.maxClipSeconds === "number" && d.maxClipSeconds > 0, "data.maxClipSeconds", `must be a positive number of seconds, got ${JSON.stringify(d.maxClipSeconds)}`, source);
  checkTraining(config.teacher, "teacher", source);
  need(config.teacher.checkpoint === null || (typeof config.teacher.checkpoint === "string" && config.teacher.checkpoint !== ""), "teacher.checkpoint", "must be a file path or null", source);
  checkTraining(config.student, "student", source);
  checkProbability(config.student.alpha, "student.alpha", source);
  const a = config.annotation;
  need(typeof a.chunkSeconds === "number" && a.chunkSeconds > 0, "annotation.chunkSeconds", `must be a positive number of seconds, got ${JSON.stringify(a.chunkSeconds)}`, source);
  need(a.hopSeconds === null || (typeof a.hopSeconds === "number" && a.hopSeconds > 0), "annotation.hopSeconds", `must be a positive number of seconds or null, got ${JSON.stringify(a.hopSeconds)}`, source);
  need(a.mode === "offline" || a.mode === "online", "annotation.mode", `must be "offline" or "online", got ${JSON.stringify(a.mode)}`, source);
  need(a.target === "soft" || a.target === "hard" || a.target === "topk", "annotation.target", `must be "soft", "hard" or "topk", got ${JSON.stringify(a.target)}`, source);
  need(a.weak === "ignore" || a.weak === "union" || a.weak === "restrict", "annotation.weak", `must be "ignore", "union" or "restrict", got ${JSON.stringify(a.weak)}`, source);
  need(Number.isInteger(a.topK) && a.topK >= 1, "annotation.topK", `must be an integer ≥ 1, got ${JSON.stringify(a.topK)}`, source);
  need(Number.isInteger(a.shardClips) && a.shardClips >= 1, "annotation.shardClips", `must be an integer ≥ 1, got ${JSON.stringify(a.shardClips)}`, source);
  if (isPlainObject(a.threshold)) {
    for (const [cls, value] of Object.entries(a.threshold)) checkProbability(value, `annotation.threshold.${cls}`, source);
  } else {
    checkProbability(a.threshold, "annotation.threshold", source);
  }
  need(Number.isInteger(config.seed), "seed", `must be an integer, got ${JSON.stringify(config.seed)}`, source);
  need(config.backend === "auto" || (BACKEND_NAMES as readonly string[]).includes(config.backend), "backend", `must be "auto" or one of ${BACKEND_NAMES.join(", ")}, got ${JSON.stringify(config.backend)}`, source);
  need(config.workers === "auto" || (Number.isInteger(config.workers) && (config.workers as number) >= 0), "workers", `must be "auto" or an integer ≥ 0 (0 = train in-process)`, source);
  need(typeof config.cacheDir === "string" && config.cacheDir !== "", "cacheDir", "must be a folder path", source);
  need(typeof config.reportsDir === "string" && config.reportsDir !== "", "reportsDir", "must be a folder path", source);
  return config;
}

/** Defaults ← `partial` ← overrides, validated. */
export function resolveConfig(partial: Record<string, unknown> = {}, sets: readonly string[] = [], source = "config"): ExperimentConfig {
  const merged = merge(DEFAULT_CONFIG as unknown as Record<string, unknown>, partial, "", source) as unknown as ExperimentConfig;
  const withSets = applyOverrides(merged, sets);
  return validateConfig(withSets, sets.length ? `${source} (with --set ${sets.join(" ")})` : source);
}

/** Reads a JSON config file (see configs/), applies `--set` overrides and validates. */
export function loadConfig(path: string, sets: readonly string[] = []): ExperimentConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new UserError(`cannot read config ${path}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UserError(`${path}: not valid JSON (${(error as Error).message})`);
  }
  if (!isPlainObject(parsed)) throw new UserError(`${path}: a config must be a JSON object`);
  return resolveConfig(parsed, sets, path);
}

/** The hop actually used (null = chunk length, as the reference). */
export function hopSecondsOf(annotation: AnnotationSettings): number {
  return annotation.hopSeconds ?? annotation.chunkSeconds;
}
