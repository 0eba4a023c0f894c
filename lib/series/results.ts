/**
 * The students' results as the notebooks report them: every recipe over its seeds, each seed scored on the eval split
 * against the TRUE labels (the headline) and against AudioSet-like NOISY eval labels, mean ± 95 % interval over seeds ×
 * eval clips, the paired difference PSL-2s − weak, and the chance level (a random scorer's mAP: each class's positive
 * rate). Models and scores come from the series' caches, so notebooks 04, 05 and 06 share them.
 */
import { readManifest } from "../data/manifest";
import { clipTargets, type ClipRow } from "../psl/evaluate";
import { evaluateScores, type EvalMetrics } from "../evaluation";
import { pairedSeedDifference, seedInterval, type PairedSeedDifference, type SeedInterval } from "../analysis/seed-intervals";
import type { FeatureSource } from "../psl/features";
import { loadSeriesData, type SeriesData } from "./data";
import { scoreCheckpoint, trainStudent, type TrainedModel } from "./run";
import { STUDENT_RECIPES, resolveSeries, studentLearningRate, studentSeeds, type SeriesParameters } from "./settings";

export type EvalLabels = "truth" | "noisy";

export interface StudentResult {
  name: string;
  label: string;
  runs: TrainedModel[];
  seeds: number[];
  /** Optimizer steps each run took. */
  steps: number;
  /** Adam's learning rate of its runs (settings.ts: per recipe, chosen on validation). */
  learningRate: number;
  truth: SeedInterval;
  /** Against the noisy eval labels (demo only; equals `truth` elsewhere). */
  noisy: SeedInterval;
}

export interface StudentResults {
  students: StudentResult[];
  /** mAP of a random scorer on the eval split (true labels / noisy labels). */
  chanceMAP: { truth: number; noisy: number };
  /** PSL-2s − weak over seeds × eval clips, per label set. */
  pairedDifference: { truth: PairedSeedDifference; noisy: PairedSeedDifference } | null;
  evalClips: number;
}

/** A random scorer's expected AP for a class is its positive rate; chance mAP averages that over classes with positives. */
export function chanceMAP(rows: readonly ClipRow[], numClasses: number): number {
  const positives = new Float64Array(numClasses);
  for (const row of rows) for (const c of row.labels) positives[c] += 1;
  let sum = 0;
  let count = 0;
  for (const p of positives) {
    if (p > 0) {
      sum += p / rows.length;
      count += 1;
    }
  }
  return count === 0 ? 0 : sum / count;
}

/** Eval rows with the noisy labels (demo corpus), in the order of `evalRows`; the eval rows themselves elsewhere. */
export function noisyEvalRows(series: SeriesData, evalRows: readonly ClipRow[] = series.data.eval): ClipRow[] {
  const path = series.corpus?.splits.eval.noisyManifest;
  if (!path) return [...evalRows];
  const noisy = new Map(readManifest(path).map((r) => [r.filename, r.labels]));
  return evalRows.map((r) => ({ filename: r.filename, labels: noisy.get(r.filename) ?? r.labels }));
}

export interface StudentResultOptions {
  /** Recipes to train/score (default every STUDENT_RECIPES name). */
  names?: readonly string[];
  /** Draw training curves live (notebook 04). */
  live?: boolean;
  /** Bootstrap resamples (default 300; fewer in quick). */
  resamples?: number;
  /** Rows to score instead of the eval split (e.g. a second domain), with their features. */
  rows?: readonly ClipRow[];
  features?: FeatureSource;
  onTrained?: (model: TrainedModel) => void;
}

/** Trains (or loads) every student over its seeds and scores them; see the module comment. */
export async function studentResults(params: SeriesParameters, options: StudentResultOptions = {}): Promise<StudentResults> {
  const series = await loadSeriesData(params);
  const C = series.config.numClasses;
  const s = resolveSeries(params);
  const rows = options.rows ?? series.data.eval;
  const truthTargets = clipTargets(rows, C);
  const noisyRows = options.rows ? [...rows] : noisyEvalRows(series, rows);
  const noisyTargets = clipTargets(noisyRows, C);
  const resamples = options.resamples ?? (s.profile === "quick" ? 100 : 300);
  const names = options.names ?? STUDENT_RECIPES.map((r) => r.name);
  const scores = new Map<string, Float32Array[]>();
  const students: StudentResult[] = [];
  for (const name of names) {
    const recipe = STUDENT_RECIPES.find((r) => r.name === name)!;
    const runs: TrainedModel[] = [];
    for (const seed of studentSeeds(params, name)) {
      const run = await trainStudent(params, name, { seed, live: options.live });
      options.onTrained?.(run);
      runs.push(run);
    }
    const matrices: Float32Array[] = [];
    for (const r of runs) matrices.push(await scoreCheckpoint(series, r.checkpoint, rows, options.features));
    scores.set(name, matrices);
    const last = runs[0].history.at(-1);
    students.push({
      name,
      label: recipe.label,
      runs,
      seeds: runs.map((r) => r.seed ?? s.seed),
      steps: last?.step ?? s.studentSteps,
      learningRate: studentLearningRate(params, name),
      truth: seedInterval(truthTargets, matrices, C, { resamples, seed: 1 }),
      noisy: seedInterval(noisyTargets, matrices, C, { resamples, seed: 1 }),
    });
  }
  const weak = scores.get("weak");
  const psl2 = scores.get("psl-2s");
  const pairedDifference = weak && psl2
    ? {
        truth: pairedSeedDifference(truthTargets, weak, psl2, C, { resamples, seed: 2 }),
        noisy: pairedSeedDifference(noisyTargets, weak, psl2, C, { resamples, seed: 2 }),
      }
    : null;
  return { students, chanceMAP: { truth: chanceMAP(rows, C), noisy: chanceMAP(noisyRows, C) }, pairedDifference, evalClips: rows.length };
}

/** Eval metrics of one checkpoint against the noisy eval labels (demo) — the AudioSet way of scoring. */
export async function evaluateNoisy(series: SeriesData, checkpoint: string): Promise<EvalMetrics> {
  const rows = noisyEvalRows(series);
  return evaluateScores(clipTargets(rows, series.config.numClasses), await scoreCheckpoint(series, checkpoint, series.data.eval), series.config.numClasses, series.classNames);
}
