/** lib/analysis/model-width-curve.ts: the weak student's eval scores against the width of its model. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { committedModelWidthCurve, modelWidthCurve, modelWidthPath, ratioByWidth } from "../../lib/analysis/model-width-curve";
import { readJsonFile } from "../../lib/io/json-file";
import { UserError } from "../../lib/errors";
import { SERIES_PROFILES } from "../../lib/series";
import { committedPslOracleTeacher } from "../../lib/analysis/training-targets-check";

const run = (widthMult: unknown, seed: number, meanAUC: number, secondsPerStep: unknown = 1, learningRate: unknown = 4e-3, student = "weak") =>
  ({ student, widthMult, seed, learningRate, secondsPerStep, evalTrueLabels: { mAP: meanAUC / 4, meanAUC } });

test("runs are grouped by width, narrowest first, with each seed's cost per step beside its scores", () => {
  const curve = modelWidthCurve({ runs: {
    "w1/seed43": run(1, 43, 0.7, 3.1), "w0.25/seed42": run(0.25, 42, 0.6, 0.9),
    "w1/seed42": run(1, 42, 0.8, 2.9), "w0.25/seed43": run(0.25, 43, 0.5, 1.1),
  } }, "x.json");
  assert.deepEqual(curve.map((p) => [p.targets, p.seeds, p.evalMeanAUC, p.secondsPerStep]),
    [[0.25, [42, 43], [0.6, 0.5], [0.9, 1.1]], [1, [42, 43], [0.8, 0.7], [2.9, 3.1]]]);
  assert.ok(Math.abs(curve[0].meanEvalAUC - 0.55) < 1e-12);
});

test("a run without a positive width or cost is refused with the file, run and field", () => {
  for (const bad of [null, "0.5", 0, -1]) {
    assert.throws(() => modelWidthCurve({ runs: { k: run(bad, 42, 0.6) } }, "x.json"),
      (e: unknown) => e instanceof UserError && e.message === "x.json: runs.k.widthMult must be a positive number");
  }
  assert.throws(() => modelWidthCurve({ runs: { k: run(0.5, 42, 0.6, null) } }, "x.json"), /runs\.k\.secondsPerStep must be a positive number/);
});

test("the committed curve: the default weak student at several widths, one learning rate, the default budget", () => {
  const path = modelWidthPath("weak");
  const file = readJsonFile(path) as { recipe: Record<string, unknown>; runs: Record<string, { student: string; steps: number; widthMult: number }> };
  const profile = SERIES_PROFILES.default;
  assert.equal(file.recipe.widthMult, undefined, "the width varies, so the file's recipe leaves it out");
  assert.equal(file.recipe.steps, profile.studentSteps);
  for (const [key, r] of Object.entries(file.runs)) assert.deepEqual([r.student, r.steps, key.startsWith(`w${r.widthMult}/`)], ["weak", profile.studentSteps, true], key);
  const { points, learningRate, steps, student } = committedModelWidthCurve("weak");
  assert.equal(student, "weak");
  assert.equal(learningRate, profile.studentLearningRates.weak, "the rate chosen at the default width, not retuned");
  assert.equal(steps, profile.studentSteps);
  assert.ok(points.some((p) => p.targets === profile.widthMult), "the default width is on the curve");
  assert.ok(points.some((p) => p.targets === 1), "the paper's width 1.0 is on the curve");
  const costs = points.map((p) => Math.min(...p.secondsPerStep));
  assert.ok(costs.every((c, i) => i === 0 || c > costs[i - 1]), `a wider model costs more per step: ${costs.join(", ")}`);
  assert.throws(() => committedModelWidthCurve("weak", "/nonexistent/weak-by-model-width.json"), /nonexistent/);
});

test("a file whose runs differ in learning rate is refused: only the width may move", async () => {
  const { mkdtempSync, writeFileSync } = await import("node:fs");
  const { join } = await import("node:path");
  const { tmpdir } = await import("node:os");
  const path = join(mkdtempSync(join(tmpdir(), "width-")), "w.json");
  writeFileSync(path, JSON.stringify({ recipe: { steps: 450 }, runs: { a: run(0.25, 42, 0.6), b: run(1, 42, 0.7, 3, 1e-3) } }));
  assert.throws(() => committedModelWidthCurve("weak", path), /share one numeric learningRate/);
});

test("a file with another student's runs is refused, naming the run: one student per curve", async () => {
  const { mkdtempSync, writeFileSync } = await import("node:fs");
  const { join } = await import("node:path");
  const { tmpdir } = await import("node:os");
  const path = join(mkdtempSync(join(tmpdir(), "width-")), "w.json");
  writeFileSync(path, JSON.stringify({ recipe: { steps: 450 }, runs: { a: run(0.25, 42, 0.6), b: run(1, 42, 0.7, 3, 4e-3, "psl-2s") } }));
  assert.throws(() => committedModelWidthCurve("weak", path), (e: unknown) => e instanceof UserError && e.message === `${path}: runs.b.student must be "weak", found "psl-2s"`);
});

test("ratioByWidth: at each width both measured, over the seeds both have, the ratio of means and per seed", () => {
  const curve = (student: "weak" | "psl-2s", runs: Record<string, ReturnType<typeof run>>) =>
    ({ student, path: "x.json", steps: 450, learningRate: 4e-3, points: modelWidthCurve({ runs }, "x.json") });
  // evalTrueLabels.mAP is meanAUC / 4 in `run`.
  const weak = curve("weak", { a: run(0.25, 42, 0.4), b: run(0.25, 43, 0.8), c: run(1, 42, 0.4), d: run(0.5, 42, 0.4) });
  const psl2s = curve("psl-2s", { a: run(0.25, 42, 0.6), b: run(0.25, 43, 0.8), c: run(1, 43, 0.8), d: run(0.5, 42, 0.8), e: run(0.5, 44, 0.4) });
  const ratios = ratioByWidth(psl2s, weak);
  assert.deepEqual(ratios.map((r) => [r.widthMult, r.seeds]), [[0.25, [42, 43]], [0.5, [42]]], "width 1.0 has no common seed");
  assert.ok(Math.abs(ratios[0].ratioOfMeans - (0.15 + 0.2) / (0.1 + 0.2)) < 1e-12);
  assert.ok(Math.abs(ratios[0].numeratorMAP - 0.175) < 1e-12 && Math.abs(ratios[0].denominatorMAP - 0.15) < 1e-12);
  assert.deepEqual(ratios[0].perSeed.map((r) => Number(r.toFixed(6))), [1.5, 1]);
  assert.ok(Math.abs(ratios[1].ratioOfMeans - 2) < 1e-12);
});

test("the committed PSL-2s curve: the default PSL-2s over the weak curve's widths and seeds, its width-0.25 runs the default's", () => {
  const profile = SERIES_PROFILES.default;
  const psl2s = committedModelWidthCurve("psl-2s");
  const weak = committedModelWidthCurve("weak");
  assert.equal(psl2s.learningRate, profile.studentLearningRates["psl-2s"], "the rate chosen at the default width, not retuned");
  assert.equal(psl2s.steps, profile.studentSteps);
  assert.deepEqual(psl2s.points.map((p) => [p.targets, p.seeds]), weak.points.map((p) => [p.targets, p.seeds]), "the same widths and seeds as weak");
  // At the default width these are the default run's PSL-2s students (training is deterministic): the perfect-annotator
  // file's teacher rows hold the same runs.
  const defaultRuns = committedPslOracleTeacher().find((r) => r.targets === "shipped teacher")!;
  const atDefault = psl2s.points.find((p) => p.targets === profile.widthMult)!;
  assert.deepEqual([atDefault.seeds, atDefault.evalMAP], [defaultRuns.seeds, defaultRuns.evalMAP]);
  const ratios = ratioByWidth(psl2s, weak);
  assert.deepEqual(ratios.map((r) => r.seeds.length), weak.points.map(() => 3), "every width's ratio over three seeds");
});
