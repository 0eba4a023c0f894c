/**
 * Student learning curves over optimizer steps (issue 13): the measured file data-manifests/demo/curves/student-steps.json
 * that scripts/student-step-curves.ts writes, read and checked, and what a report needs from it — each student's
 * validation-selected point (the loop's rule: the first step with the highest validation mAP) and its point at a step
 * budget (the profile's `studentSteps`).
 *
 * Eval scores in this file were computed at every validation point FOR THE CURVE ONLY: selection uses validation mAP,
 * never eval. The reader checks what a reader of the curve relies on (steps increasing on the validation grid, every
 * metric a fraction, one step grid for all students) and names the file and field of anything wrong.
 */
import { readFileSync } from "node:fs";
import { UserError } from "../errors";
import { repoPath } from "../io/repo-root";

/** One validation point of a curve. */
export interface StepCurvePoint {
  step: number;
  meanLoss: number;
  /** Held-out validation recordings: what the loop selects on. */
  validationMAP: number;
  validationAUC: number;
  /** Eval split, scored at this step for the curve only, against the true and the noisy eval labels. */
  evalMAP: { truth: number; noisy: number };
  evalMeanAUC: { truth: number; noisy: number };
  /** Wall seconds of this validation period's training steps (on a loaded machine: see `machine`). */
  periodSeconds: number;
}

export interface StepCurveStudent {
  label: string;
  alpha: number;
  chunkSeconds: number;
  seed: number;
  stepBudget: number;
  /** The run's cache folder when measured (relative to the repository root). */
  runDir?: string;
  secondsPerStep: number | null;
  machine?: { cores: number; loadAverage1mAtEnd: number; note: string };
  command: string;
  points: StepCurvePoint[];
}

export interface StepCurvesFile {
  description: string;
  corpus: { profile: string; key: string | null; evalClips: number; validationClips: number; trainClips: number };
  teacher: { checkpoint: string; eval: { truthMAP: number | null; noisyMAP: number | null } };
  recipe: { widthMult: number; batchSize: number; learningRate: number; validateEverySteps: number; defaultProfileSteps: number };
  chanceMAP: { truth: number; noisy: number; validation: number };
  chanceAUC: number;
  students: Record<string, StepCurveStudent>;
  /** Eval scores of the selected (best) and last checkpoints and PSL-2s − weak with its interval (`--compare`). */
  comparison?: {
    note: string;
    best: StepCurveComparison;
    last: StepCurveComparison;
  };
}

export interface StepCurveComparison {
  students: Record<string, { step: number; evalMAP: { truth: number; noisy: number }; evalMeanAUC: { truth: number; noisy: number } }>;
  pslMinusWeak: Record<"truth" | "noisy", { mAP: number; ci95: [number, number]; probabilityBetter: number }>;
}

/** Where the series' measured curves are committed. */
export function stepCurvesPath(): string {
  return repoPath("data-manifests", "demo", "curves", "student-steps.json");
}

function fail(path: string, field: string, problem: string): never {
  throw new UserError(`${path}: ${field} ${problem}`);
}

function fraction(path: string, field: string, value: unknown): void {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > 1) fail(path, field, `must be a number in [0, 1], got ${JSON.stringify(value)}`);
}

function positive(path: string, field: string, value: unknown): void {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) fail(path, field, `must be a positive number, got ${JSON.stringify(value)}`);
}

/** Checks a parsed curves file; returns it typed. `path` only names the source in errors. */
export function checkStepCurves(value: unknown, path = "student-steps.json"): StepCurvesFile {
  if (typeof value !== "object" || value === null) fail(path, "the file", "must hold a JSON object");
  const file = value as StepCurvesFile;
  if (typeof file.description !== "string") fail(path, "description", "is missing");
  if (typeof file.recipe !== "object" || file.recipe === null) fail(path, "recipe", "is missing");
  for (const key of ["widthMult", "batchSize", "learningRate", "validateEverySteps", "defaultProfileSteps"] as const) positive(path, `recipe.${key}`, file.recipe[key]);
  if (typeof file.chanceMAP !== "object" || file.chanceMAP === null) fail(path, "chanceMAP", "is missing");
  for (const key of ["truth", "noisy", "validation"] as const) fraction(path, `chanceMAP.${key}`, file.chanceMAP[key]);
  if (typeof file.corpus !== "object" || file.corpus === null) fail(path, "corpus", "is missing");
  if (typeof file.teacher !== "object" || file.teacher === null) fail(path, "teacher", "is missing");
  const students = Object.entries(file.students ?? {});
  if (students.length === 0) fail(path, "students", "is missing or empty");
  const every = file.recipe.validateEverySteps;
  let grid: string | undefined;
  for (const [name, s] of students) {
    const at = `students.${name}`;
    positive(path, `${at}.stepBudget`, s.stepBudget);
    if (!Number.isInteger(s.seed)) fail(path, `${at}.seed`, `must be an integer, got ${JSON.stringify(s.seed)}`);
    if (!Array.isArray(s.points) || s.points.length === 0) fail(path, `${at}.points`, "is missing or empty");
    s.points.forEach((p, i) => {
      const field = `${at}.points[${i}]`;
      if (!Number.isInteger(p.step) || p.step <= 0 || p.step % every !== 0) fail(path, `${field}.step`, `must be a positive multiple of recipe.validateEverySteps (${every}), got ${JSON.stringify(p.step)}`);
      if (i > 0 && p.step <= s.points[i - 1].step) fail(path, `${field}.step`, `must be larger than the step before it (${s.points[i - 1].step}), got ${p.step}`);
      if (p.step > s.stepBudget) fail(path, `${field}.step`, `${p.step} is beyond the student's stepBudget ${s.stepBudget}`);
      fraction(path, `${field}.validationMAP`, p.validationMAP);
      fraction(path, `${field}.validationAUC`, p.validationAUC);
      for (const labels of ["truth", "noisy"] as const) {
        fraction(path, `${field}.evalMAP.${labels}`, p.evalMAP?.[labels]);
        fraction(path, `${field}.evalMeanAUC.${labels}`, p.evalMeanAUC?.[labels]);
      }
    });
    const steps = s.points.map((p) => p.step).join(",");
    if (grid !== undefined && steps !== grid) fail(path, `${at}.points`, "are on another step grid than the first student's (compared curves must share their steps)");
    grid = steps;
  }
  return file;
}

/** Reads and checks the committed curves (default: data-manifests/demo/curves/student-steps.json). */
export function readStepCurves(path = stepCurvesPath()): StepCurvesFile {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new UserError(`cannot read the step curves ${path}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UserError(`${path}: not valid JSON (${(error as Error).message})`);
  }
  return checkStepCurves(parsed, path);
}

/** The point the training loop selects: the first step with the highest validation mAP (the loop's `>` rule). */
export function selectedPoint(points: readonly StepCurvePoint[]): StepCurvePoint {
  if (points.length === 0) throw new UserError("selectedPoint: a curve without points");
  return points.reduce((best, p) => (p.validationMAP > best.validationMAP ? p : best));
}

/**
 * The point a run with a budget of `steps` would select: the loop's rule over the points at or before `steps`
 * (null when the curve has none). Its validation grid may be coarser than the run's, so this is the curve's view.
 */
export function selectedWithin(points: readonly StepCurvePoint[], steps: number): StepCurvePoint | null {
  const within = points.filter((p) => p.step <= steps);
  return within.length === 0 ? null : selectedPoint(within);
}

/** One row per student: its selected point, its point at the budget, and its last point (eval mAP on the true labels). */
export interface StepCurveRow {
  student: string;
  label: string;
  seed: number;
  budgetStep: number | null;
  evalMAPAtBudget: number | null;
  selectedStep: number;
  selectedValidationMAP: number;
  evalMAPAtSelected: number;
  lastStep: number;
  evalMAPAtLast: number;
  evalAUCAtLast: number;
}

/** The table beside the chart: what the curve says at the profile's budget, at the selected step and at its end. */
export function stepCurveRows(file: StepCurvesFile, budget = file.recipe.defaultProfileSteps): StepCurveRow[] {
  return Object.entries(file.students).map(([name, s]) => {
    const atBudget = selectedWithin(s.points, budget);
    const selected = selectedPoint(s.points);
    const last = s.points[s.points.length - 1];
    return {
      student: name,
      label: s.label,
      seed: s.seed,
      budgetStep: atBudget?.step ?? null,
      evalMAPAtBudget: atBudget?.evalMAP.truth ?? null,
      selectedStep: selected.step,
      selectedValidationMAP: selected.validationMAP,
      evalMAPAtSelected: selected.evalMAP.truth,
      lastStep: last.step,
      evalMAPAtLast: last.evalMAP.truth,
      evalAUCAtLast: last.evalMeanAUC.truth,
    };
  });
}

/**
 * What the curves are, in one paragraph for a chart's caption: seeds, recipe, corpus, teacher, selection, and that eval
 * was scored for the curve only. `currentTeacherMAP` (the shipped teacher's eval mAP today): when it differs from the
 * one the file recorded, the caption says the curves were measured with an earlier teacher.
 */
export function stepCurvesCaption(file: StepCurvesFile, options: { currentTeacherMAP?: number | null } = {}): string {
  const seeds = Object.entries(file.students).map(([name, s]) => `${name} seed ${s.seed}`).join(", ");
  const budgets = [...new Set(Object.values(file.students).map((s) => s.stepBudget))].join("/");
  const r = file.recipe;
  const c = file.corpus;
  const teacherMAP = file.teacher.eval.truthMAP;
  const current = options.currentTeacherMAP;
  const changed = current !== undefined && current !== null && teacherMAP !== null && Math.abs(current - teacherMAP) > 5e-4
    ? ` The shipped teacher has changed since (eval mAP now ${current.toFixed(3)}): these curves are of the earlier one; re-measure with scripts/student-step-curves.ts.`
    : "";
  return (
    `ONE run per student (${seeds}; no seed interval), ${budgets} steps; student width ${r.widthMult}, batch ${r.batchSize}, ` +
    `learning rate ${r.learningRate}, validation every ${r.validateEverySteps} steps; demo corpus "${c.profile}" ` +
    `(${c.key ?? "key not recorded"}: ${c.trainClips} training, ${c.validationClips} validation, ${c.evalClips} eval clips); ` +
    `teacher ${file.teacher.checkpoint} (eval mAP ${teacherMAP === null ? "not recorded" : teacherMAP.toFixed(3)}, true labels). ` +
    "Stars: the checkpoint the loop selects (best validation mAP, validation recordings). Eval mAP (true labels) was " +
    `scored at every validation point for the curve only, never for selection or tuning. Chance ${file.chanceMAP.truth.toFixed(3)}.` +
    changed
  );
}
