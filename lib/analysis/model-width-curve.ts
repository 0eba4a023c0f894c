/**
 * The weak student's eval scores against the width of its MobileNetV2 (issue 13: "where a target is out of reach, show
 * the measured curve that says why (e.g. eval mAP vs corpus size or model width)"). Committed by
 * scripts/weak-by-model-width.ts: the default profile's weak student (its balanced clips, noisy weak labels, budget of
 * steps and learning rate) at several widths, kept checkpoints selected on validation and scored on eval against the
 * true labels. Nothing is chosen from these scores.
 */
import { UserError } from "../errors";
import { repoPath } from "../io/repo-root";
import { readJsonFile } from "../io/json-file";
import { isFiniteNumber, measurementRuns, recipeSteps } from "./measurement-runs";
import { targetsCheckRows, type TargetsCheckRow } from "./training-targets-check";

/** Where the measurement is committed. */
export function weakByModelWidthPath(): string {
  return repoPath("data-manifests", "demo", "curves", "weak-by-model-width.json");
}

/** One width over its seeds (`targets`: the width multiplier), with what a training step cost there. */
export interface ModelWidthPoint extends TargetsCheckRow<number> {
  /** Wall seconds per optimizer step (validation included), per seed in the order of `seeds`: the price of the width. */
  secondsPerStep: number[];
}

/** The file's runs grouped by `widthMult`, narrowest first; the file, run and field named in any error. */
export function modelWidthCurve(file: unknown, where: string): ModelWidthPoint[] {
  const runs = measurementRuns(file, where);
  const cost = new Map<string, number>();
  for (const { run, at } of runs) {
    if (!isFiniteNumber(run.widthMult) || run.widthMult <= 0) throw new UserError(`${at}.widthMult must be a positive number`);
    if (!isFiniteNumber(run.secondsPerStep) || run.secondsPerStep <= 0) throw new UserError(`${at}.secondsPerStep must be a positive number`);
    cost.set(`${run.widthMult}/${run.seed}`, run.secondsPerStep);
  }
  const widths = [...new Set(runs.map(({ run }) => run.widthMult as number))].sort((a, b) => a - b);
  return targetsCheckRows(file, where, "widthMult", widths).map((point) => ({
    ...point, secondsPerStep: point.seeds.map((seed) => cost.get(`${point.targets}/${seed}`)!),
  }));
}

/** A committed width curve: its points, and the budget of steps and learning rate its runs share. */
export interface ModelWidthCurve {
  path: string;
  steps: number;
  learningRate: number;
  points: ModelWidthPoint[];
}

/** The committed curve (or `path`), read and grouped; every run must share one learning rate. */
export function committedWeakByModelWidth(path = weakByModelWidthPath()): ModelWidthCurve {
  const file = readJsonFile(path, "weak model by width");
  const steps = recipeSteps(file, path);
  const rates = new Set(measurementRuns(file, path).map(({ run }) => run.learningRate));
  const [learningRate] = rates;
  if (rates.size !== 1 || !isFiniteNumber(learningRate)) {
    throw new UserError(`${path}: the runs must share one numeric learningRate (only the width moves), found ${[...rates].map((r) => JSON.stringify(r)).join(", ")}`);
  }
  return { path, steps, learningRate, points: modelWidthCurve(file, path) };
}
