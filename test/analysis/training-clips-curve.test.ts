/** lib/analysis/training-clips-curve.ts: the weak model's eval scores against its number of training clips. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { committedWeakByTrainingClips, demoTeacherPoint, seedRange, trainingClipsCurve, weakByTrainingClipsPath } from "../../lib/analysis/training-clips-curve";
import { readJsonFile } from "../../lib/io/json-file";
import { UserError } from "../../lib/errors";
import { SERIES_PROFILES, shippedTeacherEval } from "../../lib/series";

const run = (trainingClips: unknown, seed: number, mAP: number, meanAUC: number) => ({ trainingClips, seed, evalTrueLabels: { mAP, meanAUC } });

test("runs are grouped by training clips, smallest first, seeds in order, with their means", () => {
  const curve = trainingClipsCurve({ runs: {
    "clips2000/seed42": run(2000, 42, 0.3, 0.8), "clips500/seed43": run(500, 43, 0.1, 0.6),
    "clips500/seed42": run(500, 42, 0.2, 0.7), "clips2000/seed43": run(2000, 43, 0.2, 0.7),
  } }, "x.json");
  assert.deepEqual(curve.map((p) => [p.targets, p.seeds, p.evalMeanAUC]), [[500, [42, 43], [0.7, 0.6]], [2000, [42, 43], [0.8, 0.7]]]);
  assert.ok(Math.abs(curve[1].meanEvalMAP - 0.25) < 1e-12 && Math.abs(curve[0].meanEvalAUC - 0.65) < 1e-12);
});

test("a run without a whole positive number of clips is refused with the file, run and field", () => {
  for (const bad of [null, "500", 0, 12.5]) {
    assert.throws(() => trainingClipsCurve({ runs: { k: run(bad, 42, 0.1, 0.6) } }, "x.json"),
      (e: unknown) => e instanceof UserError && e.message === "x.json: runs.k.trainingClips must be a positive whole number of clips");
  }
  assert.throws(() => trainingClipsCurve({ runs: { k: { ...run(500, 42, 0.1, 0.6), evalTrueLabels: {} } } }, "x.json"), /runs\.k\.evalTrueLabels needs numeric mAP and meanAUC/);
});

for (const [profileName, minSizes, minSeeds] of [["default", 3, 2], ["full", 2, 1]] as const) {
  test(`the committed ${profileName}-budget curve: that profile's weak model on nested subsets of the teacher's clips`, () => {
    const path = weakByTrainingClipsPath(profileName);
    const file = readJsonFile(path) as {
      recipe: { widthMult: number; steps: number };
      runs: Record<string, { student: string; pool: string; subsetSeed: number; learningRate: number; steps: number }>;
    };
    const profile = SERIES_PROFILES[profileName];
    assert.deepEqual([file.recipe.widthMult, file.recipe.steps], [profile.widthMult, profile.studentSteps]);
    for (const [key, r] of Object.entries(file.runs)) {
      assert.deepEqual([r.student, r.pool, r.subsetSeed, r.steps, r.learningRate], ["weak", "full", 0, profile.studentSteps, profile.studentLearningRates.weak], key);
    }
    const { points, steps } = committedWeakByTrainingClips(path);
    assert.equal(steps, profile.studentSteps);
    assert.ok(points.length >= minSizes, `at least ${minSizes} sizes`);
    assert.equal(points.at(-1)!.targets, demoTeacherPoint("teacher")!.trainingClips, "the largest subset is all of the teacher's clips");
    for (const point of points) assert.deepEqual(point.seeds, points[0].seeds, `${point.targets} clips: over the same seeds`);
    assert.ok(points[0].seeds.length >= minSeeds, `at least ${minSeeds} seeds per size`);
  });
}

test("the shipped teacher as a point: its recipe's clips, steps and width, its eval file's scores", () => {
  const teacher = demoTeacherPoint("teacher");
  assert.ok(teacher);
  assert.deepEqual([teacher.trainingClips, teacher.widthMult], [4000, SERIES_PROFILES.default.widthMult]);
  assert.ok(teacher.steps > SERIES_PROFILES.default.studentSteps);
  assert.equal(teacher.evalMAP, shippedTeacherEval()!.truth.mAP);
  assert.ok(teacher.evalMeanAUC > 0.5 && teacher.evalMeanAUC < 1);
  assert.equal(demoTeacherPoint("no-such-teacher"), null);
});

test("a point's seed range is its lowest and highest seed", () => {
  assert.deepEqual(seedRange([0.69, 0.62, 0.67]), [0.62, 0.69]);
  assert.deepEqual(seedRange([0.75]), [0.75, 0.75]);
  assert.throws(() => seedRange([]), /no values/);
});
