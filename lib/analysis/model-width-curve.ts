/**
 * A student's eval scores against the width of its MobileNetV2 (issue 13: "where a target is out of reach, show the
 * measured curve that says why (e.g. eval mAP vs corpus size or model width)"). Committed by
 * scripts/weak-by-model-width.ts: the default profile's weak student (its balanced clips, noisy weak labels, budget of
 * steps and learning rate) at several widths, and with `--student psl-2s` the PSL-2s student (the shipped teacher's
 * 2-s table) the same way; kept checkpoints selected on validation and scored on eval against the true labels. Nothing
 * is chosen from these scores.
 */
import { UserError } from "../errors";
import { repoPath } from "../io/repo-root";
import { readJsonFile } from "../io/json-file";
import { isFiniteNumber, measurementRuns, recipeSteps, requirePositiveNumbers } from "./measurement-runs";
import { targetsCheckRows, type TargetsCheckRow } from "./training-targets-check";
import { mean } from "../evaluation/mean";

/** The students measured by width: the weak student (the weak-AUC target) and PSL-2s (with it, the PSL-2s / weak ratio). */
export const MODEL_WIDTH_STUDENTS = ["weak", "psl-2s"] as const;
export type ModelWidthStudent = (typeof MODEL_WIDTH_STUDENTS)[number];

/** Where a student's measurement is committed. */
export function modelWidthPath(student: ModelWidthStudent = "weak"): string {
  return repoPath("data-manifests", "demo", "curves", `${student}-by-model-width.json`);
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
  for (const entry of runs) {
    requirePositiveNumbers(entry, ["widthMult", "secondsPerStep"]);
    cost.set(`${entry.run.widthMult}/${entry.run.seed}`, entry.run.secondsPerStep as number);
  }
  const widths = [...new Set(runs.map(({ run }) => run.widthMult as number))].sort((a, b) => a - b);
  return targetsCheckRows(file, where, "widthMult", widths).map((point) => ({
    ...point, secondsPerStep: point.seeds.map((seed) => cost.get(`${point.targets}/${seed}`)!),
  }));
}

/** A committed width curve: its student, its points, and the budget of steps and learning rate its runs share. */
export interface ModelWidthCurve {
  student: ModelWidthStudent;
  path: string;
  steps: number;
  learningRate: number;
  points: ModelWidthPoint[];
}

/**
 * A student's committed curve (or the one at `path`), read and grouped; every run must be that student's and share one
 * learning rate.
 */
export function committedModelWidthCurve(student: ModelWidthStudent = "weak", path = modelWidthPath(student)): ModelWidthCurve {
  const file = readJsonFile(path, `${student} model by width`);
  const steps = recipeSteps(file, path);
  const runs = measurementRuns(file, path);
  for (const { run, at } of runs) {
    if (run.student !== student) throw new UserError(`${at}.student must be "${student}", found ${JSON.stringify(run.student)}`);
  }
  const rates = new Set(runs.map(({ run }) => run.learningRate));
  const [learningRate] = rates;
  if (rates.size !== 1 || !isFiniteNumber(learningRate)) {
    throw new UserError(`${path}: the runs must share one numeric learningRate (only the width moves), found ${[...rates].map((r) => JSON.stringify(r)).join(", ")}`);
  }
  return { student, path, steps, learningRate, points: modelWidthCurve(file, path) };
}

/** One width's ratio of two students' eval mAP (issue 13's PSL-2s / weak target), over the seeds both have there. */
export interface WidthRatio {
  widthMult: number;
  seeds: number[];
  /** Mean eval mAP of each student over those seeds. */
  numeratorMAP: number;
  denominatorMAP: number;
  /** numeratorMAP / denominatorMAP: the target's form (a ratio of means, not a mean of ratios). */
  ratioOfMeans: number;
  /** Per seed, the same ratio (the order of `seeds`): how much it moves with the seed. */
  perSeed: number[];
}

/**
 * The ratio of `numerator`'s eval mAP to `denominator`'s (e.g. PSL-2s over weak) at each width both curves measured,
 * narrowest first, over the seeds both have at that width; a width without a common seed is left out.
 */
export function ratioByWidth(numerator: ModelWidthCurve, denominator: ModelWidthCurve): WidthRatio[] {
  return numerator.points.flatMap((top) => {
    const bottom = denominator.points.find((p) => p.targets === top.targets);
    const seeds = top.seeds.filter((seed) => bottom?.seeds.includes(seed));
    if (!bottom || seeds.length === 0) return [];
    const mAPs = (point: ModelWidthPoint) => seeds.map((seed) => point.evalMAP[point.seeds.indexOf(seed)]);
    const [over, under] = [mAPs(top), mAPs(bottom)];
    const [numeratorMAP, denominatorMAP] = [mean(over), mean(under)];
    return [{ widthMult: top.targets, seeds, numeratorMAP, denominatorMAP, ratioOfMeans: numeratorMAP / denominatorMAP, perSeed: over.map((v, i) => v / under[i]) }];
  });
}
