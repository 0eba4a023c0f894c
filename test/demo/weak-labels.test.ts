/** The missing-label model: drop probability grows for shorter and quieter events, bounded by base and max. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { DEFAULT_MISSING_LABEL_MODEL as M, DEFAULT_WRONG_LABEL_MODEL, drawWrongLabel, dropProbability, topCategory } from "../../lib/demo";
import { labelClip } from "../../lib/demo/plan";
import { createRng } from "../../lib/data/random";

test("a long loud event is dropped at the base rate; short and quiet ones more often, up to the cap", () => {
  assert.equal(dropProbability(10, 0), M.base);
  assert.ok(dropProbability(0.3, 0) > dropProbability(1.5, 0));
  assert.ok(dropProbability(10, -20) > dropProbability(10, -8));
  assert.equal(dropProbability(0, -60), Math.min(M.max, M.base + M.short + M.quiet));
  assert.equal(dropProbability(0, -60, { ...M, quiet: 0.9 }), M.max, "capped");
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
    const labels = labelClip(plan, createRng(seed), { missing: M, wrong: { rate: 0, sameCategory: 0 } });
    assert.deepEqual(labels.trueLabels, [2, 5]);
    assert.ok(labels.weakLabels.length >= 1 && labels.weakLabels.every((c) => labels.trueLabels.includes(c)));
    const faint = labels.stats.find((s) => s.classIndex === 2)!;
    assert.equal(faint.activeSeconds, 0.4); // union of the overlapping placements
    if (!faint.kept) dropped++;
  }
  // The faint 0.4-s class is dropped with probability min(max, base + short·0.8 + quiet·1) = 0.7.
  const expected = Math.min(M.max, M.base + M.short * 0.8 + M.quiet);
  assert.ok(Math.abs(dropped / 200 - expected) < 0.1, `dropped ${dropped}/200, expected ≈ ${expected}`);
  const exact = labelClip(plan, createRng(0), null);
  assert.deepEqual(exact.weakLabels, exact.trueLabels);
});

test("wrong labels: added at the set rate, never a true class, mostly from a true class's top-level category", () => {
  const classes = [0, 16, 28, 74, 90, 112, 137, 140, 153, 287, 390, 427];
  const truth = [0, 140];
  let added = 0;
  let related = 0;
  const rng = createRng(3);
  const next = () => rng.next();
  for (let i = 0; i < 4000; i++) {
    const wrong = drawWrongLabel(truth, classes, { rate: 0.25, sameCategory: 0.8 }, next);
    if (wrong === null) continue;
    added++;
    assert.ok(classes.includes(wrong) && !truth.includes(wrong));
    if (["human", "music"].includes(topCategory(wrong))) related++;
  }
  assert.ok(Math.abs(added / 4000 - 0.25) < 0.03, `rate ${added / 4000}`);
  // 80 % from the related pool (all human/music), the rest uniform over the 10 absent classes (4 of them related).
  assert.ok(Math.abs(related / added - (0.8 + 0.2 * 0.4)) < 0.05, `related share ${related / added}`);
  assert.equal(drawWrongLabel(truth, classes, { rate: 0, sameCategory: 1 }, next), null);
  assert.equal(drawWrongLabel([0], [0], DEFAULT_WRONG_LABEL_MODEL, () => 0), null, "no absent class, no wrong label");
  assert.deepEqual([0, 71, 72, 136, 137, 282, 283, 299, 300, 526].map(topCategory), ["human", "human", "animal", "animal", "music", "music", "natural", "natural", "things", "things"]);
});

test("labelClip with wrong labels: weak = kept true labels + the wrong one, recorded apart", () => {
  const plan = { seconds: 10, noise: { colour: "white" as const, levelDb: -50, seed: 1 }, events: [{ sourceId: "a", classIndex: 140, onset: 1, offset: 9, sourceStart: 0, speed: 1, gainDb: 0 }] };
  let withWrong = 0;
  for (let seed = 0; seed < 300; seed++) {
    const labels = labelClip(plan, createRng(seed), { missing: M, wrong: { rate: 0.5, sameCategory: 1 } }, [0, 140, 153, 155]);
    assert.deepEqual(labels.trueLabels, [140]);
    assert.ok(labels.weakLabels.includes(140), "the only class is always kept (a clip keeps a label)");
    assert.deepEqual(labels.weakLabels.filter((c) => c !== 140), labels.wrongLabels);
    for (const c of labels.wrongLabels) assert.ok(c === 153 || c === 155, "same category (music) with sameCategory = 1");
    if (labels.wrongLabels.length) withWrong++;
  }
  assert.ok(withWrong > 110 && withWrong < 190, `${withWrong}/300`);
});
