/**
 * Students of the default profile (or, for scripts that ask, the full profile's longer budget) trained and scored on the
 * VALIDATION split only, for the measurement scripts that choose a student setting or a teacher
 * (scripts/student-learning-rate.ts, student-augmentation.ts, student-by-teacher.ts) and those that explain a missed
 * target, and the measurement file they share: one recipe per file, entries merged by key. Nothing here computes an eval score,
 * so a choice made from these files cannot be tuned on eval. Cached corpus, features, PSL tables and finished runs are
 * reused (a run's directory is keyed by its whole config).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { cpus, loadavg } from "node:os";
import { runExperiment, type ExperimentData } from "../lib/psl/pipeline";
import type { EpochRecord } from "../lib/psl/loop";
import { validateConfig, type AnnotationSettings, type ExperimentConfig } from "../lib/psl/config";
import type { AugmentationSettings } from "../lib/data/augment";
import { writeJsonAtomic } from "../lib/io/atomic";
import { selectedPoint } from "../lib/analysis/step-curves";
import { readJsonFile } from "../lib/io/json-file";
import { repoPath } from "../lib/io/repo-root";
import { UserError } from "../lib/errors";
import {
  loadSeriesData, seriesConfig, studentRecipe, trainTeacher, resolveSeries, chanceMAP, type SeriesParameters, type TrainedModel,
} from "../lib/series";

export const round = (v: number) => Number(v.toFixed(4));

export interface StudentRecipe {
  widthMult: number;
  steps: number;
  validateEverySteps: number;
  batchSize: number;
}

/** The series profiles the measurement scripts train with: the default, or the full profile's longer budget. */
export type MeasurementProfile = "default" | "full";

/** The profile's student recipe that a measurement file's runs share (a file never mixes recipes). */
export function profileStudentRecipe(profileName: MeasurementProfile = "default"): StudentRecipe {
  const profile = resolveSeries({ profile: profileName, seeds: 1 });
  return { widthMult: profile.widthMult, steps: profile.studentSteps, validateEverySteps: profile.validateEverySteps, batchSize: profile.batchSize };
}

/** The default profile's learning rate for `student` (chosen on validation, lib/series/settings.ts). */
export function defaultLearningRate(student: string): number {
  const rates = resolveSeries({ profile: "default" }).studentLearningRates as Record<string, number | undefined>;
  const rate = rates[student];
  if (rate === undefined) throw new UserError(`--students: no default learning rate for "${student}" (known: ${Object.keys(rates).join(", ")})`);
  return rate;
}

/** The recipe a measurement file records: the profile's, less the fields its runs vary (each entry records those). */
export type FileRecipe = Partial<StudentRecipe>;

/**
 * Refuses, before any training, a measurement file that holds runs of another recipe (the profile's width, steps or
 * schedule changed since), so a file never mixes them under a recipe that describes only some. `varied` names the
 * recipe fields the file's runs vary on purpose (e.g. the width): they are left out of the file's recipe. Returns it.
 */
export function checkFileRecipe(
  out: string, what: string, profile: MeasurementProfile = "default", varied: readonly (keyof StudentRecipe)[] = [],
): FileRecipe {
  const recipe: FileRecipe = { ...profileStudentRecipe(profile) };
  for (const field of varied) delete recipe[field];
  const existing = existsSync(out) ? (readJsonFile(out, what) as { recipe?: unknown }).recipe : undefined;
  if (existing !== undefined && JSON.stringify(existing) !== JSON.stringify(recipe)) {
    throw new UserError(`${out} holds runs of recipe ${JSON.stringify(existing)}, not this profile's ${JSON.stringify(recipe)}: give another --out`);
  }
  return recipe;
}

/** The series data and teacher the runs share: loaded once, not per run. */
export interface ValidationContext {
  params: SeriesParameters;
  series: Awaited<ReturnType<typeof loadSeriesData>>;
  teacher: TrainedModel;
}

/** Which data, teacher and budget the runs of a measurement share (a script may change `params` per run, e.g. the width). */
export interface ValidationContextOptions {
  /** A teacher checkpoint (a path from the repository root) in place of the shipped teacher. */
  teacherCheckpoint?: string;
  /** "full" trains the full profile's longer budget on the same data. */
  profile?: MeasurementProfile;
}

/** The default profile's data with the shipped teacher, changed as `options` say. */
export async function validationContext(options: ValidationContextOptions = {}): Promise<ValidationContext> {
  const { teacherCheckpoint, profile = "default" } = options;
  const params: SeriesParameters = { profile, seeds: 1, ...(teacherCheckpoint ? { teacherCheckpoint } : {}) };
  return { params, series: await loadSeriesData(params), teacher: await trainTeacher(params) };
}

export interface ValidationRunRequest {
  student: string;
  seed: number;
  learningRate: number;
  /** Student augmentation (null = none, the profile's default). */
  augmentation: AugmentationSettings | null;
  /** The teacher's targets (absent: the profile's, soft probabilities as the paper). */
  targets?: Pick<AnnotationSettings, "target" | "threshold">;
  /**
   * The students' training rows in place of the series' (e.g. the same clips with their TRUE labels). The pipeline keys
   * its caches by the rows' fingerprint, so such a run never reuses one trained on the series' rows.
   */
  studentTrain?: ExperimentData["studentTrain"];
  log: (message: string) => void;
}

/** One run as the measurement files record it. */
export interface ValidationRunEntry {
  student: string;
  learningRate: number;
  augmentation: AugmentationSettings | null;
  /** The teacher's targets the student learned (the annotation's `target` and `threshold`). */
  targets: Pick<AnnotationSettings, "target" | "threshold">;
  seed: number;
  /** The step budget (null: the config trains by epochs). */
  steps: number | null;
  runDir: string;
  bestValidationMAP: number;
  bestValidationAUC: number;
  bestStep: number | undefined;
  trainingSeconds: number;
  validation: { step: number | undefined; meanLoss: number; validationMAP: number; validationAUC: number }[];
  machine: { cores: number; loadAverage1mAtEnd: number };
}

/** Trains (or finds cached) one student and returns its validation curve and best point, and the config it ran. */
export async function trainOnValidation(
  context: ValidationContext,
  request: ValidationRunRequest,
): Promise<{ entry: ValidationRunEntry; chanceValidationMAP: number; curve: string; pslTable: string | null; config: ExperimentConfig }> {
  const recipe = studentRecipe(request.student);
  const base = seriesConfig(context.params, {
    name: request.student, alpha: recipe.alpha, chunkSeconds: recipe.chunkSeconds, seed: request.seed, teacherCheckpoint: context.teacher.checkpoint, learningRate: request.learningRate,
  });
  const config = validateConfig(
    { ...base, student: { ...base.student, augmentation: request.augmentation }, annotation: { ...base.annotation, ...request.targets } },
    "student settings",
  );
  const data = request.studentTrain ? { ...context.series.data, studentTrain: request.studentTrain } : context.series.data;
  const result = await runExperiment(config, { until: "student", data, onProgress: request.log });
  const dir = result.student?.dir;
  if (!dir || !existsSync(join(dir, "history.json"))) throw new Error(`${request.student} seed ${request.seed}: the run left no history.json`);
  const history = readJsonFile(join(dir, "history.json"), "training history") as EpochRecord[];
  const best = selectedPoint(history);
  return {
    entry: {
      student: request.student, learningRate: request.learningRate, augmentation: request.augmentation,
      targets: { target: config.annotation.target, threshold: config.annotation.threshold }, seed: request.seed, steps: config.student.steps,
      runDir: dir.replace(repoPath() + "/", ""),
      bestValidationMAP: round(best.validationMAP), bestValidationAUC: round(best.validationAUC), bestStep: best.step,
      trainingSeconds: round(history.reduce((a, r) => a + r.seconds, 0)),
      validation: history.map((r) => ({ step: r.step, meanLoss: round(r.meanLoss), validationMAP: round(r.validationMAP), validationAUC: round(r.validationAUC) })),
      machine: { cores: cpus().length, loadAverage1mAtEnd: round(loadavg()[0]) },
    },
    chanceValidationMAP: round(chanceMAP(context.series.data.validation, config.numClasses)),
    curve: history.map((r) => r.validationMAP.toFixed(3)).join(" "),
    pslTable: result.annotation?.table ?? null,
    config,
  };
}

export interface RecordedRun {
  key: string;
  entry: Record<string, unknown>;
  chanceValidationMAP: number;
  /** The recipe the file's runs share (absent: the default profile's). */
  recipe?: FileRecipe;
}

/**
 * Merges one run into the measurement file `out` under `run.key` and rewrites it (its other keys kept; description,
 * recipe and chance level are the script's). `derived` adds fields computed from all runs (a summary). Returns the runs.
 */
export function recordRun(
  out: string,
  what: string,
  description: string,
  run: RecordedRun,
  derived: (runs: Record<string, unknown>) => Record<string, unknown> = () => ({}),
): Record<string, unknown> {
  const file = existsSync(out) ? (readJsonFile(out, what) as Record<string, unknown>) : {};
  const runs = { ...((file.runs ?? {}) as Record<string, unknown>), [run.key]: run.entry };
  writeJsonAtomic(out, { ...file, description, recipe: run.recipe ?? profileStudentRecipe(), chanceValidationMAP: run.chanceValidationMAP, runs, ...derived(runs) });
  return runs;
}
