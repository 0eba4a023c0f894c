import { test } from "node:test";
import assert from "node:assert/strict";
import { createRng } from "../../lib/data/random";
import { createBalancedSampler, createShuffleSampler } from "../../lib/data/sampler";

test("createRng: same seed → same stream; different seeds differ; values in range", () => {
  const a = createRng(42);
  const b = createRng(42);
  const c = createRng(43);
  const xs = Array.from({ length: 1000 }, () => a.next());
  assert.deepEqual(xs, Array.from({ length: 1000 }, () => b.next()));
  assert.notDeepEqual(xs.slice(0, 10), Array.from({ length: 10 }, () => c.next()));
  assert.ok(xs.every((x) => x >= 0 && x < 1));
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  assert.ok(Math.abs(mean - 0.5) < 0.05);
  const counts = new Array(7).fill(0);
  const r = createRng(1);
  for (let i = 0; i < 7000; i++) counts[r.int(7)]++;
  assert.ok(counts.every((n) => n > 850 && n < 1150), counts.join());
  assert.throws(() => r.int(0), /positive integer/);
  const perm = createRng(5).shuffle([0, 1, 2, 3, 4, 5, 6, 7]);
  assert.deepEqual([...perm].sort(), [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.deepEqual(perm, createRng(5).shuffle([0, 1, 2, 3, 4, 5, 6, 7]));
});

test("balanced sampler: classes visited in shuffled rounds, each round takes one item per class", () => {
  // Class 0 is common (items 0–89), class 1 has 8 items, class 2 has 2; item 95 carries classes 1 and 2.
  const labels: number[][] = [];
  for (let i = 0; i < 90; i++) labels.push([0]);
  for (let i = 90; i < 98; i++) labels.push([1]);
  labels[95] = [1, 2];
  labels.push([2]); // item 98
  const sampler = createBalancedSampler(labels, { seed: 7 });
  assert.deepEqual(sampler.activeClasses, [0, 1, 2]);
  assert.equal(sampler.epochLength, labels.length);
  const drawn = sampler.take(300);
  // Each block of 3 draws is one round: one item of each class, in some order.
  for (let round = 0; round < 100; round++) {
    const classesInRound = drawn.slice(round * 3, round * 3 + 3).map((item) => labels[item]);
    for (const c of [0, 1, 2]) assert.ok(classesInRound.some((l) => l.includes(c)), `round ${round} lacks class ${c}`);
  }
  // Rare class 2 (2 items) is drawn 100 times: its list is reshuffled and reused; all its items appear.
  const drawnOnlyWithClass2 = drawn.filter((item) => item === 98).length;
  assert.ok(drawnOnlyWithClass2 >= 40 && drawnOnlyWithClass2 <= 60, `item 98 drawn ${drawnOnlyWithClass2} times`);
  // Within one pass over a class's list, no item repeats (the reference walks a shuffled list, then reshuffles).
  const class1 = createBalancedSampler(labels.map((l) => l.filter((c) => c === 1)), { seed: 3 }).take(8);
  assert.deepEqual([...class1].sort((x, y) => x - y), [90, 91, 92, 93, 94, 95, 96, 97]);
});

test("balanced sampler is deterministic per seed and skips classes without items", () => {
  const labels = [[0], [2], [2], [0, 2], [4]];
  const a = createBalancedSampler(labels, { seed: 11 }).take(50);
  assert.deepEqual(a, createBalancedSampler(labels, { seed: 11 }).take(50));
  assert.notDeepEqual(a, createBalancedSampler(labels, { seed: 12 }).take(50));
  assert.deepEqual(createBalancedSampler(labels, { seed: 1 }).activeClasses, [0, 2, 4]);
  assert.throws(() => createBalancedSampler([[]], { seed: 1 }), /no item has any label/);
  assert.throws(() => createBalancedSampler([[3]], { seed: 1, numClasses: 2 }), /label 3 ≥ numClasses 2/);
});

test("shuffle sampler: a seeded permutation per epoch, reproducible, different across epochs", () => {
  const sampler = createShuffleSampler(100, { seed: 42 });
  const e0 = sampler.epochOrder(0);
  assert.deepEqual(Array.from(e0).sort((a, b) => a - b), Array.from({ length: 100 }, (_, i) => i));
  assert.deepEqual(e0, createShuffleSampler(100, { seed: 42 }).epochOrder(0));
  assert.notDeepEqual(e0, sampler.epochOrder(1));
  assert.notDeepEqual(e0, createShuffleSampler(100, { seed: 43 }).epochOrder(0));
});
