/** lib/analysis/weak-on-true-labels.ts: the weak student on its clips' true labels beside the same on noisy labels. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { committedWeakOnTrueLabels, weakOnTrueLabelsRows } from "../../lib/analysis/weak-on-true-labels";
import { readJsonFile } from "../../lib/io/json-file";
import { repoPath } from "../../lib/io/repo-root";
import { UserError } from "../../lib/errors";

const run = (trainingLabels: string, seed: number, mAP: number, meanAUC: number) => ({ trainingLabels, seed, evalTrueLabels: { mAP, meanAUC } });

test("runs are grouped by training labels, noisy first, seeds in order, with their means", () => {
  const rows = weakOnTrueLabelsRows({ runs: {
    "truth/seed43": run("truth", 43, 0.2, 0.8), "noisy/seed43": run("noisy", 43, 0.1, 0.6),
    "truth/seed42": run("truth", 42, 0.3, 0.7), "noisy/seed42": run("noisy", 42, 0.2, 0.7),
  } }, "x.json");
  assert.deepEqual(rows.map((r) => [r.trainingLabels, r.seeds, r.evalMAP]), [["noisy", [42, 43], [0.2, 0.1]], ["truth", [42, 43], [0.3, 0.2]]]);
  assert.ok(Math.abs(rows[1].meanEvalMAP - 0.25) < 1e-12 && Math.abs(rows[1].meanEvalAUC - 0.75) < 1e-12);
});

test("the committed noisy-label runs are the default run's weak students: the same eval mAP per seed", () => {
  const rows = committedWeakOnTrueLabels();
  const noisy = rows.find((r) => r.trainingLabels === "noisy")!;
  const truth = rows.find((r) => r.trainingLabels === "truth")!;
  assert.deepEqual(truth.seeds, noisy.seeds, "both kinds over the same seeds");
  assert.ok(noisy.seeds.length >= 3, "three seeds");
  // Recorded by the default `npm run reproduce` (41d4e08, the shipped corpus and recipe): training is deterministic.
  const recorded = readJsonFile(repoPath("data-manifests", "demo", "runs", "default-2026-11-29-41d4e08.summary.json")) as
    { results: { students: { weak: { seeds: number[]; perSeedMAP: number[] } } } };
  const weak = recorded.results.students.weak;
  for (const [i, seed] of noisy.seeds.entries()) {
    const k = weak.seeds.indexOf(seed);
    if (k >= 0) assert.ok(Math.abs(noisy.evalMAP[i] - weak.perSeedMAP[k]) < 1e-4, `seed ${seed}: ${noisy.evalMAP[i]} vs ${weak.perSeedMAP[k]}`);
  }
});

test("a malformed run names the file, the run and the field", () => {
  assert.throws(() => weakOnTrueLabelsRows({ runs: { k: run("clean", 42, 0.1, 0.6) } }, "x.json"),
    (e: unknown) => e instanceof UserError && e.message === 'x.json: runs.k.trainingLabels must be "noisy" or "truth"');
  assert.throws(() => weakOnTrueLabelsRows({ runs: { k: { ...run("truth", 42, 0.1, 0.6), evalTrueLabels: { mAP: 0.1 } } } }, "x.json"),
    /x\.json: runs\.k\.evalTrueLabels needs numeric mAP and meanAUC/);
  assert.throws(() => weakOnTrueLabelsRows({ runs: { k: { ...run("truth", 42, 0.1, 0.6), seed: null } } }, "x.json"), /runs\.k\.seed is not a finite number/);
  assert.throws(() => weakOnTrueLabelsRows([], "x.json"), /x\.json: no "runs" object/);
});
