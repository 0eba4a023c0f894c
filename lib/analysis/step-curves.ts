/**
 * Student learning curves over optimizer steps (issue 13): the measured file data-manifests/demo/curves/student-steps.json
 * that scripts/student-step-curves.ts writes, read and checked, and each run's validation-selected point (the loop's
 * rule: the first step with the highest validation mAP) and its point at a step budget (the profile's `studentSteps`).
 * Grouping the runs of several seeds (means, seed ranges, rows, comparisons) is in ./step-curve-groups.ts.
 *
 * The file holds one entry per run — a student (weak, psl-2s, …) at a width and a seed, keyed "weak/w0.25/seed42".
 * The first measurement (kept as history in student-steps-teacher1200.json) held one entry per student, keyed by the
 * student's name, all at `recipe.widthMult`; the reader accepts it and fills in `student` and `widthMult`, so
 * everything after the reader sees one shape.
 *
 * Eval scores in this file were computed at every validation point FOR THE CURVE ONLY: selection uses validation mAP,
 * never eval. The reader checks what a reader of the curve relies on (steps increasing on the validation grid, every
 * metric a fraction, one step grid for the runs of one student × width, keys that say what their entry is) and names
 * the file and field of anything wrong.
 */
import { existsSync } from "node:fs";
import { UserError } from "../errors";
import { repoPath } from "../io/repo-root";
import { readJsonFile } from "../io/json-file";
import { mean } from "../evaluation/mean";

/** A metric against the true and against the noisy (weak, incomplete) eval labels. */
export interface LabelPair {
  truth: number;
  noisy: number;
}

/** One validation point of a curve. */
export interface StepCurvePoint {
  step: number;
  meanLoss: number;
  /** Held-out validation recordings: what the loop selects on. */
  validationMAP: number;
  validationAUC: number;
  /** Eval split, scored at this step for the curve only, against the true and the noisy eval labels. */
  evalMAP: LabelPair;
  evalMeanAUC: LabelPair;
  /**
   * Wall seconds of this validation period in the loop: its training steps and its validation (on a loaded machine: see
   * `machine`), without the eval scoring of the point before, which ran inside the period and blocked it.
   * Absent in files measured before it was recorded (they have `periodSeconds`).
   */
  trainingSeconds?: number;
  /** Wall seconds of scoring this point's checkpoint on eval, for the curve only (absent in older files). */
  scoringSeconds?: number;
  /**
   * Older files only (both committed ones): the loop's seconds for the period, which INCLUDE the eval scoring of the
   * point before (it blocked the training loop), so they are not a training-speed figure.
   */
  periodSeconds?: number;
}

/** One measured run: a student at a width and a seed. */
export interface StepCurveRun {
  /** The series' student name ("weak", "psl-2s", …). */
  student: string;
  widthMult: number;
  label: string;
  alpha: number;
  chunkSeconds: number;
  seed: number;
  stepBudget: number;
  /** The run's cache folder when measured (relative to the repository root). */
  runDir?: string;
  /** Training seconds per step: `trainingSeconds` over the steps (older files: from `periodSeconds`, eval scoring included). */
  secondsPerStep: number | null;
  machine?: { cores: number; loadAverage1mAtEnd: number; note: string };
  command: string;
  points: StepCurvePoint[];
}

/** One seed's scores of a checkpoint (or of a curve point) on eval. */
export interface SeedScores {
  seed: number;
  step: number;
  evalMAP: LabelPair;
  evalMeanAUC: LabelPair;
}

/** A student's scores over the compared seeds: means and each seed's. */
export interface StudentScores {
  evalMAP: LabelPair;
  evalMeanAUC: LabelPair;
  perSeed: SeedScores[];
}

/**
 * A student's scores over seeds from each seed's scores (seed order): the mean of each label pair, and the seeds' own.
 * One shape for the checkpoints `--compare` scores and for the curve points a comparison reads off (./step-curve-groups.ts).
 */
export function studentScores(perSeed: readonly SeedScores[]): StudentScores {
  const pair = (value: (s: SeedScores) => LabelPair): LabelPair => ({ truth: mean(perSeed.map((s) => value(s).truth)), noisy: mean(perSeed.map((s) => value(s).noisy)) });
  return { evalMAP: pair((s) => s.evalMAP), evalMeanAUC: pair((s) => s.evalMeanAUC), perSeed: [...perSeed] };
}

/** Eval scores of checkpoints the runs wrote (best or last) and PSL-2s − weak over seeds × eval clips. */
export interface CheckpointComparison {
  students: Record<string, StudentScores>;
  pslMinusWeak: Record<keyof LabelPair, { mAP: number; ci95: [number, number]; probabilityBetter: number }>;
}

/** `--compare` at one width: the seeds both students were run on, their selected (best) and last checkpoints. */
export interface WidthComparison {
  widthMult: number;
  seeds: number[];
  best: CheckpointComparison;
  last: CheckpointComparison;
  /** Keys of runs at this width whose seed the other student lacks: not compared. */
  leftOut?: string[];
  /**
   * Where the runs went past the default profile's budget: what a run of `steps` steps selects, read off the curve
   * points (no checkpoint of that step is kept, so per-seed differences and no interval).
   */
  atBudget?: { steps: number; students: Record<string, StudentScores>; pslMinusWeak: Record<keyof LabelPair, { mAP: number; perSeed: number[] }> };
}

export interface StepCurvesFile {
  description: string;
  corpus: { profile: string; key: string | null; evalClips: number; validationClips: number; trainClips: number };
  teacher: { checkpoint: string; eval: { truthMAP: number | null; noisyMAP: number | null } };
  recipe: {
    /** The default profile's student width when measured (runs record their own `widthMult`). */
    defaultWidthMult: number;
    batchSize: number;
    learningRate: number;
    validateEverySteps: number;
    /** The default profile's `studentSteps` when measured. */
    defaultProfileSteps: number;
  };
  chanceMAP: { truth: number; noisy: number; validation: number };
  chanceAUC: number;
  /** One entry per run, keyed "student/wWIDTH/seedSEED" (history files: by student name). */
  students: Record<string, StepCurveRun>;
  /** Checkpoint-based comparisons written by `--compare`, keyed by width ("w0.25"). */
  comparison?: { note: string; widths: Record<string, WidthComparison> };
}

/** Where the series' measured curves are committed. */
export function stepCurvesPath(): string {
  return repoPath("data-manifests", "demo", "curves", "student-steps.json");
}

/**
 * The same measurement at the default profile's chosen learning rate of weak and PSL-2s (4e-3, lib/series/settings.ts;
 * stepCurvesPath() holds the curves at the reference's 1e-3, measured before the rates were chosen). A test checks the
 * file's rate against the settings (this layer cannot read them).
 */
export function chosenRateStepCurvesPath(): string {
  return repoPath("data-manifests", "demo", "curves", "student-steps-lr4e-3.json");
}

/** The first measurement (one seed, width 0.1, the 1,200-step teacher), kept as history (only its description gained the note on seconds). */
export function stepCurvesHistoryPath(): string {
  return repoPath("data-manifests", "demo", "curves", "student-steps-teacher1200.json");
}

/**
 * The curves a report shows: the committed measurement (`path`, default stepCurvesPath()). A missing file is a
 * UserError naming it and how to get it back: the history file measured another teacher, so it never stands in.
 */
export function committedStepCurvesPath(path = stepCurvesPath()): string {
  if (!existsSync(path)) {
    throw new UserError(
      `${path}: the committed student step curves are missing. Restore the file from git, or regenerate it with ` +
        "`npx tsx scripts/student-step-curves.ts --student weak|psl-2s --steps N --seed S` (one run per call; hours on 2 cores), then `--compare`",
    );
  }
  return path;
}

/** The key of a run in the file (and what `--student … --width … --seed …` writes). */
export function stepCurveRunKey(student: string, widthMult: number, seed: number): string {
  return `${student}/w${widthMult}/seed${seed}`;
}

/** The key of a width in `comparison.widths`. */
export function widthKey(widthMult: number): string {
  return `w${widthMult}`;
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

type Raw = Record<string, any>;

/** `value` as a JSON object, or an error naming `field` as missing. */
function object(path: string, field: string, value: unknown): Raw {
  if (typeof value !== "object" || value === null || Array.isArray(value)) fail(path, field, "is missing");
  return value as Raw;
}

/** Checks one run's fields and points; returns it with `student` and `widthMult` filled in for a history entry. */
function checkRun(path: string, key: string, raw: unknown, every: number, historyWidth: number | undefined): StepCurveRun {
  const at = `students.${key}`;
  const run = object(path, at, raw);
  // A history entry (no `student`): the key is the student's name and the width is the file's recipe.widthMult.
  const history = run.student === undefined && run.widthMult === undefined;
  const student = history ? key : run.student;
  const widthMult = history ? historyWidth : run.widthMult;
  if (typeof student !== "string" || student === "") fail(path, `${at}.student`, `must be the student's name, got ${JSON.stringify(run.student)}`);
  if (history && historyWidth === undefined) fail(path, `${at}.widthMult`, "is missing (and the file has no recipe.widthMult to take it from)");
  positive(path, `${at}.widthMult`, widthMult);
  positive(path, `${at}.stepBudget`, run.stepBudget);
  if (!Number.isInteger(run.seed)) fail(path, `${at}.seed`, `must be an integer, got ${JSON.stringify(run.seed)}`);
  // The key says which run an entry is; a hand merge that pasted an entry under another key would mislabel a curve.
  if (!history && key !== stepCurveRunKey(student, widthMult as number, run.seed)) {
    fail(path, at, `is keyed "${key}" but holds ${stepCurveRunKey(student, widthMult as number, run.seed)} (student/wWIDTH/seedSEED)`);
  }
  if (!Array.isArray(run.points) || run.points.length === 0) fail(path, `${at}.points`, "is missing or empty");
  const points = run.points as StepCurvePoint[];
  points.forEach((p, i) => {
    const field = `${at}.points[${i}]`;
    object(path, field, p);
    if (!Number.isInteger(p.step) || p.step <= 0 || p.step % every !== 0) fail(path, `${field}.step`, `must be a positive multiple of recipe.validateEverySteps (${every}), got ${JSON.stringify(p.step)}`);
    if (i > 0 && p.step <= points[i - 1].step) fail(path, `${field}.step`, `must be larger than the step before it (${points[i - 1].step}), got ${p.step}`);
    if (p.step > run.stepBudget) fail(path, `${field}.step`, `${p.step} is beyond the run's stepBudget ${run.stepBudget}`);
    fraction(path, `${field}.validationMAP`, p.validationMAP);
    fraction(path, `${field}.validationAUC`, p.validationAUC);
    for (const labels of ["truth", "noisy"] as const) {
      fraction(path, `${field}.evalMAP.${labels}`, p.evalMAP?.[labels]);
      fraction(path, `${field}.evalMeanAUC.${labels}`, p.evalMeanAUC?.[labels]);
    }
    // Seconds: today's trainingSeconds + scoringSeconds, or an older file's periodSeconds (scoring included).
    for (const key of ["trainingSeconds", "scoringSeconds", "periodSeconds"] as const) {
      const value: unknown = p[key];
      if (value !== undefined && !(typeof value === "number" && Number.isFinite(value) && value >= 0)) fail(path, `${field}.${key}`, `must be a number ≥ 0, got ${JSON.stringify(value)}`);
    }
  });
  return { ...(run as StepCurveRun), student, widthMult: widthMult as number };
}

function checkLabelPair(path: string, field: string, value: unknown): void {
  const pair = object(path, field, value);
  fraction(path, `${field}.truth`, pair.truth);
  fraction(path, `${field}.noisy`, pair.noisy);
}

/** Checks a `best`/`last` block of a comparison: what notebook 04's table reads from it. */
function checkCheckpointComparison(path: string, at: string, value: unknown): void {
  const raw = object(path, at, value);
  for (const [name, student] of Object.entries(object(path, `${at}.students`, raw.students))) {
    const s = object(path, `${at}.students.${name}`, student);
    checkLabelPair(path, `${at}.students.${name}.evalMAP`, s.evalMAP);
    if (!Array.isArray(s.perSeed) || s.perSeed.length === 0) fail(path, `${at}.students.${name}.perSeed`, "is missing or empty");
  }
  object(path, `${at}.pslMinusWeak`, raw.pslMinusWeak);
  for (const labels of ["truth", "noisy"] as const) {
    const d = raw.pslMinusWeak[labels] as Raw | undefined;
    const field = `${at}.pslMinusWeak.${labels}`;
    if (typeof d?.mAP !== "number" || !Number.isFinite(d.mAP)) fail(path, `${field}.mAP`, `must be a number, got ${JSON.stringify(d?.mAP)}`);
    if (!Array.isArray(d.ci95) || d.ci95.length !== 2 || !(d.ci95[0] <= d.ci95[1])) fail(path, `${field}.ci95`, `must be [low, high], got ${JSON.stringify(d.ci95)}`);
  }
}

/**
 * A history comparison ({note, best, last}, one seed, per-student `{step, evalMAP, evalMeanAUC}`) in today's shape:
 * one width (the file's), the runs' seed, each student's scores as a one-seed `perSeed`.
 */
function historyComparison(raw: Raw, runs: Record<string, StepCurveRun>, widthMult: number): StepCurvesFile["comparison"] {
  const block = (which: "best" | "last"): CheckpointComparison => {
    const students = Object.fromEntries(
      Object.entries(raw[which].students as Record<string, { step: number; evalMAP: LabelPair; evalMeanAUC: LabelPair }>).map(([name, s]) => [
        name,
        { evalMAP: s.evalMAP, evalMeanAUC: s.evalMeanAUC, perSeed: [{ seed: runs[name]?.seed, step: s.step, evalMAP: s.evalMAP, evalMeanAUC: s.evalMeanAUC }] },
      ]),
    );
    return { students, pslMinusWeak: raw[which].pslMinusWeak };
  };
  const seeds = [...new Set(Object.values(runs).map((r) => r.seed))];
  return { note: raw.note, widths: { [widthKey(widthMult)]: { widthMult, seeds, best: block("best"), last: block("last") } } };
}

/** Checks a parsed curves file (either format); returns it in today's shape. `path` only names the source in errors. */
export function checkStepCurves(value: unknown, path = "student-steps.json"): StepCurvesFile {
  const file = object(path, "the file", value);
  if (typeof file.description !== "string") fail(path, "description", "is missing");
  object(path, "recipe", file.recipe);
  // History files name the one width of all their runs recipe.widthMult; today's name the profile's default width.
  const historyWidth: number | undefined = file.recipe.widthMult;
  const defaultWidthMult = file.recipe.defaultWidthMult ?? historyWidth;
  positive(path, "recipe.defaultWidthMult", defaultWidthMult);
  for (const key of ["batchSize", "learningRate", "validateEverySteps", "defaultProfileSteps"] as const) positive(path, `recipe.${key}`, file.recipe[key]);
  object(path, "chanceMAP", file.chanceMAP);
  for (const key of ["truth", "noisy", "validation"] as const) fraction(path, `chanceMAP.${key}`, file.chanceMAP[key]);
  object(path, "corpus", file.corpus);
  object(path, "teacher", file.teacher);
  object(path, "teacher.eval", file.teacher.eval);
  const entries = Object.entries((file.students ?? {}) as Record<string, unknown>);
  if (entries.length === 0) fail(path, "students", "is missing or empty");
  const every = file.recipe.validateEverySteps as number;
  const students: Record<string, StepCurveRun> = {};
  // The runs of one student × width are averaged step by step, so they must share their steps; runs of different
  // groups may have different budgets (a longer weak run beside a shorter PSL one is still two readable curves).
  const gridOf = new Map<string, { key: string; steps: string }>();
  for (const [key, raw] of entries) {
    const run = checkRun(path, key, raw, every, historyWidth);
    const group = `${run.student} at width ${run.widthMult}`;
    const steps = run.points.map((p) => p.step).join(",");
    const first = gridOf.get(group);
    if (first && first.steps !== steps) {
      fail(path, `students.${key}.points`, `are on another step grid than students.${first.key}'s (the seeds of ${group} are averaged step by step and must share their steps; a run still being measured?)`);
    }
    if (!first) gridOf.set(group, { key, steps });
    students[key] = run;
  }
  let comparison: StepCurvesFile["comparison"];
  if (file.comparison !== undefined) {
    object(path, "comparison", file.comparison);
    if (file.comparison.widths === undefined && file.comparison.best !== undefined) {
      // History shape: check it as written, then convert.
      for (const which of ["best", "last"] as const) {
        object(path, `comparison.${which}`, file.comparison[which]);
        object(path, `comparison.${which}.students`, file.comparison[which].students);
        for (const [name, s] of Object.entries(file.comparison[which].students as Record<string, Raw>)) {
          if (!students[name]) fail(path, `comparison.${which}.students.${name}`, "has no run in students");
          checkLabelPair(path, `comparison.${which}.students.${name}.evalMAP`, s.evalMAP);
        }
      }
      comparison = historyComparison(file.comparison, students, defaultWidthMult);
    } else {
      object(path, "comparison.widths", file.comparison.widths);
      for (const [width, w] of Object.entries(file.comparison.widths as Record<string, unknown>)) {
        const at = `comparison.widths.${width}`;
        const block = object(path, at, w);
        positive(path, `${at}.widthMult`, block.widthMult);
        if (!Array.isArray(block.seeds) || block.seeds.length === 0) fail(path, `${at}.seeds`, "is missing or empty");
        checkCheckpointComparison(path, `${at}.best`, block.best);
        checkCheckpointComparison(path, `${at}.last`, block.last);
      }
      comparison = file.comparison as StepCurvesFile["comparison"];
    }
  }
  const { widthMult: _historyWidth, ...recipe } = file.recipe;
  return {
    ...(file as StepCurvesFile),
    recipe: { ...(recipe as StepCurvesFile["recipe"]), defaultWidthMult },
    students,
    ...(comparison ? { comparison } : {}),
  };
}

/** Reads and checks a curves file (default: the committed data-manifests/demo/curves/student-steps.json). */
export function readStepCurves(path = stepCurvesPath()): StepCurvesFile {
  return checkStepCurves(readJsonFile(path, "step curves"), path);
}

/**
 * The point the training loop selects: the first step with the highest validation mAP (the loop's `>` rule). Any
 * validation record fits (a curve point, a run's history.json entry).
 */
export function selectedPoint<Point extends { validationMAP: number }>(points: readonly Point[]): Point {
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
