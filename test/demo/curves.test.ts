/**
 * The committed student learning curves (data-manifests/demo/curves/student-steps.json, written by
 * scripts/student-step-curves.ts): well-formed and consistent, so the README's claims rest on a readable file —
 * steps increase on the validation grid, the compared students share one step grid (equal budgets), every metric is a
 * fraction, the chance level is stated, and the command that produced each curve names a script that exists.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { repoRoot } from "../../lib/io/repo-root";
import type { StepCurvePoint as CurvePoint } from "../../lib/analysis/step-curves";

interface Student {
  alpha: number;
  chunkSeconds: number;
  seed: number;
  stepBudget: number;
  secondsPerStep: number | null;
  command: string;
  points: CurvePoint[];
}
interface CurvesFile {
  description: string;
  recipe: { widthMult: number; batchSize: number; learningRate: number; validateEverySteps: number };
  chanceMAP: { truth: number; noisy: number; validation: number };
  chanceAUC: number;
  students: Record<string, Student>;
}

const repo = repoRoot();
const path = join(repo, "data-manifests/demo/curves/student-steps.json");
const curves = JSON.parse(readFileSync(path, "utf8")) as CurvesFile;
const isFraction = (v: unknown) => typeof v === "number" && Number.isFinite(v) && v >= 0 && v <= 1;

test("the curves file states the recipe, the chance levels, and that eval is for the curve only", () => {
  assert.match(curves.description, /never used for selection or tuning/);
  for (const v of [curves.chanceMAP.truth, curves.chanceMAP.noisy, curves.chanceMAP.validation]) assert.ok(isFraction(v) && v > 0, `chance ${v}`);
  assert.equal(curves.chanceAUC, 0.5);
  assert.ok(curves.recipe.widthMult > 0 && curves.recipe.batchSize >= 1 && curves.recipe.learningRate > 0);
  assert.ok(Number.isInteger(curves.recipe.validateEverySteps) && curves.recipe.validateEverySteps >= 1);
});

test("weak and PSL-2s: steps increase on the validation grid, every metric in [0, 1], loss finite", () => {
  assert.deepEqual(Object.keys(curves.students).sort(), ["psl-2s", "weak"]);
  for (const [name, s] of Object.entries(curves.students)) {
    assert.ok(s.points.length >= 2, `${name}: at least two points`);
    s.points.forEach((p, i) => {
      assert.equal(p.step % curves.recipe.validateEverySteps, 0, `${name} point ${i}: step ${p.step} off the grid`);
      if (i > 0) assert.ok(p.step > s.points[i - 1].step, `${name}: steps increase at point ${i}`);
      assert.ok(p.step <= s.stepBudget, `${name}: step ${p.step} beyond its budget ${s.stepBudget}`);
      for (const v of [p.validationMAP, p.validationAUC, p.evalMAP.truth, p.evalMAP.noisy, p.evalMeanAUC.truth, p.evalMeanAUC.noisy]) assert.ok(isFraction(v), `${name} step ${p.step}: ${v}`);
      assert.ok(Number.isFinite(p.meanLoss) && p.meanLoss > 0 && p.periodSeconds > 0, `${name} step ${p.step}: loss/seconds`);
    });
    assert.equal(s.alpha, name === "weak" ? 0 : 1);
    assert.equal(s.chunkSeconds, name === "weak" ? 10 : 2);
  }
});

test("the compared students share one step grid (equal budgets, one seed each) and name a command that exists", () => {
  const grids = Object.values(curves.students).map((s) => s.points.map((p) => p.step).join(","));
  assert.equal(new Set(grids).size, 1, "weak and PSL-2s were measured at different steps");
  for (const [name, s] of Object.entries(curves.students)) {
    assert.ok(Number.isInteger(s.seed), `${name}: seed`);
    const script = /npx tsx (\S+\.ts) --student (\S+)/.exec(s.command);
    assert.ok(script, `${name}: command ${s.command}`);
    assert.ok(existsSync(join(repo, script[1])), `${name}: ${script[1]} exists`);
    assert.equal(script[2], name);
  }
});

test("the comparison of the selected and last checkpoints is consistent with its own numbers", () => {
  const comparison = (curves as unknown as { comparison: Record<"best" | "last", { students: Record<string, { step: number; evalMAP: { truth: number; noisy: number } }>; pslMinusWeak: Record<"truth" | "noisy", { mAP: number; ci95: [number, number] }> }> }).comparison;
  assert.ok(comparison, "comparison block (npx tsx scripts/student-step-curves.ts --compare)");
  for (const which of ["best", "last"] as const) {
    const { students, pslMinusWeak } = comparison[which];
    for (const name of ["weak", "psl-2s"]) {
      const s = students[name];
      assert.ok(s.step > 0 && s.step <= curves.students[name].stepBudget, `${which} ${name}: step ${s.step}`);
      assert.ok(isFraction(s.evalMAP.truth) && isFraction(s.evalMAP.noisy));
    }
    if (which === "last") assert.equal(students.weak.step, students["psl-2s"].step, "last checkpoints at the same step");
    for (const labels of ["truth", "noisy"] as const) {
      const d = pslMinusWeak[labels];
      assert.ok(Math.abs(d.mAP - (students["psl-2s"].evalMAP[labels] - students.weak.evalMAP[labels])) < 2e-4, `${which} ${labels}: difference = PSL-2s − weak`);
      assert.ok(d.ci95[0] <= d.mAP && d.mAP <= d.ci95[1], `${which} ${labels}: interval holds its estimate`);
    }
  }
});
