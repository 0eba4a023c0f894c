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

/** The true-label scores of the eval.json at `path`, or null when there is no such file. */
export function teacherEvalScores(path: string): TeacherEvalScores | null {
  if (!existsSync(path)) return null;
  const truth = (readJsonFile(path, "teacher eval") as { truth?: Record<string, unknown> } | null)?.truth ?? {};
  for (const field of ["mAP", "meanAUC"]) {
    if (!isFiniteNumber(truth[field])) throw new UserError(`${path}: truth.${field} is not a finite number`);
  }
  return { mAP: truth.mAP as number, meanAUC: truth.meanAUC as number };
}
