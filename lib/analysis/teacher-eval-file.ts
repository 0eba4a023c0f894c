/**
 * A demo teacher's eval.json (written beside its checkpoint by `psl demo-teacher`: eval-split scores against the TRUE
 * and the noisy eval labels), read the one way the analyses share: absent is null (a teacher need not have one), a
 * field that is not a number is an error naming the file and the field.
 */
import { existsSync } from "node:fs";
import { UserError } from "../errors";
import { readJsonFile } from "../io/json-file";
import { isFiniteNumber } from "./measurement-runs";

/** A teacher's eval scores against the true eval labels. */
export interface TeacherEvalScores {
  mAP: number;
  meanAUC: number;
}

/** A teacher's eval scores against the true and against the noisy (AudioSet-like) eval labels. */
export interface TeacherEvalFile {
  truth: TeacherEvalScores;
  noisy: TeacherEvalScores;
}

/** The eval.json at `path`, both label sets checked, or null when there is no such file. */
export function teacherEvalFile(path: string): TeacherEvalFile | null {
  if (!existsSync(path)) return null;
  const file = (readJsonFile(path, "teacher eval") ?? {}) as Record<string, Record<string, unknown> | undefined>;
  const scores = (labels: "truth" | "noisy"): TeacherEvalScores => {
    const part = file[labels] ?? {};
    for (const field of ["mAP", "meanAUC"]) {
      if (!isFiniteNumber(part[field])) throw new UserError(`${path}: ${labels}.${field} is not a finite number`);
    }
    return { mAP: part.mAP as number, meanAUC: part.meanAUC as number };
  };
  return { truth: scores("truth"), noisy: scores("noisy") };
}

/** The true-label scores of the eval.json at `path`, or null when there is no such file. */
export function teacherEvalScores(path: string): TeacherEvalScores | null {
  return teacherEvalFile(path)?.truth ?? null;
}
