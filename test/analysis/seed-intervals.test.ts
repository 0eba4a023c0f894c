/** Seeds × eval-clip intervals and the paired difference, on scores whose quality is known. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { createRng } from "../../lib/data/random";
import { pairedSeedDifference, seedInterval } from "../../lib/analysis/seed-intervals";
import { chanceMAP } from "../../lib/series/results";

/** 200 clips × 6 classes (2 never positive); scores = label·signal + noise, one matrix per seed. */
function scenario(signal: number, seeds: number, seed: number): { targets: Float32Array; runs: Float32Array[] } {
  const rng = createRng(seed);
  const n = 200;
  const K = 6;
  const targets = new Float32Array(n * K);
  for (let i = 0; i < n; i++) for (let c = 0; c < 4; c++) targets[i * K + c] = rng.next() < 0.2 ? 1 : 0;
  const runs = Array.from({ length: seeds }, () => {
    const scores = new Float32Array(n * K);
    for (let i = 0; i < n * K; i++) scores[i] = signal * targets[i] + rng.next();
    return scores;
  });
  return { targets, runs };
}

test("seedInterval: the mean over seeds lies inside its interval; a better scorer has a higher interval; random ≈ chance", () => {
  const good = scenario(1.5, 3, 1);
  const result = seedInterval(good.targets, good.runs, 6, { resamples: 200, seed: 0 });
  assert.equal(result.perSeed.length, 3);
  assert.ok(result.ci95[0] <= result.mAP && result.mAP <= result.ci95[1], JSON.stringify(result));
  assert.ok(result.meanAUC > 0.8);
  const random = scenario(0, 3, 1);
  const chance = chanceMAP(Array.from({ length: 200 }, (_, i) => ({ filename: `${i}`, labels: [0, 1, 2, 3, 4, 5].filter((c) => random.targets[i * 6 + c] > 0) })), 6);
  const r = seedInterval(random.targets, random.runs, 6, { resamples: 200, seed: 0 });
  assert.ok(r.ci95[0] < chance + 0.02 && chance - 0.02 < r.ci95[1], `random scorer ${JSON.stringify(r.ci95)} vs chance ${chance}`);
  assert.ok(result.ci95[0] > r.ci95[1], "a real signal is separated from chance");
  assert.throws(() => seedInterval(good.targets, [], 6), /no runs/);
});

test("pairedSeedDifference: positive with a CI above 0 for a better model, straddling 0 for an equal one", () => {
  const weak = scenario(0.6, 3, 2);
  const strong = scenario(1.5, 3, 2); // same targets (same seed stream start), stronger signal
  const diff = pairedSeedDifference(weak.targets, weak.runs, strong.runs, 6, { resamples: 200, seed: 0 });
  assert.ok(diff.mAP > 0 && diff.ci95[0] > 0, JSON.stringify(diff));
  assert.ok(diff.probabilityBetter > 0.95);
  const same = pairedSeedDifference(weak.targets, weak.runs, scenario(0.6, 3, 99).runs.map((r) => r), 6, { resamples: 200, seed: 0 });
  assert.ok(same.ci95[0] < 0.05, JSON.stringify(same));
});

test("on a small eval set the interval still holds the estimate (resampled AP is biased upwards; the interval is bias-corrected)", () => {
  const rng = createRng(5);
  const n = 30;
  const K = 8;
  const targets = new Float32Array(n * K);
  for (let i = 0; i < n; i++) targets[i * K + rng.int(K)] = 1;
  const runs = Array.from({ length: 2 }, () => Float32Array.from({ length: n * K }, (_, i) => 0.3 * targets[i] + rng.next()));
  const r = seedInterval(targets, runs, K, { resamples: 300, seed: 0 });
  assert.ok(r.ci95[0] <= r.mAP && r.mAP <= r.ci95[1], JSON.stringify(r));
});
