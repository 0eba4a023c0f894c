/** lib/analysis/oracle-by-chunk-size.ts: the PSL students of each chunk size, from the teacher and a perfect annotator. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { chunkSizeCurves, committedOracleByChunkSize } from "../../lib/analysis/oracle-by-chunk-size";
import { committedPslOracleTeacher, committedWeakOnTrueLabels, pslOracleTeacherPath } from "../../lib/analysis/training-targets-check";
import { runsWith } from "../../lib/analysis/measurement-runs";
import { readJsonFile } from "../../lib/io/json-file";
import { UserError } from "../../lib/errors";
import { SERIES_PROFILES } from "../../lib/series";

const run = (annotator: string, chunkSeconds: unknown, seed: number, mAP: number, learningRate: unknown = 4e-3) =>
  ({ annotator, student: `psl-${String(chunkSeconds)}s`, chunkSeconds, learningRate, seed, evalTrueLabels: { mAP, meanAUC: 0.5 + mAP } });
const ANNOTATORS = ["shipped teacher", "perfect (chunk truth)"];

test("one curve per annotator and rate, points by chunk size, longest first; combinations without runs left out", () => {
  const curves = chunkSizeCurves({ runs: {
    a: run("shipped teacher", 2, 42, 0.2), b: run("shipped teacher", 10, 42, 0.3), c: run("shipped teacher", 2, 43, 0.4),
    d: run("perfect (chunk truth)", 5, 42, 0.1), e: run("perfect (event coverage)", 2, 42, 0.9),
    f: run("shipped teacher", 5, 42, 0.25, 8e-3),
  } }, "x.json", ANNOTATORS);
  assert.deepEqual(curves.map((c) => [c.annotator, c.learningRate, c.points.map((p) => [p.targets, p.seeds, p.evalMAP])]), [
    ["shipped teacher", 4e-3, [[10, [42], [0.3]], [2, [42, 43], [0.2, 0.4]]]],
    ["shipped teacher", 8e-3, [[5, [42], [0.25]]]],
    ["perfect (chunk truth)", 4e-3, [[5, [42], [0.1]]]],
  ]);
  assert.ok(Math.abs(curves[0].points[1].meanEvalMAP - 0.3) < 1e-12);
});

test("a run without a positive chunk length or rate is refused with the file, run and field", () => {
  for (const bad of [null, "2", 0, -5]) {
    assert.throws(() => chunkSizeCurves({ runs: { k: run("shipped teacher", bad, 42, 0.2) } }, "x.json", ANNOTATORS),
      (e: unknown) => e instanceof UserError && e.message === "x.json: runs.k.chunkSeconds must be a positive number");
    assert.throws(() => chunkSizeCurves({ runs: { k: run("shipped teacher", 2, 42, 0.2, bad) } }, "x.json", ANNOTATORS),
      (e: unknown) => e instanceof UserError && e.message === "x.json: runs.k.learningRate must be a positive number");
  }
});

test("runsWith keeps the runs whose field has the value, under their keys", () => {
  const file = { runs: { a: run("shipped teacher", 2, 42, 0.2), b: run("shipped teacher", 5, 42, 0.3) } };
  assert.deepEqual(Object.keys(runsWith(file, "x.json", "chunkSeconds", 5).runs), ["b"]);
  assert.deepEqual(runsWith(file, "x.json", "student", "psl-10s").runs, {});
  assert.throws(() => runsWith({}, "x.json", "student", "psl-2s"), /x\.json: no "runs" object/);
});

test("the committed file: each student at its chunk size; at the common rate both annotators at every size and seed", () => {
  const path = pslOracleTeacherPath();
  const file = readJsonFile(path) as { runs: Record<string, { student: string; chunkSeconds: number; learningRate: number; steps: number }> };
  const profile = SERIES_PROFILES.default;
  const rates = profile.studentLearningRates as Record<string, number>;
  const common = rates["psl-2s"];
  assert.equal(rates["psl-10s"], common, "PSL-10s and PSL-2s share their default rate");
  for (const [key, r] of Object.entries(file.runs)) {
    assert.equal(`psl-${r.chunkSeconds}s`, r.student, key);
    const rateKey = r.learningRate === rates[r.student] ? "" : `lr${r.learningRate}/`;
    assert.ok(key.startsWith(`${r.student}/${rateKey}`), `${key}: keyed by its student and, off its default, its rate`);
    assert.ok(r.learningRate === rates[r.student] || r.learningRate === common, `${key}: its default rate or the common one`);
    assert.equal(r.steps, profile.studentSteps, key);
  }
  const { curves, steps } = committedOracleByChunkSize();
  assert.equal(steps, profile.studentSteps);
  const atCommon = curves.filter((c) => c.learningRate === common);
  assert.deepEqual(atCommon.map((c) => c.annotator), ANNOTATORS);
  for (const curve of atCommon) {
    assert.deepEqual(curve.points.map((p) => p.targets), [10, 5, 2], curve.annotator);
    for (const p of curve.points) assert.deepEqual(p.seeds, [42, 43, 44], `${curve.annotator} ${p.targets} s`);
  }
  // The PSL-2s reader sees only PSL-2s: the same figures as the 2-s points here.
  const [teacher2s, truth2s] = committedPslOracleTeacher();
  assert.deepEqual([teacher2s.evalMAP, truth2s.evalMAP], atCommon.map((c) => c.points.at(-1)!.evalMAP));
});

test("PSL-10s from the perfect annotator is the weak student on its clips' true labels: the same runs, seed by seed", () => {
  // A 10-s chunk is the whole clip, so its chunk truth is the clip's true labels: the PSL table path and the weak path
  // must train the same model (deterministic training), down to the last recorded digit.
  const perfect10s = committedOracleByChunkSize().curves.find((c) => c.annotator === "perfect (chunk truth)" && c.learningRate === 4e-3)!.points[0];
  const weakOnTruth = committedWeakOnTrueLabels().find((r) => r.targets === "truth")!;
  assert.equal(perfect10s.targets, 10);
  assert.deepEqual([perfect10s.seeds, perfect10s.evalMAP, perfect10s.evalMeanAUC], [weakOnTruth.seeds, weakOnTruth.evalMAP, weakOnTruth.evalMeanAUC]);
});
