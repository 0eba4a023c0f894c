/**
 * Training and scoring for the notebooks, on top of the cached pipeline (lib/psl runExperiment): the teacher with a
 * live training curve, students by recipe name, PSL tables by chunk size, and clip scores of any trained model
 * (cached on disk by checkpoint and clip list, so notebooks 04–06 never re-score what an earlier one scored).
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { runExperiment } from "../psl/pipeline";
import type { EpochRecord, TrainerFactory } from "../psl/loop";
import { readPslTable, type PslTable } from "../psl/table";
import { scoreClipsAsync, clipTargets, type ClipRow } from "../psl/evaluate";
import type { FeatureSource } from "../psl/features";
import { fileFingerprint } from "../psl/cache";
import { openModel } from "../model/open";
import { evaluateScores, type EvalMetrics } from "../evaluation";
import { writeFileAtomic } from "../io/atomic";
import { liveChart, trainingCurveChart } from "../report/charts";
import { resolveSeries, seriesConfig, studentLearningRate, studentRecipe, type SeriesParameters, type ConfigChanges } from "./settings";
import { demoCorpusKey } from "../demo";
import { shippedTeacher } from "./demo-teacher";
import { loadSeriesData, type SeriesData } from "./data";

export interface TrainedModel {
  name: string;
  checkpoint: string;
  dir: string;
  /** Per-epoch loss and validation mAP (history.json of the run). */
  history: EpochRecord[];
  /** True when nothing was trained (found in the cache, or the shipped teacher). */
  cached: boolean;
  /** Model seed (students: one run per seed). */
  seed?: number;
  /**
   * "shipped": the committed demo teacher; "given": the user's checkpoint (parameter teacherCheckpoint, no training
   * history); "trained": trained (or cached) by this series.
   */
  origin?: "shipped" | "given" | "trained";
}

function readHistory(dir: string): EpochRecord[] {
  const path = join(dir, "history.json");
  if (!existsSync(path)) return [];
  try {
    return JSON.parse(readFileSync(path, "utf8")) as EpochRecord[];
  } catch {
    return []; // being replaced right now (atomic rename): the next poll reads it
  }
}

/** How the series trains: with a live curve, and (tests only) another trainer factory than the engine's. */
export interface SeriesTrainingOptions {
  live?: boolean;
  /** Trainer factory (default: the engine's). Tests pass one that stops mid-run, as a kernel restart would. */
  createTrainer?: TrainerFactory;
}

/**
 * Runs the pipeline up to `until` and follows the trained stage's history.json (written after every epoch) to
 * redraw a live training curve in place. The loop runs in this process, so the poll fires between training steps.
 */
async function runWithCurve(params: SeriesParameters, changes: ConfigChanges, until: "teacher" | "student", options: SeriesTrainingOptions): Promise<{ dir: string; checkpoint: string; cached: boolean; annotationTable?: string }> {
  const live = options.live ?? false;
  const series = await loadSeriesData(params);
  const config = seriesConfig(params, changes);
  const trained = until === "teacher" ? config.teacher : config.student;
  const maxEpochs = trained.steps !== null ? Math.ceil(trained.steps / (trained.validateEverySteps ?? trained.steps)) : trained.epochs;
  const chart = live ? liveChart({ height: "360px" }) : undefined;
  let trainingDir: string | undefined;
  let cached = true;
  let shown = 0;
  const poll = () => {
    if (!trainingDir || !chart) return;
    const history = readHistory(trainingDir);
    if (history.length !== shown || shown === 0) {
      shown = history.length;
      chart.update(trainingCurveChart(history, { title: `${until} training (live)`, maxEpochs }));
    }
  };
  const timer = setInterval(poll, 1000);
  try {
    const result = await runExperiment(config, {
      until,
      data: series.data,
      // A training stopped by a kernel restart or a kill continues from its last checkpoint (the loop's resume ends with
      // the weights of an uninterrupted run, bit for bit: lib/psl/loop.ts), and a larger `steps` / `teacherSteps`
      // continues the finished shorter cached run (lib/psl/extend-run.ts). Finished runs are re-used as before, and
      // other parameters name another cache folder, so nothing of a different run is ever continued.
      resume: true,
      createTrainer: options.createTrainer,
      onProgress(message) {
        const match = /^(teacher|student): training in (\S+)/.exec(message);
        if (match && match[1] === until) {
          trainingDir = match[2];
          cached = false;
          poll();
        }
      },
    });
    const stage = until === "teacher" ? result.teacher : result.student;
    if (!stage) throw new Error(`pipeline returned no ${until}`);
    // The final state of the live chart is what the saved notebook keeps: the complete curve, also for a cached
    // model (then it is the only draw).
    chart?.finish(trainingCurveChart(readHistory(stage.dir), { title: `${until === "teacher" ? "Teacher" : `Student ${changes.name ?? ""}`} training${cached ? " (from the cache)" : ""}`, maxEpochs }));
    return { dir: stage.dir, checkpoint: stage.checkpoint, cached, annotationTable: result.annotation?.table };
  } finally {
    clearInterval(timer);
  }
}

/**
 * The series' teacher: the user's checkpoint (teacherCheckpoint), the shipped demo teacher, or one trained (once,
 * cached) with the profile's teacher recipe.
 */
export async function trainTeacher(params: SeriesParameters, options: SeriesTrainingOptions = {}): Promise<TrainedModel> {
  const s = resolveSeries(params);
  if (s.teacherCheckpoint !== null) {
    // Nothing trained here, so no curve; the pipeline (runExperiment) checks the file itself when it is used.
    return { name: "teacher", checkpoint: s.teacherCheckpoint, dir: dirname(s.teacherCheckpoint), history: [], cached: true, origin: "given" };
  }
  if (s.useShippedTeacher) {
    const shipped = shippedTeacher(demoCorpusKey({ profile: s.demoProfile, seed: 0 }));
    const dir = dirname(shipped.checkpoint);
    return { name: "teacher", checkpoint: shipped.checkpoint, dir, history: readHistory(dir), cached: true, seed: shipped.recipe.seed, origin: "shipped" };
  }
  const run = await runWithCurve(params, { seed: s.teacher.seed }, "teacher", options);
  return { name: "teacher", checkpoint: run.checkpoint, dir: run.dir, history: readHistory(run.dir), cached: run.cached, seed: s.teacher.seed, origin: "trained" };
}

/** Config changes that plug the series' teacher into a student or annotation run. */
async function withTeacher(params: SeriesParameters, changes: ConfigChanges): Promise<ConfigChanges> {
  const teacher = await trainTeacher(params);
  return { ...changes, teacherCheckpoint: teacher.checkpoint };
}

/** Trains (or finds) one of the STUDENT_RECIPES ("weak", "psl-10s", "psl-5s", "psl-2s", "ts-2s") with one seed. */
export async function trainStudent(params: SeriesParameters, name: string, options: SeriesTrainingOptions & { seed?: number } = {}): Promise<TrainedModel> {
  const recipe = studentRecipe(name);
  const seed = options.seed ?? resolveSeries(params).seed;
  const changes = await withTeacher(params, { name, alpha: recipe.alpha, chunkSeconds: recipe.chunkSeconds, seed, learningRate: studentLearningRate(params, name) });
  const run = await runWithCurve(params, changes, "student", options);
  return { name, checkpoint: run.checkpoint, dir: run.dir, history: readHistory(run.dir), cached: run.cached, seed, origin: "trained" };
}

/** The PSL table (teacher probabilities per chunk of every student-training clip) for a chunk size; cached. */
export async function annotate(params: SeriesParameters, chunkSeconds: number): Promise<{ table: PslTable; path: string }> {
  const series = await loadSeriesData(params);
  const result = await runExperiment(seriesConfig(params, await withTeacher(params, { chunkSeconds })), { until: "annotate", data: series.data });
  if (!result.annotation) throw new Error("pipeline returned no annotation");
  return { table: readPslTable(result.annotation.table), path: result.annotation.table };
}

const scoreMemo = new Map<string, Float32Array>();

/**
 * Clip probabilities [rows, classes] of a checkpoint on full clips; cached in memory and on disk
 * (`<cacheDir>/scores/<hash>.f32`, hash of the checkpoint's content and the clip list). Asynchronous because the
 * webgpu backend (picked on a machine with a GPU) cannot read results synchronously in Node.
 */
export async function scoreCheckpoint(series: SeriesData, checkpoint: string, rows: readonly ClipRow[], features: FeatureSource = series.data.features): Promise<Float32Array> {
  const hash = createHash("sha256").update(fileFingerprint(checkpoint));
  for (const r of rows) hash.update(`${r.filename}\n`);
  const key = hash.digest("hex").slice(0, 16);
  const memo = scoreMemo.get(key);
  if (memo) return memo;
  const path = join(series.config.cacheDir, "scores", `${key}.f32`);
  let scores: Float32Array;
  if (existsSync(path)) {
    const bytes = readFileSync(path);
    scores = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  } else {
    // By content: a kit checkpoint, or a PyTorch one (a given teacher such as the authors' .pt).
    const model = openModel(checkpoint).model;
    try {
      scores = await scoreClipsAsync(model, rows, features);
    } finally {
      model.dispose();
    }
    writeFileAtomic(path, new Uint8Array(scores.buffer, scores.byteOffset, scores.byteLength));
  }
  scoreMemo.set(key, scores);
  return scores;
}

/** mAP, mean AUC, d′ … of a checkpoint on `rows` (default: the eval split), from cached scores. */
export async function evaluateCheckpoint(series: SeriesData, checkpoint: string, rows: readonly ClipRow[] = series.data.eval, features?: FeatureSource): Promise<EvalMetrics> {
  const C = series.config.numClasses;
  const scores = await scoreCheckpoint(series, checkpoint, rows, features);
  return evaluateScores(clipTargets(rows, C), scores, C, series.classNames);
}

/** The three headline metrics as plain numbers (what recordSummary stores). */
export function headline(metrics: EvalMetrics): { mAP: number; meanAUC: number; dPrime: number } {
  const r = (v: number) => Number(v.toFixed(4));
  return { mAP: r(metrics.mAP), meanAUC: r(metrics.meanAUC), dPrime: r(metrics.dPrime) };
}
