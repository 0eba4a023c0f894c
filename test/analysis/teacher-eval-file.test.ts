/** lib/analysis/teacher-eval-file.ts: a demo teacher's eval.json, read one way by every analysis. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { teacherEvalFile, teacherEvalScores } from "../../lib/analysis/teacher-eval-file";
import { demoTeacherDir, shippedTeacherEval } from "../../lib/series";
import { UserError } from "../../lib/errors";

test("the shipped teacher's eval.json gives the scores the series reports for it", () => {
  const path = join(demoTeacherDir(), "eval.json");
  const scores = teacherEvalScores(path);
  const shipped = shippedTeacherEval();
  assert.ok(scores && shipped);
  const { truth, noisy } = JSON.parse(readFileSync(path, "utf8")) as Record<"truth" | "noisy", { mAP: number; meanAUC: number }>;
  assert.deepEqual(scores, { mAP: truth.mAP, meanAUC: truth.meanAUC });
  assert.deepEqual(shipped, { truth: scores, noisy: { mAP: noisy.mAP, meanAUC: noisy.meanAUC } });
  assert.ok(noisy.mAP < truth.mAP, "the noisy eval labels score the teacher lower");
  assert.ok(scores.meanAUC > 0.5 && scores.meanAUC < 1, "an AUC above chance");
});

test("no eval.json is null; a field that is not a number is an error naming the file and the field", () => {
  const dir = mkdtempSync(join(tmpdir(), "teacher-eval-"));
  assert.equal(teacherEvalScores(join(dir, "eval.json")), null);
  const path = join(dir, "eval.json");
  const good = { mAP: 0.3, meanAUC: 0.7 };
  for (const [truth, field] of [[{ mAP: "0.3", meanAUC: 0.7 }, "mAP"], [{ mAP: 0.3 }, "meanAUC"], [undefined, "mAP"]] as const) {
    writeFileSync(path, JSON.stringify({ truth, noisy: good }));
    assert.throws(() => teacherEvalScores(path), (e: unknown) => e instanceof UserError && e.message === `${path}: truth.${field} is not a finite number`);
  }
  writeFileSync(path, JSON.stringify({ truth: good, noisy: { mAP: null, meanAUC: 0.6 } }));
  assert.throws(() => teacherEvalFile(path), (e: unknown) => e instanceof UserError && e.message === `${path}: noisy.mAP is not a finite number`);
  writeFileSync(path, JSON.stringify({ truth: good, noisy: good }));
  assert.deepEqual(teacherEvalFile(path), { truth: good, noisy: good });
});
