import { test } from "node:test";
import assert from "node:assert/strict";
import {
  clipMaxScores,
  exampleView,
  findMissingLabels,
  labelCountSummary,
  labelCountSummaries,
  perClassMissingCounts,
  pickExampleClips,
  weakLabelsOfTable,
} from "../../lib/analysis";
import type { PslTable } from "../../lib/psl/table";
import { UserError } from "../../lib/errors";
import { chunkTable, TOY_NAMES, TOY_TRUTH, TOY_WEAK, toyChunks } from "./toy";

test("a dropped label the teacher recovers in exactly one chunk is an added label with that chunk", () => {
  const report = findMissingLabels(toyChunks(), TOY_WEAK, { threshold: 0.5 });
  const a = report.clips.find((c) => c.filename === "A")!;
  assert.deepEqual(a.weakLabels, [0]);
  assert.deepEqual(a.teacherLabels, [0, 1]);
  assert.deepEqual(a.added, [{ classIndex: 1, maxProb: 0.75, chunks: [2] }]);
  assert.deepEqual(a.unconfirmed, []);
});

test("a weak label no chunk reaches is unconfirmed, with its best score", () => {
  const report = findMissingLabels(toyChunks(), TOY_WEAK, { threshold: 0.5 });
  const b = report.clips.find((c) => c.filename === "B")!;
  assert.deepEqual(b.unconfirmed, [{ classIndex: 2, maxProb: 0.25, chunks: [] }]);
  assert.deepEqual(b.added, [{ classIndex: 0, maxProb: 0.625, chunks: [1] }]);
  // "≥ threshold": at exactly 0.25 the weak label is confirmed.
  const at025 = findMissingLabels(toyChunks(), TOY_WEAK, { threshold: 0.25 });
  assert.deepEqual(at025.clips.find((c) => c.filename === "B")!.unconfirmed, []);
});

test("rows of a clip may come in any order; the clip maximum and its chunk are found", () => {
  const chunks = toyChunks();
  // Reverse the row order of the whole table.
  const order = [...chunks.filenames.keys()].reverse();
  const C = chunks.numClasses;
  const reversed = {
    filenames: order.map((i) => chunks.filenames[i]),
    chunkIndex: Int32Array.from(order.map((i) => chunks.chunkIndex[i])),
    from: Float32Array.from(order.map((i) => chunks.from[i])),
    to: Float32Array.from(order.map((i) => chunks.to[i])),
    numClasses: C,
    probs: Float32Array.from(order.flatMap((i) => [...chunks.probs.subarray(i * C, (i + 1) * C)])),
  };
  const max = clipMaxScores(reversed);
  const a = max.position.get("A")!;
  assert.deepEqual([...max.maxProbs.subarray(a * C, (a + 1) * C)], [0.875, 0.75, 0.125]);
  assert.deepEqual([...max.argmaxChunk.subarray(a * C, (a + 1) * C)], [0, 2, 2]);
  assert.deepEqual(
    findMissingLabels(reversed, TOY_WEAK, { threshold: 0.5 }).clips.find((c) => c.filename === "A")!.added,
    [{ classIndex: 1, maxProb: 0.75, chunks: [2] }],
  );
});

test("per-class counts: every class, sorted by added then unconfirmed then index", () => {
  const rows = perClassMissingCounts(findMissingLabels(toyChunks(), TOY_WEAK, { threshold: 0.5 }), TOY_NAMES);
  assert.deepEqual(
    rows.map((r) => [r.classIndex, r.name, r.weakCount, r.teacherCount, r.addedCount, r.unconfirmedCount]),
    [
      [0, "Speech", 1, 2, 1, 0],
      [1, "Dog", 1, 2, 1, 0],
      [2, "Rain", 1, 0, 0, 1],
    ],
  );
  assert.equal(rows[0].addedRate, 0.5);
  assert.equal(rows[2].unconfirmedRate, 1);
});

test("label count summary matches hand counts", () => {
  const chunks = toyChunks();
  const s = labelCountSummary(chunks, findMissingLabels(chunks, TOY_WEAK, { threshold: 0.5 }));
  assert.equal(s.clips, 3);
  assert.equal(s.chunks, 9);
  assert.equal(s.weakPerClip, 1);
  assert.equal(s.teacherPerClip, 4 / 3);
  assert.equal(s.teacherPerChunk, 7 / 9);
  assert.equal(s.addedPerClip, 2 / 3);
  assert.equal(s.clipsWithAdded, 2 / 3);
  assert.equal(s.unconfirmedShare, 1 / 3);
});

test("example picking is deterministic and the example view carries the chunk × class matrix and roles", () => {
  const report = findMissingLabels(toyChunks(), TOY_WEAK, { threshold: 0.5 });
  assert.deepEqual(pickExampleClips(report, "most-added", 5), ["A", "B"]);
  assert.deepEqual(pickExampleClips(report, "most-unconfirmed"), ["B"]);
  assert.deepEqual(pickExampleClips(report, "most-confident-added", 1), ["A"]);
  const view = exampleView(toyChunks(), "A", { threshold: 0.5, weak: TOY_WEAK, truth: TOY_TRUTH, classNames: TOY_NAMES });
  assert.deepEqual(view.from, [0, 2, 4]);
  assert.deepEqual(view.to, [2, 4, 6]);
  assert.deepEqual(
    view.classes.map((c) => [c.classIndex, c.name, c.role]),
    [
      [0, "Speech", "weak-confirmed"],
      [1, "Dog", "added-true"],
    ],
  );
  assert.deepEqual(view.matrix, [
    [0.875, 0.125],
    [0.75, 0.125],
    [0.125, 0.75],
  ]);
  assert.deepEqual(view.trueLabels, [0, 1]);
  const c = exampleView(toyChunks(), "C", { threshold: 0.5, weak: TOY_WEAK, truth: TOY_TRUTH, classes: [2, 0] });
  assert.deepEqual(c.classes.map((x) => x.role), ["missed", "none"]);
  const b = exampleView(toyChunks(), "B", { threshold: 0.5, weak: TOY_WEAK });
  assert.deepEqual(b.classes.map((x) => [x.classIndex, x.role]), [
    [0, "added"],
    [2, "weak-unconfirmed"],
  ]);
});

test("bad input fails loudly with UserError", () => {
  assert.throws(() => findMissingLabels(toyChunks(), TOY_WEAK.slice(1), { threshold: 0.5 }), (e: unknown) => e instanceof UserError && /clip A/.test(e.message));
  assert.throws(() => findMissingLabels(toyChunks(), [...TOY_WEAK, { filename: "A", labels: [3] }], { threshold: 0.5 }), /label 3/);
  assert.throws(() => findMissingLabels(toyChunks(), TOY_WEAK, { threshold: 1.5 }), UserError);
  const broken = { ...chunkTable({ A: [[0.5, 0.5]] }, 2), probs: new Float32Array(3) };
  assert.throws(() => findMissingLabels(broken, TOY_WEAK, { threshold: 0.5 }), /probs has 3 values/);
  const report = findMissingLabels(toyChunks(), [...TOY_WEAK, { filename: "Z", labels: [1] }], { threshold: 0.5 });
  assert.equal(report.weakOnlyClips, 1);
});

test("a PSL table (lib/psl) is a ChunkScores and carries the weak labels", () => {
  const toy = toyChunks();
  const weakByName = new Map(TOY_WEAK.map((w) => [w.filename, w.labels]));
  const table: PslTable = {
    ...toy,
    filenames: [...toy.filenames],
    clipIndex: Int32Array.from(toy.filenames.map((f) => "ABC".indexOf(f))),
    weak: toy.filenames.map((f) => weakByName.get(f)!),
  };
  const weak = weakLabelsOfTable(table);
  assert.deepEqual(weak, TOY_WEAK);
  assert.deepEqual(findMissingLabels(table, weak, { threshold: 0.5 }).clips.map((c) => c.added.length), [1, 1, 0]);
  assert.throws(() => weakLabelsOfTable({ ...table, weak: table.weak.map((w, i) => (i === 1 ? [2] : w)) }), /rows of clip A disagree/);
});

test("label counts per chunk size: one row per table", () => {
  const oneChunk = chunkTable({ A: [[0.875, 0.75, 0.125]], B: [[0.125, 0.125, 0.125]], C: [[0, 0.875, 0.25]] }, 6);
  const rows = labelCountSummaries([{ chunkSeconds: 6, chunks: oneChunk }, { chunkSeconds: 2, chunks: toyChunks() }], TOY_WEAK, { threshold: 0.5 });
  assert.deepEqual(rows.map((r) => [r.chunkSeconds, r.chunks, r.totalAdded, r.totalUnconfirmed]), [
    [6, 3, 1, 1],
    [2, 9, 2, 1],
  ]);
});
