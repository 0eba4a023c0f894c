/**
 * The committed student learning curves (data-manifests/demo/curves/student-steps*.json, written by
 * scripts/student-step-curves.ts: the current measurement when committed, and the history kept beside it) — every one
 * reads through the checked reader and is consistent, so the README's claims rest on readable files: each run's
 * recipe is the kit's, the command that produced it names a script that exists, and a --compare block agrees with the
 * curve points (the selected and last checkpoints' scores, PSL-2s − weak = the difference of its own means).
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { repoPath, repoRoot } from "../../lib/io/repo-root";
import { chosenRateStepCurvesPath, readStepCurves, selectedPoint, stepCurvesHistoryPath, stepCurvesPath, type StepCurvesFile } from "../../lib/analysis/step-curves";
import { pairedRuns, pointComparison } from "../../lib/analysis/step-curve-groups";
import { REFERENCE_LEARNING_RATE, seriesConfig, stepCurveConfig, studentLearningRate, studentRecipe, studentSeeds } from "../../lib/series/settings";

const folder = repoPath("data-manifests", "demo", "curves");
const files = readdirSync(folder).filter((name) => /^student-steps.*\.json$/.test(name)).map((name) => join(folder, name));
const read = new Map<string, StepCurvesFile>(files.map((path) => [path, readStepCurves(path)]));

test("the committed curves files: the history file always, the current measurement when committed, all readable", () => {
  assert.ok(files.includes(stepCurvesHistoryPath()), "the first measurement is kept");
  for (const path of files) assert.ok(path === stepCurvesPath() || path === stepCurvesHistoryPath() || /student-steps-[\w-]+\.json$/.test(path), path);
  assert.ok(read.size >= 1);
});

test("each file states that eval is for the curve only, the chance levels, and a recipe", () => {
  for (const [path, curves] of read) {
    assert.match(curves.description, /never used for selection or tuning/, path);
    for (const v of [curves.chanceMAP.truth, curves.chanceMAP.noisy, curves.chanceMAP.validation]) assert.ok(v > 0 && v < 0.2, `${path}: chance ${v}`);
    assert.equal(curves.chanceAUC, 0.5, path);
    assert.ok(Number.isInteger(curves.recipe.validateEverySteps) && curves.recipe.batchSize >= 1 && curves.recipe.learningRate > 0, path);
  }
});

test("each run: the kit's recipe for its student, a finite loss, and a command of a script that exists", () => {
  for (const [path, curves] of read) {
    for (const [key, run] of Object.entries(curves.students)) {
      const recipe = studentRecipe(run.student);
      assert.deepEqual([run.alpha, run.chunkSeconds], [recipe.alpha, recipe.chunkSeconds], `${path} ${key}: recipe`);
      assert.ok(run.points.length >= 2, `${path} ${key}: at least two points`);
      for (const p of run.points) {
        // Runs measured before the split of training and scoring seconds have only periodSeconds (scoring included).
        const seconds = p.trainingSeconds ?? p.periodSeconds;
        assert.ok(Number.isFinite(p.meanLoss) && p.meanLoss > 0 && seconds !== undefined && seconds > 0, `${path} ${key} step ${p.step}: loss/seconds`);
      }
      const script = /npx tsx (\S+\.ts) --student (\S+) --steps (\d+) --every (\d+) --seed (\d+)/.exec(run.command);
      assert.ok(script, `${path} ${key}: command ${run.command}`);
      assert.ok(existsSync(join(repoRoot(), script[1])), `${script[1]} exists`);
      assert.deepEqual([script[2], Number(script[3]), Number(script[4]), Number(script[5])], [run.student, run.stepBudget, curves.recipe.validateEverySteps, run.seed], `${path} ${key}: command`);
    }
  }
});

test("a --compare block agrees with the curve points and with its own means", () => {
  const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 2e-4, `${what}: ${a} vs ${b}`);
  for (const [path, curves] of read) {
    if (!curves.comparison) continue;
    const paired = new Map(pairedRuns(curves).map((p) => [`w${p.widthMult}`, p]));
    for (const [width, block] of Object.entries(curves.comparison.widths)) {
      const p = paired.get(width);
      assert.ok(p, `${path}: comparison of ${width} without weak and PSL-2s runs there`);
      assert.deepEqual(block.seeds, p.seeds, `${path} ${width}: seeds`);
      if (block.atBudget) {
        // Read off the points by --compare: the same as the reader's view of the points today.
        const expected = pointComparison(p, { at: "budget", budget: block.atBudget.steps });
        assert.ok(expected, `${path} ${width}: the curves reach ${block.atBudget.steps} steps`);
        close(block.atBudget.pslMinusWeak.truth.mAP, expected.pslMinusWeak.truth.mAP, `${path} ${width} atBudget Δ`);
        assert.deepEqual(block.atBudget.students.weak.perSeed.map((s) => s.step), expected.students.weak.perSeed.map((s) => s.step), `${path} ${width} atBudget steps`);
      }
      for (const which of ["best", "last"] as const) {
        for (const [student, runs] of [["weak", p.baseline], ["psl-2s", p.compared]] as const) {
          const s = block[which].students[student];
          runs.forEach((run, i) => {
            // The checkpoint the loop selected (or wrote last) is the curve's selected (last) point: same step, same eval mAP.
            const expected = which === "best" ? selectedPoint(run.points) : run.points[run.points.length - 1];
            const seed = s.perSeed[i];
            assert.deepEqual([seed.seed, seed.step], [run.seed, expected.step], `${path} ${width} ${which} ${student}: seed and step`);
            close(seed.evalMAP.truth, expected.evalMAP.truth, `${path} ${width} ${which} ${student} seed ${run.seed}: eval mAP`);
          });
          close(s.evalMAP.truth, s.perSeed.reduce((a, x) => a + x.evalMAP.truth, 0) / s.perSeed.length, `${path} ${width} ${which} ${student}: mean`);
        }
        for (const labels of ["truth", "noisy"] as const) {
          const d = block[which].pslMinusWeak[labels];
          const students = block[which].students;
          close(d.mAP, students["psl-2s"].evalMAP[labels] - students.weak.evalMAP[labels], `${path} ${width} ${which} ${labels}: Δ = PSL-2s − weak`);
          assert.ok(d.ci95[0] <= d.mAP && d.mAP <= d.ci95[1], `${path} ${width} ${which} ${labels}: interval holds its estimate`);
        }
      }
    }
  }
});

test("two rates, one file each: the reference's 1e-3 in student-steps.json, the default's chosen rate of weak and PSL-2s in its own", () => {
  assert.equal(read.get(stepCurvesPath())?.recipe.learningRate, REFERENCE_LEARNING_RATE);
  const chosen = read.get(chosenRateStepCurvesPath());
  assert.ok(chosen, `${chosenRateStepCurvesPath()} is committed`);
  for (const name of ["weak", "psl-2s"]) assert.equal(chosen.recipe.learningRate, studentLearningRate({ profile: "default" }, name), `${name}'s rate`);
  const runs = Object.values(chosen.students);
  assert.deepEqual([...new Set(runs.map((r) => r.student))].sort(), ["psl-2s", "weak"]);
  for (const run of runs) assert.match(run.command, new RegExp(`--lr ${chosen.recipe.learningRate} --out data-manifests/demo/curves/student-steps-lr4e-3\\.json$`), run.command);
});

test("the chosen-rate curves are the full profile's weak and PSL-2s students: the same recipe, so the same cache entries", () => {
  const chosen = read.get(chosenRateStepCurvesPath())!;
  const full = { profile: "full" } as const;
  for (const [key, run] of Object.entries(chosen.students)) {
    const recipe = studentRecipe(run.student);
    // What notebook 04 trains in the full profile (lib/series trainStudent) and what scripts/student-step-curves.ts trained.
    const fullStudent = seriesConfig(full, { name: run.student, alpha: recipe.alpha, chunkSeconds: recipe.chunkSeconds,
      seed: run.seed, learningRate: studentLearningRate(full, run.student) }).student;
    const curveStudent = stepCurveConfig({ name: run.student, steps: run.stepBudget, every: chosen.recipe.validateEverySteps,
      seed: run.seed, widthMult: run.widthMult, learningRate: chosen.recipe.learningRate }).student;
    assert.deepEqual(curveStudent, fullStudent, `${key}: the full profile's training settings`);
    assert.ok(studentSeeds(full, run.student).includes(run.seed), `${key}: a seed of the full profile`);
  }
});
