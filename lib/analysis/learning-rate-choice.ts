/**
 * The students' learning rates, chosen on VALIDATION (issue 13): scripts/student-learning-rate.ts trains each student
 * of the default profile at several Adam learning rates and records the loop's validation curve (no eval score is
 * ever computed there). The rule, the same for every student: over the seeds measured at EVERY rate of that student,
 * the rate whose best validation mAP (the checkpoint the loop keeps) is highest on average; a tie goes to the lower
 * rate. lib/series/settings.ts holds the rates this gives for the committed file (a test checks they agree).
 */
import { UserError } from "../errors";
import { repoPath } from "../io/repo-root";
import { readJsonFile } from "../io/json-file";
import { measurementRuns, requireFiniteNumbers } from "./measurement-runs";

/** Where the check is committed. */
export function learningRateCheckPath(): string {
  return repoPath("data-manifests", "demo", "curves", "student-learning-rate.json");
}

/** One training run of the check, as the script writes it. */
export interface LearningRateRun {
  student: string;
  learningRate: number;
  seed: number;
  bestValidationMAP: number;
}

export interface LearningRateRow {
  learningRate: number;
  /** Mean over `seeds` of the best validation mAP. */
  meanBestValidationMAP: number;
  /** Per seed, in the order of `seeds`. */
  perSeed: number[];
}

export interface LearningRateChoice {
  student: string;
  /** Seeds measured at every rate (what the rule averages over). */
  seeds: number[];
  rows: LearningRateRow[];
  chosen: number;
}

/** The rule above, per student, in the order students first appear. */
export function chooseLearningRates(runs: readonly LearningRateRun[], where = "learning-rate check"): LearningRateChoice[] {
  const students = [...new Set(runs.map((r) => r.student))];
  return students.map((student) => {
    const mine = runs.filter((r) => r.student === student);
    const rates = [...new Set(mine.map((r) => r.learningRate))].sort((a, b) => a - b);
    const seeds = [...new Set(mine.map((r) => r.seed))].sort((a, b) => a - b)
      .filter((seed) => rates.every((rate) => mine.some((r) => r.seed === seed && r.learningRate === rate)));
    if (seeds.length === 0) throw new UserError(`${where}: ${student} has no seed measured at every rate (${rates.join(", ")})`);
    const rows = rates.map((learningRate) => {
      const perSeed = seeds.map((seed) => mine.find((r) => r.seed === seed && r.learningRate === learningRate)!.bestValidationMAP);
      return { learningRate, meanBestValidationMAP: perSeed.reduce((a, v) => a + v, 0) / perSeed.length, perSeed };
    });
    // Rates ascend, so a strict > keeps the lower rate on a tie.
    const best = rows.reduce((a, r) => (r.meanBestValidationMAP > a.meanBestValidationMAP ? r : a), rows[0]);
    return { student, seeds, rows, chosen: best.learningRate };
  });
}

/** The runs of a student-learning-rate.json (its `runs` object), checked field by field. */
export function learningRateRuns(file: unknown, where: string): LearningRateRun[] {
  return measurementRuns(file, where).map((entry) => {
    requireFiniteNumbers(entry, ["learningRate", "seed", "bestValidationMAP"]);
    const { run, at } = entry;
    if (typeof run.student !== "string") throw new UserError(`${at}.student is not a string`);
    return { student: run.student, learningRate: run.learningRate as number, seed: run.seed as number, bestValidationMAP: run.bestValidationMAP as number };
  });
}

/** The committed check (or `path`), read and decided: what 04 shows beside the students' recipe. */
export function committedLearningRateChoices(path = learningRateCheckPath()): LearningRateChoice[] {
  return chooseLearningRates(learningRateRuns(readJsonFile(path, "student learning-rate check"), path), path);
}
