/** The missing-label model: drop probability grows for shorter and quieter events, bounded by base and max. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { DEFAULT_MISSING_LABEL_MODEL as M, dropProbability } from "../../lib/demo";
import { labelClip } from "../../lib/demo/plan";
import { createRng } from "../../lib/data/random";

test("a long loud event is dropped at the base rate; short and quiet ones more often, up to the cap", () => {
  assert.equal(dropProbability(10, 0), M.base);
  assert.ok(dropProbability(0.3, 0) > dropProbability(1.5, 0));
  assert.ok(dropProbability(10, -20) > dropProbability(10, -8));
  assert.equal(dropProbability(0, -60), M.max);
  assert.ok(Math.abs(dropProbability(0, 0) - (M.base + M.short)) < 1e-12);
});

test("labelClip: truth = classes of the events; weak ⊆ truth, never empty; with no model weak = truth", () => {
  const plan = {
    seconds: 10,
    noise: { colour: "white" as const, levelDb: -50, seed: 1 },
    events: [
      { sourceId: "a", classIndex: 5, onset: 1, offset: 9, sourceStart: 0, speed: 1, gainDb: 0 },
      { sourceId: "b", classIndex: 2, onset: 3, offset: 3.2, sourceStart: 0, speed: 1, gainDb: -30 },
      { sourceId: "b", classIndex: 2, onset: 3.1, offset: 3.4, sourceStart: 0, speed: 1, gainDb: -30 },
    ],
  };
  let dropped = 0;
  for (let seed = 0; seed < 200; seed++) {
    const labels = labelClip(plan, createRng(seed), M);
    assert.deepEqual(labels.trueLabels, [2, 5]);
    assert.ok(labels.weakLabels.length >= 1 && labels.weakLabels.every((c) => labels.trueLabels.includes(c)));
    const faint = labels.stats.find((s) => s.classIndex === 2)!;
    assert.equal(faint.activeSeconds, 0.4); // union of the overlapping placements
    if (!faint.kept) dropped++;
  }
  // The faint 0.4-s class is dropped with probability min(max, base + short·0.8 + quiet·1) = 0.79.
  assert.ok(dropped > 130 && dropped < 185, `dropped ${dropped}/200`);
  const exact = labelClip(plan, createRng(0), null);
  assert.deepEqual(exact.weakLabels, exact.trueLabels);
});
