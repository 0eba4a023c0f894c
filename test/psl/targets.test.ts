/** Chunk targets from hand-made PSL tables: soft / hard (global, per class) / top-k, with ignore / union / restrict. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { chunkTargets, resolveThresholds, targetStatistics, weakTargets } from "../../lib/psl/targets";
import { UserError } from "../../lib/errors";

// 3 chunks × 4 classes. Chunk 0 (weak {0}), chunk 1 (weak {1, 3}), chunk 2 (weak {}).
const table = {
  numClasses: 4,
  probs: Float32Array.from([
    0.9, 0.2, 0.6, 0.05,
    0.1, 0.4, 0.4, 0.7,
    0.3, 0.3, 0.2, 0.1,
  ]),
  weak: [[0], [1, 3], []],
};
const rows = (t: Float32Array) => [0, 1, 2].map((r) => Array.from(t.subarray(r * 4, r * 4 + 4)).map((v) => Math.round(v * 100) / 100));

test("soft targets are the probabilities; weak combinations", () => {
  assert.deepEqual(rows(chunkTargets(table, { target: "soft", threshold: 0.5, topK: 1, weak: "ignore" })), [
    [0.9, 0.2, 0.6, 0.05], [0.1, 0.4, 0.4, 0.7], [0.3, 0.3, 0.2, 0.1],
  ]);
  assert.deepEqual(rows(chunkTargets(table, { target: "soft", threshold: 0.5, topK: 1, weak: "union" })), [
    [1, 0.2, 0.6, 0.05], [0.1, 1, 0.4, 1], [0.3, 0.3, 0.2, 0.1],
  ]);
  assert.deepEqual(rows(chunkTargets(table, { target: "soft", threshold: 0.5, topK: 1, weak: "restrict" })), [
    [0.9, 0, 0, 0], [0, 0.4, 0, 0.7], [0, 0, 0, 0],
  ]);
});

test("hard targets by a global threshold (≥ is positive) and by per-class thresholds", () => {
  assert.deepEqual(rows(chunkTargets(table, { target: "hard", threshold: 0.4, topK: 1, weak: "ignore" })), [
    [1, 0, 1, 0], [0, 1, 1, 1], [0, 0, 0, 0],
  ]);
  const perClass = { default: 0.5, "2": 0.65, Dog: 0.25 };
  const names = ["Speech", "Dog", "Cat", "Car"];
  assert.deepEqual(rows(chunkTargets(table, { target: "hard", threshold: perClass, topK: 1, weak: "ignore" }, names)), [
    [1, 0, 0, 0], [0, 1, 0, 1], [0, 1, 0, 0],
  ]);
  assert.deepEqual(rows(chunkTargets(table, { target: "hard", threshold: perClass, topK: 1, weak: "restrict" }, names)), [
    [1, 0, 0, 0], [0, 1, 0, 1], [0, 0, 0, 0],
  ]);
  assert.deepEqual(rows(chunkTargets(table, { target: "hard", threshold: 0.8, topK: 1, weak: "union" })), [
    [1, 0, 0, 0], [0, 1, 0, 1], [0, 0, 0, 0],
  ]);
});

test("top-k per chunk, ties to the lower class index", () => {
  assert.deepEqual(rows(chunkTargets(table, { target: "topk", threshold: 0.5, topK: 2, weak: "ignore" })), [
    [1, 0, 1, 0], [0, 1, 0, 1], [1, 1, 0, 0],
  ]);
  assert.deepEqual(rows(chunkTargets(table, { target: "topk", threshold: 0.5, topK: 1, weak: "union" })), [
    [1, 0, 0, 0], [0, 1, 0, 1], [1, 0, 0, 0],
  ]);
  // k larger than the class count: everything.
  assert.deepEqual(rows(chunkTargets(table, { target: "topk", threshold: 0.5, topK: 9, weak: "ignore" }))[2], [1, 1, 1, 1]);
});

test("top-k matches a sort-based reference on random tables", () => {
  let s = 7;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const C = 30;
  const probs = Float32Array.from({ length: 50 * C }, () => Math.round(rand() * 20) / 20); // many ties
  const t = { numClasses: C, probs, weak: Array.from({ length: 50 }, () => []) };
  for (const k of [1, 3, 7]) {
    const got = chunkTargets(t, { target: "topk", threshold: 0.5, topK: k, weak: "ignore" });
    for (let r = 0; r < 50; r += 1) {
      const row = Array.from(probs.subarray(r * C, (r + 1) * C));
      const expected = new Set(row.map((p, c) => [p, c] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]).slice(0, k).map((x) => x[1]));
      for (let c = 0; c < C; c += 1) assert.equal(got[r * C + c], expected.has(c) ? 1 : 0, `row ${r} class ${c} k ${k}`);
    }
  }
});

test("threshold errors name the field; weak targets and statistics", () => {
  assert.throws(() => resolveThresholds({ Unicorn: 0.5 }, 4, ["a", "b", "c", "d"]), (e: unknown) => e instanceof UserError && /annotation\.threshold\.Unicorn: unknown class/.test(e.message));
  assert.throws(() => resolveThresholds(1.5, 4), /annotation\.threshold: must be a number in \[0, 1\]/);
  assert.throws(() => resolveThresholds({ "7": 0.5 }, 4), /threshold\.7: unknown class/);
  assert.deepEqual(Array.from(weakTargets(table.weak, 4)), [1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0]);
  const stats = targetStatistics(chunkTargets(table, { target: "hard", threshold: 0.4, topK: 1, weak: "ignore" }), 4);
  assert.deepEqual(Array.from(stats.perClass), [1, 1, 2, 1]);
  assert.ok(Math.abs(stats.labelsPerChunk - 5 / 3) < 1e-12);
});
