/**
 * The weak model's eval scores against the number of clips it trained on (issue 13: "where a target is out of reach,
 * show the measured curve that says why (e.g. eval mAP vs corpus size)"). Committed by scripts/weak-by-training-clips.ts:
 * the default profile's weak model on nested subsets of the teacher's training clips, at the default step budget (and,
 * for fewer sizes and seeds, the full profile's), kept checkpoints selected on validation and scored on eval against the
 * true labels. Beside the curve stand the shipped
 * demo teachers: the same width trained on all of those clips for far more steps. Nothing is chosen from these scores.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { UserError } from "../errors";
import { repoPath } from "../io/repo-root";
import { readJsonFile } from "../io/json-file";
import { isFiniteNumber, measurementRuns, recipeSteps } from "./measurement-runs";
import { targetsCheckRows, type TargetsCheckRow } from "./training-targets-check";
import { teacherEvalScores } from "./teacher-eval-file";

/**
 * Where the measurement is committed: at the default profile's budget of steps, or ("full") at the full profile's
 * longer one (`--profile full`, fewer sizes and seeds: each run costs 2.7 times as much).
 */
export function weakByTrainingClipsPath(profile: "default" | "full" = "default"): string {
  return repoPath("data-manifests", "demo", "curves", `weak-by-training-clips${profile === "full" ? "-full" : ""}.json`);
}

/** One training-set size over its seeds (`targets`: the number of training clips). */
export type TrainingClipsPoint = TargetsCheckRow<number>;

/** The file's runs grouped by `trainingClips`, smallest first; the file, run and field named in any error. */
export function trainingClipsCurve(file: unknown, where: string): TrainingClipsPoint[] {
  const sizes = measurementRuns(file, where).map(({ run, at }) => {
    const clips = run.trainingClips;
    if (typeof clips !== "number" || !Number.isInteger(clips) || clips < 1) throw new UserError(`${at}.trainingClips must be a positive whole number of clips`);
    return clips;
  });
  return targetsCheckRows(file, where, "trainingClips", [...new Set(sizes)].sort((a, b) => a - b));
}

/** A committed curve: its points and the budget of steps its runs share (the file's recipe). */
export interface TrainingClipsCurve {
  path: string;
  steps: number;
  points: TrainingClipsPoint[];
}

/** The committed curve at `path` (default: the default profile's budget), read and grouped. */
export function committedWeakByTrainingClips(path = weakByTrainingClipsPath()): TrainingClipsCurve {
  const file = readJsonFile(path, "weak model by training clips");
  const steps = recipeSteps(file, path);
  return { path, steps, points: trainingClipsCurve(file, path) };
}

/** A shipped demo teacher as a point beside the curve: its training clips, steps and eval scores (true labels). */
export interface TeacherPoint {
  /** The folder under data-manifests/demo ("teacher", "teacher-augmented"). */
  name: string;
  trainingClips: number;
  steps: number;
  widthMult: number;
  evalMAP: number;
  evalMeanAUC: number;
}

/**
 * The teacher shipped in data-manifests/demo/<name> (its recipe.json and eval.json), or null where either is missing;
 * a UserError naming the file when a field is not a number.
 */
export function demoTeacherPoint(name: string): TeacherPoint | null {
  const dir = repoPath("data-manifests", "demo", name);
  const recipePath = join(dir, "recipe.json");
  const scores = existsSync(recipePath) ? teacherEvalScores(join(dir, "eval.json")) : null;
  if (scores === null) return null;
  const recipe = readJsonFile(recipePath, "teacher recipe") as { trainClips?: unknown; teacher?: { steps?: unknown; widthMult?: unknown } };
  const fields: [string, unknown][] = [["trainClips", recipe.trainClips], ["teacher.steps", recipe.teacher?.steps], ["teacher.widthMult", recipe.teacher?.widthMult]];
  for (const [field, value] of fields) {
    if (!isFiniteNumber(value)) throw new UserError(`${recipePath}: ${field} is not a finite number`);
  }
  const [trainingClips, steps, widthMult] = fields.map(([, value]) => value as number);
  return { name, trainingClips, steps, widthMult, evalMAP: scores.mAP, evalMeanAUC: scores.meanAUC };
}

/** The committed curves: the default budget's, then the full profile's longer budget where it is committed. */
export function committedTrainingClipsCurves(): TrainingClipsCurve[] {
  const longer = weakByTrainingClipsPath("full");
  return [committedWeakByTrainingClips(), ...(existsSync(longer) ? [committedWeakByTrainingClips(longer)] : [])];
}

/** The lowest and highest of per-seed values: a chart's bar over a few seeds, which say too little for an interval. */
export function seedRange(values: readonly number[]): [number, number] {
  if (values.length === 0) throw new UserError("seedRange: no values");
  return [Math.min(...values), Math.max(...values)];
}
