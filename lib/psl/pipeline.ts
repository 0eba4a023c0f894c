/**
 * The PSL experiment, stage by stage, with caching: teacher → annotation (pseudo strong labels) → student → evaluation.
 *
 * `runExperiment(config, {resume, until, datasets})` resolves the data (a named dataset such as the demo corpus, passed
 * in `datasets`, or manifests), computes the log-mel feature
 * cache once, then runs each stage only when its cached artefact (keyed by the parameters that matter, see cache.ts) is
 * missing: changing a threshold re-trains only the student; changing the chunk size re-annotates with the same teacher.
 * With `resume`, an interrupted training stage continues from its last checkpoint; without it, it starts over. With
 * `resume`, a training run with a larger step budget than a finished cached one (all else equal) continues that one
 * instead of starting from step 0 (./extend-run.ts). Finished
 * artefacts are always re-used, and so are annotation's finished shards (each is a pure function of the annotation key).
 * Before any stage: the config is validated, the teacher source checked, and no output may be one of the inputs
 * (./preflight.ts). Each stage runs under a lock in its cache folder (lib/io/lock.ts): a second process asking for a
 * stage that another is computing waits for it and re-uses the result (or, with `waitForLocks: false`, fails naming
 * the lock).
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { UserError } from "../errors";
import { initBackend } from "../nn/backend";
import { createTrainer } from "../engine/trainer";
import { readManifest, rowLocation, type ManifestRow } from "../data/manifest";
import { checkDurations } from "../data/durations";
import { readClassLabels } from "../data/classes";
import { buildFeatureCache, openFeatureCache, type FeatureCache } from "../data/feature-cache";
import { createRng } from "../data/random";
import type { NamedDataset } from "../data/named-dataset";
import { loadCheckpoint, loadModel } from "../model/checkpoint";
import { createMobileNetV2FromWeights } from "../model/mobilenetv2";
import type { MobileNetV2 } from "../model/mobilenetv2";
import type { EvalMetrics } from "../evaluation";
import { repoPath } from "../io/repo-root";
import { withLock } from "../io/lock";
import type { NamedPath } from "../io/same-file";
import { createProgress } from "../report/progress";
import { annotateToDir } from "./annotate";
import { artefactDir, fileFingerprint, rowsFingerprint } from "./cache";
import { hopSecondsOf, minChunkSecondsOf, validateConfig, type ExperimentConfig, type TrainingSettings } from "./config";
import { checkTeacherSource, refuseStageOverwrites, refuseTeacherInside } from "./preflight";
import { resolveThresholds } from "./targets";
import { evaluateModelAsync, saveEvaluation } from "./evaluate";
import { continueShorterRun } from "./extend-run";
import type { FeatureSource } from "./features";
import { isFinishedRun, type TrainerFactory } from "./loop";
import { trainStudent, type TeacherTargetSource } from "./student";
import type { PslTable } from "./table";
import { loadTeacher, trainTeacher, type ManifestLikeRow } from "./teacher";

export type Stage = "teacher" | "annotate" | "student" | "evaluate";
const ORDER: Stage[] = ["teacher", "annotate", "student", "evaluate"];

export interface ExperimentData {
  teacherTrain: ManifestLikeRow[];
  studentTrain: ManifestLikeRow[];
  validation: ManifestLikeRow[];
  /** The teacher's validation clips when they are not `validation` (data.validateOn "train": its own training clips). */
  teacherValidation?: ManifestLikeRow[];
  eval: ManifestLikeRow[];
  classNames?: string[];
  features: FeatureSource;
  /** Clips left out because their audio is missing or unreadable, with the reason (file named). */
  skipped?: { filename: string; reason: string }[];
}

export interface RunOptions {
  /** Continue interrupted stages from their checkpoints / shards. */
  resume?: boolean;
  /** Last stage to run (default "evaluate"). */
  until?: Stage;
  /** Data to use instead of resolving `config.dataset` (tests, notebooks with their own features). */
  data?: ExperimentData;
  /** Trainer factory (default: the engine's createTrainer). */
  createTrainer?: TrainerFactory;
  /** Called with a line per stage event (also printed to stderr). */
  onProgress?: (message: string) => void;
  /** Fail on the first missing/unreadable clip instead of skipping it (corpus-wide runs skip and report by default). */
  strict?: boolean;
  /** Datasets selected by name in `config.dataset` (e.g. lib/demo's demoDataset); any other value is a manifest path. */
  datasets?: readonly NamedDataset[];
  /** A stage another process is computing (its lock is held): wait, then re-use it (default), or fail naming the lock. */
  waitForLocks?: boolean;
  /** Files the caller read besides those the config names (the --config file): no output may be one of them. */
  inputs?: readonly NamedPath[];
  /** Where the config came from (its file), named in messages about it. */
  configSource?: string;
  /**
   * Scale-out of the annotation (until "annotate"): compute only job `index` of `count`'s shards, or `merge` the
   * finished shards of all jobs. Both need a finished teacher and complete features (`psl features`), and neither
   * trains or computes features itself: many jobs share one cache folder.
   */
  annotationJob?: { slice: { index: number; count: number } } | { merge: true };
}

export interface StageArtefact {
  key: string;
  dir: string;
}

export interface ExperimentResult {
  teacher?: StageArtefact & { checkpoint: string; metrics?: EvalMetrics };
  annotation?: StageArtefact & { table: string; tsv: string; rows: number; job?: { computed: number; shards: number; range: { start: number; end: number } } };
  student?: StageArtefact & { checkpoint: string; metrics?: EvalMetrics };
  /** reports folder of this experiment (metrics JSON + per-class CSV). */
  reportDir: string;
  /** Clips skipped because their audio is missing or unreadable (empty in strict mode, which fails instead). */
  skipped: { filename: string; reason: string }[];
}

export interface ResolveDataOptions {
  strict?: boolean;
  datasets?: readonly NamedDataset[];
  waitForLocks?: boolean;
  /** Open the existing feature cache, which must cover every clip, instead of computing it (annotation shard jobs). */
  featuresReadOnly?: boolean;
}

/** Per-class threshold keys must name classes: checked once the class names are known, before any stage runs. */
function checkThresholdClasses(config: ExperimentConfig, classNames: readonly string[] | undefined): void {
  if (typeof config.annotation.threshold === "object") resolveThresholds(config.annotation.threshold, config.numClasses, classNames);
}

/** Holds out `fraction` of the rows (seeded) for validation. */
function splitValidation<T>(rows: readonly T[], fraction: number, seed: number): { train: T[]; validation: T[] } {
  const order = createRng(seed).shuffle(rows.map((_, i) => i));
  const count = Math.max(1, Math.round(rows.length * fraction));
  const held = new Set(order.slice(0, count));
  return { train: rows.filter((_, i) => !held.has(i)), validation: rows.filter((_, i) => held.has(i)) };
}

function classNamesFrom(classes: readonly { index: number; displayName: string }[], numClasses: number): string[] {
  const names = Array.from({ length: numClasses }, (_, i) => String(i));
  for (const c of classes) if (c.index < numClasses) names[c.index] = c.displayName;
  return names;
}

/** The config's manifests, read and checked (no features yet); `listed` is every row of every split. */
export interface ResolvedManifests {
  teacherTrain?: ManifestRow[];
  studentTrain: ManifestRow[];
  validation?: ManifestRow[];
  evalRows: ManifestRow[];
  classNames?: string[];
  listed: ManifestRow[];
}

export async function resolveManifests(config: ExperimentConfig, datasets?: readonly NamedDataset[]): Promise<ResolvedManifests> {
  const d = config.data;
  let teacherTrain: ManifestRow[] | undefined;
  let studentTrain: ManifestRow[];
  let validation: ManifestRow[] | undefined;
  let evalRows: ManifestRow[];
  let classNames: string[] | undefined;
  // An empty manifest would only fail much later ("nothing to train on"): name the file now.
  const readNonEmpty = (path: string) => {
    const rows = readManifest(path);
    if (rows.length === 0) throw new UserError(`${path}: no clips (the manifest has a header but no rows)`);
    return rows;
  };
  const read = (path: string | null) => (path ? readNonEmpty(path) : undefined);
  const named = datasets?.find((dataset) => dataset.name === config.dataset);
  if (named) {
    const progress = createProgress({ label: `${named.name} corpus`, unit: "clips" });
    // A pretrained teacher (e.g. the shipped demo teacher) needs no teacher-training split: the dataset may skip it.
    const needsTeacherTrain = config.teacher.checkpoint === null && d.teacherTrain === null;
    const manifests = await named.prepare({ profile: d.demoProfile, seed: d.demoSeed, needsTeacherTrain, onProgress: () => progress.tick(0) });
    progress.done();
    teacherTrain = read(d.teacherTrain) ?? (needsTeacherTrain && manifests.teacherTrain ? readManifest(manifests.teacherTrain) : undefined);
    studentTrain = read(d.studentTrain) ?? readManifest(manifests.studentTrain);
    validation = read(d.validation) ?? (d.validateOn === "train" ? undefined : readManifest(manifests.validation));
    evalRows = read(d.eval) ?? readManifest(manifests.eval);
    classNames = classNamesFrom(manifests.classes, config.numClasses);
  } else {
    const studentPath = d.studentTrain ?? (config.dataset === "audioset" ? null : config.dataset);
    if (!studentPath) throw new UserError(`dataset "audioset": set data.studentTrain (and data.eval) to your manifests (see configs/audioset-psl-2s.json)`);
    if (!d.eval) throw new UserError(`dataset ${config.dataset}: data.eval (the evaluation manifest) is required`);
    studentTrain = readNonEmpty(studentPath);
    teacherTrain = read(d.teacherTrain);
    validation = read(d.validation);
    evalRows = readNonEmpty(d.eval);
    // No silent self-distillation (also for callers of resolveData alone, e.g. lib/series): a student that needs a
    // teacher needs a teacher source.
    if (config.student.alpha > 0) checkTeacherSource(config, false);
    const labels = d.classLabels ?? (config.dataset === "audioset" ? repoPath("data-manifests", "audioset", "class_labels_indices.csv") : null);
    if (labels && existsSync(labels)) classNames = classNamesFrom(readClassLabels(labels), config.numClasses);
  }
  checkThresholdClasses(config, classNames);
  const listed = [...(teacherTrain ?? []), ...studentTrain, ...(validation ?? []), ...evalRows];
  for (const row of listed) {
    for (const c of row.labels) if (c >= config.numClasses) throw new UserError(`${rowLocation(row)}: label ${c} ≥ numClasses ${config.numClasses} (clip ${row.filename})`);
  }
  return { teacherTrain, studentTrain, validation, evalRows, classNames, listed };
}

/** Resolves the config's dataset into manifests + a feature cache (computed once under `<cacheDir>/features`). */
export async function resolveData(config: ExperimentConfig, log: (m: string) => void = () => {}, options: ResolveDataOptions = {}): Promise<ExperimentData> {
  const d = config.data;
  const manifests = await resolveManifests(config, options.datasets);
  const { teacherTrain, evalRows, classNames, listed } = manifests;
  let { studentTrain, validation } = manifests;
  const all = featureRows(listed);
  const featuresDir = join(config.cacheDir, "features");
  const cache = options.featuresReadOnly
    ? openCompleteFeatureCache(config, all)
    : await withFeaturesLock(config, { wait: options.waitForLocks, onWait: log }, () => buildFeatures(config, all, { strict: options.strict }));
  // The manifests' durations against the audio's own (over the tolerance: skipped, or an error with --strict); the
  // clips kept are chunked by the audio's duration.
  const durations = checkDurations(listed, (filename) => (cache.has(filename) ? cache.clipSeconds(filename) : undefined), d.durationTolerance, options.strict);
  const skipped = [...cache.skipped, ...durations.mismatched.filter((m, i, all) => all.findIndex((n) => n.filename === m.filename) === i)];
  if (skipped.length) log(skippedSummary(skipped));
  const bad = new Set(durations.mismatched.map((m) => m.filename));
  const checked = new Map(durations.rows.map((row) => [row, row.duration]));
  const keep = (rows: ManifestRow[]) => rows.filter((r) => cache.has(r.filename) && !bad.has(r.filename)).map((r) => ({ ...r, duration: checked.get(r) ?? cache.clipSeconds(r.filename) }));
  // The validation split is drawn from the readable clips only: drawn before skipping, it could hold nothing but
  // broken clips and the run would fail after training (no clips to evaluate). With no skipped clip it is the same split.
  studentTrain = keep(studentTrain);
  let teacherValidation: ManifestRow[] | undefined;
  const teacherRows = teacherTrain ? keep(teacherTrain) : studentTrain;
  if (d.validateOn === "train") {
    // The reference's choice: every model validates on its own training clips; nothing is held out.
    validation = studentTrain;
    teacherValidation = teacherRows;
    log(`validation: on the training clips themselves (data.validateOn "train", as the reference; early stopping then rewards memorisation)`);
  } else if (validation) {
    validation = keep(validation);
  } else {
    // No validation manifest: hold out part of the student's training clips (never validate on training clips).
    const split = splitValidation(studentTrain, d.validationFraction, config.seed);
    studentTrain = split.train;
    validation = split.validation;
    log(`validation: held out ${validation.length} of ${validation.length + studentTrain.length} training clips (data.validationFraction ${d.validationFraction})`);
  }
  // Self-distillation (explicit opt-in, checked by checkTeacherSource): the teacher trains on the student's clips.
  const splits = { teacherTrain: teacherTrain ? teacherRows : studentTrain, studentTrain, validation, eval: keep(evalRows) };
  for (const [split, rows] of Object.entries(splits)) {
    if (rows.length === 0) throw new UserError(`${split}: no readable clips left (${skipped.length} skipped as missing, unreadable, too long or with a wrong duration)`);
  }
  return { ...splits, ...(teacherValidation ? { teacherValidation } : {}), classNames, features: cache, skipped };
}

/**
 * Every clip of the listed rows once, in manifest order: the unit `psl features --shard` slices. One entry per clip
 * name (the cache's key; it refuses two different files under one name). Keyed by path instead, "./a.wav" in one
 * manifest and "a.wav" in another would share an entry and one of the two rows be dropped.
 */
export function featureRows(listed: readonly ManifestRow[]): ManifestRow[] {
  const all = new Map<string, ManifestRow>();
  for (const row of listed) if (!all.has(row.filename)) all.set(row.filename, row);
  return [...all.values()];
}

/**
 * Runs `fn` holding the feature cache's stage lock (`<cacheDir>/features/.lock`): whatever writes the cache itself
 * (computing it, merging the parts of `psl features --shard` jobs into it) takes it; a shard job writes only its own part.
 */
export function withFeaturesLock<T>(config: ExperimentConfig, options: { wait?: boolean; onWait?: (message: string) => void }, fn: () => T | Promise<T>): Promise<T> {
  const dir = join(config.cacheDir, "features");
  return withLock(join(dir, ".lock"), { what: `feature cache ${dir}`, wait: options.wait, onWait: options.onWait }, fn);
}

/** Computes (or completes) the feature cache of `rows` in `dir` (default `<cacheDir>/features`), with a progress bar. */
export async function buildFeatures(config: ExperimentConfig, rows: ManifestRow[], options: { strict?: boolean; dir?: string } = {}): Promise<FeatureCache> {
  const progress = createProgress({ label: "features", total: rows.length, unit: "clips" });
  let done = 0;
  const cache = await buildFeatureCache(rows, options.dir ?? join(config.cacheDir, "features"), {
    strict: options.strict,
    maxClipSeconds: config.data.maxClipSeconds,
    onProgress: (p) => {
      progress.tick(p.done - done);
      done = p.done;
    },
  });
  progress.done();
  return cache;
}

/** The existing feature cache, which must cover every row (cached or recorded as skipped): shard jobs only read it. */
function openCompleteFeatureCache(config: ExperimentConfig, rows: readonly ManifestRow[]): FeatureCache {
  const dir = join(config.cacheDir, "features");
  if (!existsSync(join(dir, "index.json"))) throw new UserError(`${dir}: no feature cache; compute it first: psl features --config <config> [--shard i/n, then --merge]`);
  const cache = openFeatureCache(dir);
  const skipped = new Set(cache.skipped.map((s) => s.filename));
  const missing = rows.filter((r) => !cache.has(r.filename) && !skipped.has(r.filename));
  if (missing.length > 0) {
    throw new UserError(`${dir}: ${missing.length} of ${rows.length} clips have no features yet (e.g. ${missing[0].filename}); run psl features --config <config> (or its --shard jobs and --merge) first`);
  }
  return cache;
}

/** What was skipped and why, one clip a line (the first 20), for the end of a corpus-wide run. */
export function skippedSummary(skipped: readonly { filename: string; reason: string }[], shown = 20): string {
  const lines = skipped.slice(0, shown).map((s) => `  ${s.filename}: ${s.reason}`);
  if (skipped.length > shown) lines.push(`  … and ${skipped.length - shown} more`);
  return `features: skipped ${skipped.length} missing, unreadable or too long clip${skipped.length === 1 ? "" : "s"} or clips whose manifest duration is wrong (--strict fails instead):\n${lines.join("\n")}`;
}

/**
 * Settings that change a model's weights (progress and checkpoint cadence do not; nor does the teacher's
 * selfDistillation flag, whose effect, the training clips, is in the key as their fingerprint).
 */
function trainingKey(settings: TrainingSettings): Record<string, unknown> {
  const { checkpointEverySteps: _ignored, ...rest } = settings as TrainingSettings & { selfDistillation?: boolean };
  delete rest.selfDistillation;
  // Only a set decay is part of the key: runs cached before the option existed keep their keys.
  if (rest.learningRateDecay === null) delete (rest as Partial<TrainingSettings>).learningRateDecay;
  // Likewise augmentation: only a set one is part of the key.
  if (rest.augmentation === null || rest.augmentation === undefined) delete (rest as Partial<TrainingSettings>).augmentation;
  return rest;
}

/**
 * The target options that change a student: soft targets are the teacher's probabilities whatever the threshold or k
 * (so `--set annotation.threshold=0.3` re-uses a soft-target student instead of retraining an identical one).
 */
function targetKey(annotation: ExperimentConfig["annotation"]): Record<string, unknown> {
  if (annotation.target === "hard") return { target: "hard", threshold: annotation.threshold, weak: annotation.weak };
  if (annotation.target === "topk") return { target: "topk", topK: annotation.topK, weak: annotation.weak };
  return { target: "soft", weak: annotation.weak };
}

/** How chunks become inputs (lib/psl/chunking.ts): part of every chunk-level key, so older tables are not re-used. */
const CHUNK_INPUTS = "padded-to-chunk-length";

export async function runExperiment(config: ExperimentConfig, options: RunOptions = {}): Promise<ExperimentResult> {
  const until = ORDER.indexOf(options.until ?? "evaluate");
  const log = (message: string) => {
    console.error(`[psl] ${message}`);
    options.onProgress?.(message);
  };
  // Before any work: every field (notebooks may hand over a config they changed), the teacher source, the outputs.
  validateConfig(config, options.configSource);
  const alpha = config.student.alpha;
  const needsTeacher = alpha > 0 || until <= ORDER.indexOf("annotate");
  const namedDataset = options.datasets?.some((dataset) => dataset.name === config.dataset) ?? false;
  if (needsTeacher && !options.data) checkTeacherSource(config, namedDataset, options.configSource);
  refuseStageOverwrites(config, namedDataset, options.inputs);
  const wait = options.waitForLocks ?? true;
  const lock = <T>(dir: string, what: string, fn: () => T | Promise<T>) => withLock(join(dir, ".lock"), { what: `${what} in ${dir}`, wait, onWait: log }, fn);

  await initBackend({ preferred: config.backend === "auto" ? undefined : config.backend, quiet: true });
  const factory = options.createTrainer ?? createTrainer;
  const job = options.annotationJob;
  if (job && options.until !== "annotate") throw new UserError("annotation shard jobs stop at the annotate stage");
  const data = options.data ?? (await resolveData(config, log, { strict: options.strict, datasets: options.datasets, waitForLocks: wait, featuresReadOnly: Boolean(job) }));
  if (options.data) checkThresholdClasses(config, data.classNames);
  const reportDir = join(config.reportsDir, config.name);
  const result: ExperimentResult = { reportDir, skipped: data.skipped ?? [] };
  const C = config.numClasses;
  const teacherValidation = data.teacherValidation ?? data.validation;
  const fp = {
    teacherTrain: rowsFingerprint(data.teacherTrain),
    studentTrain: rowsFingerprint(data.studentTrain),
    validation: rowsFingerprint(data.validation),
    teacherValidation: rowsFingerprint(teacherValidation),
  };

  // 1. Teacher.
  let teacher: MobileNetV2 | undefined;
  let teacherKey = "none";
  if (needsTeacher) {
    if (config.teacher.checkpoint) {
      const path = resolve(config.teacher.checkpoint);
      if (!existsSync(path)) throw new UserError(`teacher.checkpoint: ${path} does not exist`);
      teacherKey = `pretrained-${fileFingerprint(path)}`;
      teacher = await loadTeacher(path);
      if (teacher.config.numClasses !== C) throw new UserError(`teacher.checkpoint ${path} has ${teacher.config.numClasses} classes, config.numClasses is ${C}`);
      result.teacher = { key: teacherKey, dir: path, checkpoint: path };
      log(`teacher: pretrained ${path}`);
    } else {
      const { key, dir } = artefactDir(config.cacheDir, "teacher", { data: fp.teacherTrain, validation: fp.teacherValidation, settings: trainingKey(config.teacher), numClasses: C, seed: config.seed });
      teacherKey = key;
      if (job) {
        // Annotation jobs only read a finished teacher: no lock (n jobs at once would queue on it, or fail with --no-wait).
        if (!isFinishedRun(dir)) throw new UserError(`teacher: not trained yet (${dir}); annotation shard jobs need a finished teacher: run psl train-teacher --config <config> first, or set teacher.checkpoint`);
        log(`teacher: cached ${dir}`);
      } else {
        await lock(dir, "teacher training", async () => {
          if (isFinishedRun(dir)) {
            log(`teacher: cached ${dir}`);
            return;
          }
          if (options.resume) continueShorterRun(dir, "teacher", log);
          log(`teacher: training in ${dir} (${data.teacherTrain.length} clips, validation ${teacherValidation.length})`);
          await trainTeacher({ dir, settings: config.teacher, numClasses: C, seed: config.seed, train: data.teacherTrain, validation: teacherValidation, features: data.features, createTrainer: factory, resume: options.resume ?? false, workers: config.workers, classNames: data.classNames });
        });
      }
      teacher = loadModel(join(dir, "best.safetensors"));
      result.teacher = { key, dir, checkpoint: join(dir, "best.safetensors") };
    }
  }

  try {
    if (until < ORDER.indexOf("annotate")) return result;
    // 2. Annotation (offline mode only; online mode runs the teacher inside the student's batches).
    const chunking = { chunkSeconds: config.annotation.chunkSeconds, hopSeconds: hopSecondsOf(config.annotation), minChunkSeconds: minChunkSecondsOf(config.annotation) };
    let table: PslTable | undefined;
    let annotationKey = "none";
    if (teacher && (config.annotation.mode === "offline" || until === ORDER.indexOf("annotate"))) {
      const { key, dir } = artefactDir(config.cacheDir, "annotation", { teacher: teacherKey, data: fp.studentTrain, ...chunking, inputs: CHUNK_INPUTS, numClasses: C });
      annotationKey = key;
      const annotate = () => {
        const what = job ? ("merge" in job ? "merging shards" : `job ${job.slice.index}/${job.slice.count}`) : "running";
        log(`annotation: ${existsSync(join(dir, "done.json")) ? "cached" : what} in ${dir}`);
        return annotateToDir(teacher!, data.studentTrain, data.features, dir, {
          ...chunking, shardClips: config.annotation.shardClips, classNames: data.classNames, shardLocks: { wait, onWait: log }, ...(job ?? {}),
        });
      };
      // Slice jobs share the folder by design: each shard is computed under its own lock (annotateToDir), so n jobs run
      // at once. A plain run and a merge, which write the whole table, take the stage lock.
      const out = job && "slice" in job ? await annotate() : await lock(dir, "annotation", annotate);
      table = out.table;
      result.annotation = { key, dir, table: out.path, tsv: out.tsv, rows: out.table?.filenames.length ?? 0, ...(job ? { job: { computed: out.computed, shards: out.shards, range: out.range } } : {}) };
    }
    if (until < ORDER.indexOf("student")) return result;

    // 3. Student.
    const source: TeacherTargetSource = alpha === 0 ? { kind: "none" } : config.annotation.mode === "online" ? { kind: "online", teacher: teacher! } : { kind: "table", table: table! };
    const studentSource = alpha === 0 ? { weak: true, ...chunking, inputs: CHUNK_INPUTS } : config.annotation.mode === "online" ? { online: teacherKey, ...chunking, inputs: CHUNK_INPUTS } : { annotation: annotationKey };
    const { key, dir } = artefactDir(config.cacheDir, "student", { source: studentSource, targets: alpha === 0 ? null : targetKey(config.annotation), data: fp.studentTrain, validation: fp.validation, settings: trainingKey(config.student), numClasses: C, seed: config.seed });
    refuseTeacherInside(config, dir);
    await lock(dir, "student training", async () => {
      if (isFinishedRun(dir)) {
        log(`student: cached ${dir}`);
        return;
      }
      if (options.resume) continueShorterRun(dir, "student", log);
      log(`student: training in ${dir} (alpha ${alpha}, ${alpha === 0 ? "weak labels" : config.annotation.mode} teacher targets)`);
      await trainStudent({
        dir, settings: config.student, numClasses: C, seed: config.seed, train: data.studentTrain, validation: data.validation, ...chunking,
        teacher: source, targetOptions: config.annotation, features: data.features, createTrainer: factory, resume: options.resume ?? false, workers: config.workers, classNames: data.classNames,
      });
    });
    result.student = { key, dir, checkpoint: join(dir, "best.safetensors") };
    if (until < ORDER.indexOf("evaluate")) return result;

    // 4. Evaluation on full eval clips. Reports name the training workers (not in the cache keys: another count gives
    // an equivalent model, equal to float rounding) so that a bit-for-bit reproduction knows what to set.
    const saved = loadCheckpoint(result.student.checkpoint);
    const student = createMobileNetV2FromWeights(saved.config, saved.tensors);
    try {
      const metrics = await evaluateModelAsync(student, data.eval, data.features, { classNames: data.classNames, progressLabel: "evaluate student" });
      saveEvaluation(join(reportDir, "student"), metrics, { experiment: config.name, checkpoint: result.student.checkpoint, split: "eval", trainingWorkers: saved.meta.workers ?? null });
      result.student.metrics = metrics;
    } finally {
      student.dispose();
    }
    if (teacher && result.teacher) {
      const metrics = await evaluateModelAsync(teacher, data.eval, data.features, { classNames: data.classNames, progressLabel: "evaluate teacher" });
      const trainingWorkers = config.teacher.checkpoint ? null : (loadCheckpoint(result.teacher.checkpoint).meta.workers ?? null);
      saveEvaluation(join(reportDir, "teacher"), metrics, { experiment: config.name, checkpoint: result.teacher.checkpoint, split: "eval", trainingWorkers });
      result.teacher.metrics = metrics;
    }
    return result;
  } finally {
    teacher?.dispose();
  }
}
