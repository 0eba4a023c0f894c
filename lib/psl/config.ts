/**
 * Experiment configuration: one JSON file per experiment in `configs/`, merged over the defaults below, then
 * `--set key=value` overrides (dotted keys), then validated. Every bad value is a UserError naming the field.
 *
 * Defaults mirror what the reference's released YAML configs actually do (RicherMans/PSL configs/*.yaml): Adam lr 1e-3
 * without amsgrad, batch 32, random shuffling (`sampler: null`), early stopping patience 15, up to 300 epochs, no
 * augmentation; `max_grad_norm: 2.0` is present there but never applied, so the kit's default is no clipping (null).
 * The one deliberate change: validation uses a held-out split, not the training clips as the reference does.
 */
import { UserError } from "../errors";
import { readJsonFile } from "../io/json-file";
import { BACKEND_NAMES } from "../nn/backend";
import { DEFAULT_MAX_CLIP_SECONDS } from "../audio/decode";
import { NO_AUGMENTATION, resolveAugmentation, type AugmentationSettings } from "../data/augment";

export type SamplerKind = "random" | "balanced";
export type AnnotationMode = "offline" | "online";
export type TargetKind = "soft" | "hard" | "topk";
export type WeakCombination = "ignore" | "union" | "restrict";
export type ValidateOn = "held-out" | "train";
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
  /**
   * Step decay of the learning rate: from global step `afterStep` on (0-based count of steps already taken), Adam runs
   * with learningRate × factor. Null = constant (what the reference does). A pure function of the step, so a run resumed
   * or continued (lib/psl/loop.ts) follows the same schedule as one run straight through.
   */
  learningRateDecay: LearningRateDecay | null;
  amsgrad: boolean;
  /** Gradient-norm clipping (torch clip_grad_norm_ semantics); null = none (what the reference effectively does). */
  maxGradNorm: number | null;
  sampler: SamplerKind;
  /** Save a resumable checkpoint every this many steps inside an epoch (also at every epoch end); 0 = epoch ends only. */
  checkpointEverySteps: number;
  /**
   * Mixup and SpecAugment masks on the training batches (lib/data/augment.ts); null = none, what the reference's
   * configs do. Fields left out of a given object are off (`--set teacher.augmentation.mixupAlpha=0.5` sets mixup only).
   */
  augmentation: AugmentationSettings | null;
}

export interface LearningRateDecay {
  afterStep: number;
  factor: number;
}

export interface TeacherSettings extends TrainingSettings {
  /**
   * A pretrained teacher instead of training one: a kit checkpoint (.safetensors) or the authors' PyTorch .pt
   * (e.g. mobilenetv2_mAP40_53.pt). Null = train a teacher on the teacher split's weak labels.
   */
  checkpoint: string | null;
  /**
   * Explicit permission to train the teacher on the student's own training clips when neither `teacher.checkpoint`
   * nor `data.teacherTrain` names a teacher source (and the dataset brings no teacher split); with one of those it has
   * no effect. That is self-distillation, not the paper's method (its teacher saw all of AudioSet), so without it a
   * config with no teacher source is an error instead of a silent fallback.
   */
  selfDistillation: boolean;
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
  /**
   * Chunks after a clip's first that are shorter than this (seconds) are dropped; null = half of `chunkSeconds`.
   * Every chunk is fed to teacher and student padded to the chunk length (lib/psl/chunking.ts), so a 0.2-s tail of a
   * 2-s chunk would be 90 % padding and its teacher target mostly the teacher's idea of silence. A clip's first chunk
   * is always kept (a clip shorter than the minimum is one chunk). The reference keeps every chunk down to its 0.1-s
   * duration rounding: 0.1 reproduces that.
   */
  minChunkSeconds: number | null;
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
   * "held-out" (default): early stopping on `data.validation`, or on `validationFraction` of the student's clips held
   * out from training. "train": the reference's choice (its configs set cv_data = the training list): every model
   * validates on its own training clips and no clip is held out; early stopping then rewards memorisation.
   */
  validateOn: ValidateOn;
  /**
   * Largest accepted difference (seconds) between a manifest's duration and the audio's own duration, measured when
   * the features are computed. A clip over it is skipped and listed (an error with --strict): a manifest that says 1 s
   * for a 10-s file, or 500 s, describes another file. Within it, chunking uses the audio's own duration.
   */
  durationTolerance: number;
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
  /** "auto" or one of the kit's backends (see lib/nn/backend.ts). */
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
  learningRateDecay: null,
  amsgrad: false,
  maxGradNorm: null,
  sampler: "random",
  checkpointEverySteps: 200,
  augmentation: null,
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
    validateOn: "held-out",
    durationTolerance: 0.5,
    maxClipSeconds: DEFAULT_MAX_CLIP_SECONDS,
  },
  numClasses: 527,
  teacher: { ...TRAINING_DEFAULTS, checkpoint: null, selfDistillation: false },
  annotation: { chunkSeconds: 2, hopSeconds: null, mode: "offline", target: "soft", threshold: 0.5, topK: 3, weak: "ignore", shardClips: 256, minChunkSeconds: null },
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

/** Sets an own property, even one named like an Object.prototype member ("__proto__" would otherwise set the prototype). */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Config fields holding augmentation settings (merged field by field over NO_AUGMENTATION). */
const AUGMENTATION_FIELDS = new Set(["teacher.augmentation", "student.augmentation"]);

/**
 * Deep-merges `patch` over `base`. Keys must be the base's own fields (typos are errors; so are names such as
 * "constructor" or "__proto__", which `in` would find on every object's prototype), except inside free-form maps
 * (the per-class threshold map).
 */
function merge(base: Record<string, unknown>, patch: Record<string, unknown>, path: string, source: string): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    const field = path ? `${path}.${key}` : key;
    if (key === "$comment" || key.startsWith("//")) continue; // documentation inside JSON configs
    if (!Object.hasOwn(base, key)) throw new UserError(`${source}: unknown config field "${field}"`);
    const current = base[key];
    if (field === "annotation.threshold") setOwn(out, key, isPlainObject(value) ? Object.fromEntries(Object.entries(value)) : value);
    // An augmentation object merges over "everything off" (its default is null): the fields it leaves out are off.
    else if (AUGMENTATION_FIELDS.has(field) && isPlainObject(value)) setOwn(out, key, merge({ ...NO_AUGMENTATION, ...(isPlainObject(current) ? current : {}) }, value, field, source));
    else if (isPlainObject(current) && isPlainObject(value)) setOwn(out, key, merge(current, value, field, source));
    else if (isPlainObject(current)) throw new UserError(`${source}: config field "${field}" must be an object`);
    else setOwn(out, key, value);
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
      setOwn(map, parts.slice(2).join("."), value);
      out = { ...out, annotation: { ...annotation, threshold: map } };
      continue;
    }
    let patch: Record<string, unknown> = {};
    const root = patch;
    for (let i = 0; i < parts.length - 1; i += 1) {
      const next: Record<string, unknown> = {};
      setOwn(patch, parts[i], next);
      patch = next;
    }
    setOwn(patch, parts[parts.length - 1], value);
    out = merge(out, root, "", `--set ${key}`);
  }
  return out as unknown as ExperimentConfig;
}

/** A value as the user wrote it: JSON, except numbers JSON cannot show (Infinity would print as null). */
function show(value: unknown): string {
  return typeof value === "number" ? String(value) : JSON.stringify(value) ?? String(value);
}

function need(condition: boolean, field: string, message: string, source: string): void {
  if (!condition) throw new UserError(`${source}: ${field} ${message}`);
}

/**
 * Every number anywhere in the config must be finite: JSON's 1e999 parses to Infinity, and Infinity passes "> 0"
 * checks, so without this a run would compute features, train and annotate before dying on it.
 */
function checkFinite(value: unknown, path: string, source: string): void {
  if (typeof value === "number") {
    need(Number.isFinite(value), path || "config", `must be a finite number, got ${show(value)}${value === Infinity || value === -Infinity ? " (a JSON number too large for a double, e.g. 1e999, reads as Infinity)" : ""}`, source);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => checkFinite(v, `${path}[${i}]`, source));
  } else if (isPlainObject(value)) {
    for (const [key, v] of Object.entries(value)) if (key !== "$comment" && !key.startsWith("//")) checkFinite(v, path ? `${path}.${key}` : key, source);
  }
}

const isInteger = (value: unknown, min: number): boolean => Number.isSafeInteger(value) && (value as number) >= min;
const isPositive = (value: unknown): boolean => typeof value === "number" && Number.isFinite(value) && value > 0;

/** The widest model the kit builds (the paper's is 1.0; published MobileNetV2 variants go up to 1.4). */
export const MAX_WIDTH_MULT = 4;
/** One front-end hop (10 ms): a chunk or hop shorter than a single log-mel frame has nothing in it. */
export const MIN_CHUNK_SECONDS = 0.01;

function checkTraining(t: TrainingSettings, prefix: string, source: string): void {
  need(isPositive(t.widthMult) && t.widthMult <= MAX_WIDTH_MULT, `${prefix}.widthMult`, `must be a number in (0, ${MAX_WIDTH_MULT}], got ${show(t.widthMult)}`, source);
  need(isInteger(t.epochs, 0), `${prefix}.epochs`, `must be an integer ≥ 0, got ${show(t.epochs)}`, source);
  need(t.steps === null || isInteger(t.steps, 0), `${prefix}.steps`, `must be an integer ≥ 0 or null, got ${show(t.steps)}`, source);
  need(t.validateEverySteps === null || isInteger(t.validateEverySteps, 1), `${prefix}.validateEverySteps`, `must be an integer ≥ 1 or null, got ${show(t.validateEverySteps)}`, source);
  need(isInteger(t.patience, 1), `${prefix}.patience`, `must be an integer ≥ 1, got ${show(t.patience)}`, source);
  need(isInteger(t.batchSize, 1), `${prefix}.batchSize`, `must be an integer ≥ 1, got ${show(t.batchSize)}`, source);
  need(isPositive(t.learningRate), `${prefix}.learningRate`, `must be a positive number, got ${show(t.learningRate)}`, source);
  const decay = t.learningRateDecay as unknown;
  need(
    decay === null || (isPlainObject(decay) && Object.keys(decay).every((k) => k === "afterStep" || k === "factor") && isInteger(decay.afterStep, 0) && isPositive(decay.factor) && (decay.factor as number) <= 1),
    `${prefix}.learningRateDecay`,
    `must be null or { "afterStep": integer ≥ 0, "factor": number in (0, 1] }, got ${show(decay)}`,
    source,
  );
  need(typeof t.amsgrad === "boolean", `${prefix}.amsgrad`, `must be true or false, got ${show(t.amsgrad)}`, source);
  need(t.maxGradNorm === null || isPositive(t.maxGradNorm), `${prefix}.maxGradNorm`, `must be a positive number or null, got ${show(t.maxGradNorm)}`, source);
  need(t.sampler === "random" || t.sampler === "balanced", `${prefix}.sampler`, `must be "random" or "balanced", got ${show(t.sampler)}`, source);
  need(isInteger(t.checkpointEverySteps, 0), `${prefix}.checkpointEverySteps`, `must be an integer ≥ 0, got ${show(t.checkpointEverySteps)}`, source);
  try {
    resolveAugmentation(t.augmentation as unknown, `${prefix}.augmentation`);
  } catch (error) {
    throw new UserError(`${source}: ${(error as Error).message}`);
  }
}

function checkProbability(value: unknown, field: string, source: string): void {
  need(typeof value === "number" && value >= 0 && value <= 1, field, `must be a number in [0, 1], got ${show(value)}`, source);
}

/** Checks every field; returns the config unchanged. `source` names the file (and overrides) in messages. */
export function validateConfig(config: ExperimentConfig, source = "config"): ExperimentConfig {
  checkFinite(config, "", source);
  need(typeof config.name === "string" && /^[A-Za-z0-9._-]+$/.test(config.name), "name", `must be a simple name (letters, digits, . _ -), got ${show(config.name)}`, source);
  need(typeof config.dataset === "string" && config.dataset.length > 0, "dataset", `must be "demo", "audioset" or a manifest path`, source);
  need(isInteger(config.numClasses, 1), "numClasses", `must be a positive integer, got ${show(config.numClasses)}`, source);
  const d = config.data;
  need(d.demoProfile === "quick" || d.demoProfile === "default", "data.demoProfile", `must be "quick" or "default", got ${show(d.demoProfile)}`, source);
  need(isInteger(d.demoSeed, 0), "data.demoSeed", `must be an integer ≥ 0, got ${show(d.demoSeed)}`, source);
  for (const key of ["teacherTrain", "studentTrain", "validation", "eval", "classLabels"] as const) {
    need(d[key] === null || (typeof d[key] === "string" && d[key] !== ""), `data.${key}`, "must be a file path or null", source);
  }
  need(typeof d.validationFraction === "number" && d.validationFraction > 0 && d.validationFraction < 1, "data.validationFraction", `must be in (0, 1), got ${show(d.validationFraction)}`, source);
  need(d.validateOn === "held-out" || d.validateOn === "train", "data.validateOn", `must be "held-out" or "train" (the reference: validation on the training clips), got ${show(d.validateOn)}`, source);
  need(d.validateOn !== "train" || d.validation === null, "data.validateOn", `is "train" (validation on the training clips), so data.validation must be null, got ${show(d.validation)}`, source);
  need(typeof d.durationTolerance === "number" && d.durationTolerance >= 0, "data.durationTolerance", `must be a number of seconds ≥ 0, got ${show(d.durationTolerance)}`, source);
  need(isPositive(d.maxClipSeconds), "data.maxClipSeconds", `must be a positive number of seconds, got ${show(d.maxClipSeconds)}`, source);
  checkTraining(config.teacher, "teacher", source);
  need(config.teacher.checkpoint === null || (typeof config.teacher.checkpoint === "string" && config.teacher.checkpoint !== ""), "teacher.checkpoint", "must be a file path or null", source);
  need(typeof config.teacher.selfDistillation === "boolean", "teacher.selfDistillation", `must be true or false, got ${show(config.teacher.selfDistillation)}`, source);
  checkTraining(config.student, "student", source);
  checkProbability(config.student.alpha, "student.alpha", source);
  const a = config.annotation;
  need(typeof a.chunkSeconds === "number" && a.chunkSeconds >= MIN_CHUNK_SECONDS, "annotation.chunkSeconds", `must be a positive number of seconds ≥ ${MIN_CHUNK_SECONDS} (one 10-ms log-mel frame), got ${show(a.chunkSeconds)}`, source);
  need(a.hopSeconds === null || (typeof a.hopSeconds === "number" && a.hopSeconds >= MIN_CHUNK_SECONDS), "annotation.hopSeconds", `must be a positive number of seconds ≥ ${MIN_CHUNK_SECONDS} (one 10-ms log-mel frame) or null, got ${show(a.hopSeconds)}`, source);
  need(
    a.minChunkSeconds === null || (typeof a.minChunkSeconds === "number" && a.minChunkSeconds >= MIN_CHUNK_SECONDS && a.minChunkSeconds <= a.chunkSeconds),
    "annotation.minChunkSeconds",
    `must be null (half the chunk) or a number of seconds in [${MIN_CHUNK_SECONDS}, annotation.chunkSeconds = ${show(a.chunkSeconds)}], got ${show(a.minChunkSeconds)}`,
    source,
  );
  need(a.mode === "offline" || a.mode === "online", "annotation.mode", `must be "offline" or "online", got ${show(a.mode)}`, source);
  need(a.target === "soft" || a.target === "hard" || a.target === "topk", "annotation.target", `must be "soft", "hard" or "topk", got ${show(a.target)}`, source);
  need(a.weak === "ignore" || a.weak === "union" || a.weak === "restrict", "annotation.weak", `must be "ignore", "union" or "restrict", got ${show(a.weak)}`, source);
  need(isInteger(a.topK, 1), "annotation.topK", `must be an integer ≥ 1, got ${show(a.topK)}`, source);
  need(isInteger(a.shardClips, 1), "annotation.shardClips", `must be an integer ≥ 1, got ${show(a.shardClips)}`, source);
  if (isPlainObject(a.threshold)) {
    for (const [cls, value] of Object.entries(a.threshold)) {
      checkProbability(value, `annotation.threshold.${cls}`, source);
      // Class indices are checked here; names need the class list, which resolveData reads (checkThresholdClasses).
      need(!/^\d+$/.test(cls) || Number(cls) < config.numClasses, `annotation.threshold.${cls}`, `names class index ${cls}, but numClasses is ${config.numClasses}`, source);
      need(cls.trim() !== "", "annotation.threshold", "has an empty class key", source);
    }
  } else {
    checkProbability(a.threshold, "annotation.threshold", source);
  }
  need(isInteger(config.seed, Number.MIN_SAFE_INTEGER), "seed", `must be an integer, got ${show(config.seed)}`, source);
  need(config.backend === "auto" || (BACKEND_NAMES as readonly string[]).includes(config.backend), "backend", `must be "auto" or one of ${BACKEND_NAMES.join(", ")}, got ${show(config.backend)}`, source);
  need(config.workers === "auto" || isInteger(config.workers, 0), "workers", `must be "auto" or an integer ≥ 0 (0 = train in-process), got ${show(config.workers)}`, source);
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
  const parsed = readJsonFile(path, "config");
  if (!isPlainObject(parsed)) throw new UserError(`${path}: a config must be a JSON object`);
  return resolveConfig(parsed, sets, path);
}

/** The hop actually used (null = chunk length, as the reference). */
export function hopSecondsOf(annotation: AnnotationSettings): number {
  return annotation.hopSeconds ?? annotation.chunkSeconds;
}

/** The shortest chunk kept after a clip's first (null = half the chunk length). */
export function minChunkSecondsOf(annotation: AnnotationSettings): number {
  return annotation.minChunkSeconds ?? annotation.chunkSeconds / 2;
}
