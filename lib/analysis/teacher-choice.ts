/**
 * Which demo teacher ships, and with which targets, decided on its STUDENTS' validation (issue 13).
 * scripts/student-by-teacher.ts trains the default profile's students from each candidate teacher — with its soft
 * probabilities (the paper's targets) or its hard labels at a threshold — and records the loop's validation curve; no
 * eval score is computed there. A teacher's own eval mAP (the eval.json beside its checkpoint) is shown beside its
 * students, never used to choose: a teacher is for its students, and a better tagger can hand them worse targets.
 *
 * The rules, written down before their runs (the team protocol; the file's `decision` says them):
 * - the teacher that ships is the one whose PSL-2s students, on soft targets, have the higher mean best validation mAP
 *   over the seeds measured for every candidate (`chooseTeacher`);
 * - hard targets replace the paper's soft ones only if a hard variant beats the shipped teacher's soft students on the
 *   mean AND at every seed (`pairedWith`): it departs from the paper, so a mean alone is not enough.
 */
import { dirname, join } from "node:path";
import { UserError } from "../errors";
import { repoPath } from "../io/repo-root";
import { readJsonFile } from "../io/json-file";
import { isFiniteNumber, measurementRuns, requireFiniteNumbers } from "./measurement-runs";
import { teacherEvalScores } from "./teacher-eval-file";
import { mean } from "../evaluation/mean";

/** Where the check is committed. */
export function teacherChoicePath(): string {
  return repoPath("data-manifests", "demo", "curves", "student-by-teacher.json");
}

/** The teacher's targets a student learned: soft probabilities, or hard labels at `threshold`. */
export interface TeacherTargets {
  target: "soft" | "hard";
  threshold: number;
}

/** One training run of the check, as the script writes it. */
export interface TeacherChoiceRun {
  /** The teacher checkpoint, a path from the repository root. */
  teacher: string;
  student: string;
  targets: TeacherTargets;
  seed: number;
  bestValidationMAP: number;
  validation: { step: number; validationMAP: number }[];
}

/** One candidate: a teacher with its targets, over the seeds it was measured at. */
export interface TeacherChoiceRow {
  teacher: string;
  targets: TeacherTargets;
  /** The teacher's own eval mAP against the true labels (its eval.json), or null where none lies beside it. */
  teacherEvalMAP: number | null;
  seeds: number[];
  /** Best validation mAP per seed, in the order of `seeds`. */
  perSeed: number[];
  meanBestValidationMAP: number;
  /** Validation mAP at each validation step, mean over `seeds`. */
  meanCurve: { step: number; validationMAP: number }[];
}

/** The runs of a student-by-teacher.json (its `runs` object), checked field by field. Runs without `targets` were soft. */
export function teacherChoiceRuns(file: unknown, where: string): TeacherChoiceRun[] {
  return measurementRuns(file, where).map((entry) => {
    const { run, at } = entry;
    for (const field of ["teacher", "student"] as const) if (typeof run[field] !== "string") throw new UserError(`${at}.${field} is not a string`);
    requireFiniteNumbers(entry, ["seed", "bestValidationMAP"]);
    const targets = (run.targets ?? { target: "soft", threshold: 0.5 }) as Record<string, unknown>;
    if ((targets.target !== "soft" && targets.target !== "hard") || !isFiniteNumber(targets.threshold)) {
      throw new UserError(`${at}.targets must be { target: "soft" | "hard", threshold: number }`);
    }
    if (!Array.isArray(run.validation) || run.validation.length === 0) throw new UserError(`${at}.validation is not a non-empty list`);
    const validation = (run.validation as Record<string, unknown>[]).map((point, i) => {
      if (!isFiniteNumber(point?.step) || !isFiniteNumber(point.validationMAP)) throw new UserError(`${at}.validation[${i}] needs a numeric step and validationMAP`);
      return { step: point.step, validationMAP: point.validationMAP };
    });
    return {
      teacher: run.teacher as string, student: run.student as string, seed: run.seed as number, bestValidationMAP: run.bestValidationMAP as number,
      targets: { target: targets.target, threshold: targets.threshold as number }, validation,
    };
  });
}

/** The teacher's eval mAP (true labels) from the eval.json beside its checkpoint, or null where it has none. */
function teacherEvalMAP(teacher: string): number | null {
  return teacherEvalScores(join(dirname(repoPath(teacher)), "eval.json"))?.mAP ?? null;
}

/** A row's targets the way tables and legends say them (and rows are grouped by): "soft" or "hard ≥ 0.5". */
export function describeTargets(targets: TeacherTargets): string {
  return targets.target === "soft" ? "soft" : `hard ≥ ${targets.threshold}`;
}

/** `student`'s runs grouped by teacher × targets, in the order they first appear; the curves averaged over seeds. */
export function teacherChoiceRows(runs: readonly TeacherChoiceRun[], student: string, where = "student-by-teacher check"): TeacherChoiceRow[] {
  const mine = runs.filter((r) => r.student === student);
  const groups = new Map<string, TeacherChoiceRun[]>();
  for (const run of mine) {
    const key = `${run.teacher}|${describeTargets(run.targets)}`;
    groups.set(key, [...(groups.get(key) ?? []), run]);
  }
  return [...groups.values()].map((group) => {
    const sorted = [...group].sort((a, b) => a.seed - b.seed);
    const steps = sorted[0].validation.map((p) => p.step);
    for (const run of sorted) {
      if (run.validation.map((p) => p.step).join() !== steps.join()) {
        throw new UserError(`${where}: ${run.teacher} → ${student} seed ${run.seed} was validated at other steps than seed ${sorted[0].seed}`);
      }
    }
    const perSeed = sorted.map((r) => r.bestValidationMAP);
    return {
      teacher: sorted[0].teacher, targets: sorted[0].targets, teacherEvalMAP: teacherEvalMAP(sorted[0].teacher),
      seeds: sorted.map((r) => r.seed), perSeed, meanBestValidationMAP: perSeed.reduce((a, v) => a + v, 0) / perSeed.length,
      meanCurve: steps.map((step, i) => ({ step, validationMAP: sorted.reduce((a, r) => a + r.validation[i].validationMAP, 0) / sorted.length })),
    };
  });
}

/** The first rule: among the soft rows, over the seeds every one of them was measured at, the highest mean (first on a tie). */
export function chooseTeacher(rows: readonly TeacherChoiceRow[], where = "student-by-teacher check"): { teacher: string; seeds: number[]; means: Map<string, number> } {
  const soft = rows.filter((r) => r.targets.target === "soft");
  if (soft.length === 0) throw new UserError(`${where}: no soft-target runs to choose a teacher from`);
  const seeds = soft[0].seeds.filter((seed) => soft.every((r) => r.seeds.includes(seed)));
  if (seeds.length === 0) throw new UserError(`${where}: no seed measured for every teacher`);
  const means = new Map(soft.map((r) => [r.teacher, mean(seeds.map((seed) => r.perSeed[r.seeds.indexOf(seed)]))]));
  const teacher = soft.reduce((a, r) => (means.get(r.teacher)! > means.get(a.teacher)! ? r : a), soft[0]).teacher;
  return { teacher, seeds, means };
}

/** `row` against `baseline`, paired by seed over the seeds both have: mean difference and at how many seeds `row` is above. */
export function pairedWith(row: TeacherChoiceRow, baseline: TeacherChoiceRow): { seeds: number[]; meanDifference: number; seedsAbove: number; aboveAtEverySeed: boolean } {
  const seeds = row.seeds.filter((seed) => baseline.seeds.includes(seed));
  const differences = seeds.map((seed) => row.perSeed[row.seeds.indexOf(seed)] - baseline.perSeed[baseline.seeds.indexOf(seed)]);
  const seedsAbove = differences.filter((d) => d > 0).length;
  return {
    seeds, meanDifference: differences.reduce((a, d) => a + d, 0) / Math.max(1, differences.length),
    seedsAbove, aboveAtEverySeed: seeds.length > 0 && seedsAbove === seeds.length,
  };
}

/** The committed check (or `path`) for `student`: its rows and the decision the file records. */
export function committedTeacherChoice(student = "psl-2s", path = teacherChoicePath()): { rows: TeacherChoiceRow[]; decision: string | null; chanceValidationMAP: number | null } {
  const file = readJsonFile(path, "student-by-teacher check") as { decision?: unknown; chanceValidationMAP?: unknown };
  return {
    rows: teacherChoiceRows(teacherChoiceRuns(file, path), student, path),
    decision: typeof file.decision === "string" ? file.decision : null,
    chanceValidationMAP: isFiniteNumber(file.chanceValidationMAP) ? file.chanceValidationMAP : null,
  };
}
