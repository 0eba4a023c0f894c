/**
 * The PSL experiment, stage by stage, with caching: teacher → annotation (pseudo strong labels) → student → evaluation.
 *
 * `runExperiment(config, {resume, until, datasets})` resolves the data (a named dataset such as the demo corpus, passed
 * in `datasets`, or manifests), computes the log-mel feature
 * cache once, then runs each stage only when its cached artefact (keyed by the parameters that matter, see cache.ts) is
 * missing: changing a threshold re-trains only the student; changing the chunk size re-annotates with the same teacher.
 * With `resume`, an interrupted training stage continues from its last checkpoint; without it, it starts over. Finished
 * artefacts are always re-used, and so are annotation's finished shards (each is a pure function of the annotation key).
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { UserError } from "../errors";
import { initBackend } from "../nn/backend";
import { createTrainer } from "../engine/trainer";
import { readManifest, type ManifestRow } from "../data/manifest";
import { readClassLabels } from "../data/classes";
import { buildFeatureCache, openFeatureCache, type FeatureCache } from "../data/feature-cache";
import { createRng } from "../data/random";
import type { NamedDataset } from "../data/named-dataset";
import { loadModel } from "../model/checkpoint";
import type { MobileNetV2 } from "../model/mobilenetv2";
import type { EvalMetrics } from "../evaluation";
import { repoPath } from "../io/repo-root";
import { createProgress } from "../report/progress";
import { annotateToDir } from "./annotate";
import { artefactDir, fileFingerprint, rowsFingerprint } from "./cache";
import { hopSecondsOf, type ExperimentConfig, type TrainingSettings } from "./config";
import { evaluateModelAsync, saveEvaluation } from "./evaluate";
import type { FeatureSource } from "./features";
import { readLoopState, type TrainerFactory } from "./loop";
import { trainStudent, type TeacherTargetSource } from "./student";
import type { PslTable } from "./table";
import { loadTeacher, trainTeacher, type ManifestLikeRow } from "./teacher";

export type Stage = "teacher" | "annotate" | "student" | "evaluate";
const ORDER: Stage[] = ["teacher", "annotate", "student", "evaluate"];

export interface ExperimentData {
  teacherTrain: ManifestLikeRow[];
  studentTrain: ManifestLikeRow[];
  validation: ManifestLikeRow[];
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
    const manifests = await named.prepare({ profile: d.demoProfile, seed: config.seed, onProgress: () => progress.tick(0) });
    progress.done();
    teacherTrain = read(d.teacherTrain) ?? readManifest(manifests.teacherTrain);
    studentTrain = read(d.studentTrain) ?? readManifest(manifests.studentTrain);
    validation = read(d.validation) ?? readManifest(manifests.validation);
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
    const labels = d.classLabels ?? (config.dataset === "audioset" ? repoPath("data-manifests", "audioset", "class_labels_indices.csv") : null);
    if (labels && existsSync(labels)) classNames = classNamesFrom(readClassLabels(labels), config.numClasses);
  }
  const listed = [...(teacherTrain ?? []), ...studentTrain, ...(validation ?? []), ...evalRows];
  for (const row of listed) {
    for (const c of row.labels) if (c >= config.numClasses) throw new UserError(`${row.filename}: label ${c} ≥ numClasses ${config.numClasses}`);
  }
  return { teacherTrain, studentTrain, validation, evalRows, classNames, listed };
}

/** Resolves the config's dataset into manifests + a feature cache (computed once under `<cacheDir>/features`). */
export async function resolveData(config: ExperimentConfig, log: (m: string) => void = () => {}, options: { strict?: boolean; datasets?: readonly NamedDataset[]; featuresReadOnly?: boolean } = {}): Promise<ExperimentData> {
  const d = config.data;
  const manifests = await resolveManifests(config, options.datasets);
  const { teacherTrain, evalRows, classNames, listed } = manifests;
  let { studentTrain, validation } = manifests;
  const all = featureRows(listed);
  const cache = options.featuresReadOnly ? openCompleteFeatureCache(config, all) : await buildFeatures(config, all, { strict: options.strict });
  if (cache.skipped.length) log(skippedSummary(cache.skipped));
  const keep = (rows: ManifestRow[]) => rows.filter((r) => cache.has(r.filename));
  // The validation split is drawn from the readable clips only: drawn before skipping, it could hold nothing but
  // broken clips and the run would fail after training (no clips to evaluate). With no skipped clip it is the same split.
  studentTrain = keep(studentTrain);
  if (validation) {
    validation = keep(validation);
  } else {
    // No validation manifest: hold out part of the student's training clips (never validate on training clips).
    const split = splitValidation(studentTrain, d.validationFraction, config.seed);
    studentTrain = split.train;
    validation = split.validation;
    log(`validation: held out ${validation.length} of ${validation.length + studentTrain.length} training clips (data.validationFraction ${d.validationFraction})`);
  }
  const splits = { teacherTrain: teacherTrain ? keep(teacherTrain) : studentTrain, studentTrain, validation, eval: keep(evalRows) };
  for (const [split, rows] of Object.entries(splits)) {
    if (rows.length === 0) throw new UserError(`${split}: no readable clips left (${cache.skipped.length} skipped as missing, unreadable or too long)`);
  }
  return { ...splits, classNames, features: cache, skipped: cache.skipped };
}

/** Every clip of the listed rows once (by audio path), in a fixed order: the unit `psl features --shard` slices. */
export function featureRows(listed: readonly ManifestRow[]): ManifestRow[] {
  const all = new Map<string, ManifestRow>();
  for (const row of listed) all.set(row.path ?? row.filename, row);
  return [...all.values()];
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
  return `features: skipped ${skipped.length} missing, unreadable or too long clip${skipped.length === 1 ? "" : "s"} (--strict fails instead):\n${lines.join("\n")}`;
}

/** Settings that change a model's weights (progress and checkpoint cadence do not). */
function trainingKey(settings: TrainingSettings): Record<string, unknown> {
  const { checkpointEverySteps: _ignored, ...rest } = settings;
  return rest;
}

function finished(dir: string): boolean {
  return existsSync(join(dir, "best.safetensors")) && readLoopState(dir)?.finished === true;
}

export async function runExperiment(config: ExperimentConfig, options: RunOptions = {}): Promise<ExperimentResult> {
  const until = ORDER.indexOf(options.until ?? "evaluate");
  const log = (message: string) => {
    console.error(`[psl] ${message}`);
    options.onProgress?.(message);
  };
  await initBackend({ preferred: config.backend === "auto" ? undefined : config.backend, quiet: true });
  const factory = options.createTrainer ?? createTrainer;
  const job = options.annotationJob;
  if (job && options.until !== "annotate") throw new UserError("annotation shard jobs stop at the annotate stage");
  const data = options.data ?? (await resolveData(config, log, { strict: options.strict, datasets: options.datasets, featuresReadOnly: Boolean(job) }));
  const reportDir = join(config.reportsDir, config.name);
  const result: ExperimentResult = { reportDir, skipped: data.skipped ?? [] };
  const alpha = config.student.alpha;
  const needsTeacher = alpha > 0 || until <= ORDER.indexOf("annotate");
  const C = config.numClasses;
  const fp = {
    teacherTrain: rowsFingerprint(data.teacherTrain),
    studentTrain: rowsFingerprint(data.studentTrain),
    validation: rowsFingerprint(data.validation),
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
      const { key, dir } = artefactDir(config.cacheDir, "teacher", { data: fp.teacherTrain, validation: fp.validation, settings: trainingKey(config.teacher), numClasses: C, seed: config.seed });
      teacherKey = key;
      if (finished(dir)) {
        log(`teacher: cached ${dir}`);
      } else if (job) {
        throw new UserError(`teacher: not trained yet (${dir}); annotation shard jobs need a finished teacher: run psl train-teacher --config <config> first, or set teacher.checkpoint`);
      } else {
        log(`teacher: training in ${dir} (${data.teacherTrain.length} clips, validation ${data.validation.length})`);
        await trainTeacher({ dir, settings: config.teacher, numClasses: C, seed: config.seed, train: data.teacherTrain, validation: data.validation, features: data.features, createTrainer: factory, resume: options.resume ?? false, workers: config.workers, classNames: data.classNames });
      }
      teacher = loadModel(join(dir, "best.safetensors"));
      result.teacher = { key, dir, checkpoint: join(dir, "best.safetensors") };
    }
  }

  try {
    if (until < ORDER.indexOf("annotate")) return result;
    // 2. Annotation (offline mode only; online mode runs the teacher inside the student's batches).
    const chunkSeconds = config.annotation.chunkSeconds;
    const hopSeconds = hopSecondsOf(config.annotation);
    let table: PslTable | undefined;
    let annotationKey = "none";
    if (teacher && (config.annotation.mode === "offline" || until === ORDER.indexOf("annotate"))) {
      const { key, dir } = artefactDir(config.cacheDir, "annotation", { teacher: teacherKey, data: fp.studentTrain, chunkSeconds, hopSeconds, numClasses: C });
      annotationKey = key;
      const what = job ? ("merge" in job ? "merging shards" : `job ${job.slice.index}/${job.slice.count}`) : "running";
      log(`annotation: ${existsSync(join(dir, "done.json")) ? "cached" : what} in ${dir}`);
      const out = await annotateToDir(teacher, data.studentTrain, data.features, dir, {
        chunkSeconds, hopSeconds, shardClips: config.annotation.shardClips, classNames: data.classNames, ...(job ?? {}),
      });
      table = out.table;
      result.annotation = { key, dir, table: out.path, tsv: out.tsv, rows: out.table?.filenames.length ?? 0, ...(job ? { job: { computed: out.computed, shards: out.shards, range: out.range } } : {}) };
    }
    if (until < ORDER.indexOf("student")) return result;

    // 3. Student.
    const source: TeacherTargetSource = alpha === 0 ? { kind: "none" } : config.annotation.mode === "online" ? { kind: "online", teacher: teacher! } : { kind: "table", table: table! };
    const targetKey = alpha === 0 ? null : { target: config.annotation.target, threshold: config.annotation.threshold, topK: config.annotation.topK, weak: config.annotation.weak };
    const studentSource = alpha === 0 ? { weak: true, chunkSeconds, hopSeconds } : config.annotation.mode === "online" ? { online: teacherKey, chunkSeconds, hopSeconds } : { annotation: annotationKey };
    const { key, dir } = artefactDir(config.cacheDir, "student", { source: studentSource, targets: targetKey, data: fp.studentTrain, validation: fp.validation, settings: trainingKey(config.student), numClasses: C, seed: config.seed });
    if (finished(dir)) {
      log(`student: cached ${dir}`);
    } else {
      log(`student: training in ${dir} (alpha ${alpha}, ${alpha === 0 ? "weak labels" : config.annotation.mode} teacher targets)`);
      await trainStudent({
        dir, settings: config.student, numClasses: C, seed: config.seed, train: data.studentTrain, validation: data.validation, chunkSeconds, hopSeconds,
        teacher: source, targetOptions: config.annotation, features: data.features, createTrainer: factory, resume: options.resume ?? false, workers: config.workers, classNames: data.classNames,
      });
    }
    result.student = { key, dir, checkpoint: join(dir, "best.safetensors") };
    if (until < ORDER.indexOf("evaluate")) return result;

    // 4. Evaluation on full eval clips.
    const student = loadModel(result.student.checkpoint);
    try {
      const metrics = await evaluateModelAsync(student, data.eval, data.features, { classNames: data.classNames, progressLabel: "evaluate student" });
      saveEvaluation(join(reportDir, "student"), metrics, { experiment: config.name, checkpoint: result.student.checkpoint, split: "eval" });
      result.student.metrics = metrics;
    } finally {
      student.dispose();
    }
    if (teacher && result.teacher) {
      const metrics = await evaluateModelAsync(teacher, data.eval, data.features, { classNames: data.classNames, progressLabel: "evaluate teacher" });
      saveEvaluation(join(reportDir, "teacher"), metrics, { experiment: config.name, checkpoint: result.teacher.checkpoint, split: "eval" });
      result.teacher.metrics = metrics;
    }
    return result;
  } finally {
    teacher?.dispose();
  }
}
