/** lib/analysis/training-targets-check.ts: one student on two kinds of targets, scored on eval against the truth. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { committedPslOracleTeacher, committedWeakOnTrueLabels, targetsCheckRows } from "../../lib/analysis/training-targets-check";
import { readJsonFile } from "../../lib/io/json-file";
import { repoPath } from "../../lib/io/repo-root";
import { UserError } from "../../lib/errors";

const run = (trainingLabels: string, seed: number, mAP: number, meanAUC: number) => ({ trainingLabels, seed, evalTrueLabels: { mAP, meanAUC } });
const KINDS = ["noisy", "truth"];

/** Per-seed eval mAP of `student` recorded by the default `npm run reproduce` of 41d4e08 (the shipped corpus and recipe). */
function recordedPerSeed(student: string): Map<number, number> {
  const recorded = readJsonFile(repoPath("data-manifests", "demo", "runs", "default-2026-11-29-41d4e08.summary.json")) as
    { results: { students: Record<string, { seeds: number[]; perSeedMAP: number[] }> } };
  const s = recorded.results.students[student];
  return new Map(s.seeds.map((seed, i) => [seed, s.perSeedMAP[i]]));
}

test("runs are grouped by the field's kinds in their order, seeds in order, with their means", () => {
  const rows = targetsCheckRows({ runs: {
    "truth/seed43": run("truth", 43, 0.2, 0.8), "noisy/seed43": run("noisy", 43, 0.1, 0.6),
    "truth/seed42": run("truth", 42, 0.3, 0.7), "noisy/seed42": run("noisy", 42, 0.2, 0.7),
  } }, "x.json", "trainingLabels", KINDS);
  assert.deepEqual(rows.map((r) => [r.targets, r.seeds, r.evalMAP]), [["noisy", [42, 43], [0.2, 0.1]], ["truth", [42, 43], [0.3, 0.2]]]);
  assert.ok(Math.abs(rows[1].meanEvalMAP - 0.25) < 1e-12 && Math.abs(rows[1].meanEvalAUC - 0.75) < 1e-12);
});

test("the committed baselines are the default run's students: the same eval mAP per seed (training is deterministic)", () => {
  for (const [rows, student] of [[committedWeakOnTrueLabels(), "weak"], [committedPslOracleTeacher(), "psl-2s"]] as const) {
    assert.ok(rows.length >= 2, `${student}: the baseline and another kind of targets`);
    for (const row of rows.slice(1)) assert.deepEqual(row.seeds, rows[0].seeds, `${student} ${row.targets}: over the baseline's seeds`);
    assert.ok(rows[0].seeds.length >= 3, `${student}: three seeds`);
    const recorded = recordedPerSeed(student);
    rows[0].seeds.forEach((seed, i) => {
      const expected = recorded.get(seed);
      assert.ok(expected !== undefined && Math.abs(rows[0].evalMAP[i] - expected) < 1e-4, `${student} seed ${seed}: ${rows[0].evalMAP[i]} vs ${expected}`);
    });
  }
});

test("a malformed run names the file, the run and the field", () => {
  assert.throws(() => targetsCheckRows({ runs: { k: run("clean", 42, 0.1, 0.6) } }, "x.json", "trainingLabels", KINDS),
    (e: unknown) => e instanceof UserError && e.message === 'x.json: runs.k.trainingLabels must be one of "noisy", "truth"');
  assert.throws(() => targetsCheckRows({ runs: { k: { ...run("truth", 42, 0.1, 0.6), evalTrueLabels: { mAP: 0.1 } } } }, "x.json", "trainingLabels", KINDS),
    /x\.json: runs\.k\.evalTrueLabels needs numeric mAP and meanAUC/);
  assert.throws(() => targetsCheckRows({ runs: { k: { ...run("truth", 42, 0.1, 0.6), seed: null } } }, "x.json", "trainingLabels", KINDS), /runs\.k\.seed is not a finite number/);
  assert.throws(() => targetsCheckRows([], "x.json", "trainingLabels", KINDS), /x\.json: no "runs" object/);
});
