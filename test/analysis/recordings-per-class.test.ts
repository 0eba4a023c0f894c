/**
 * Eval AP by training recordings per class (issue 13), on the committed demo source list and the shipped teacher's
 * eval.json: the numbers data-manifests/demo/README.md quotes.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { addedLabelsByClassCount, apByTrainingRecordings, labelsPerClass, recordingOf, trainingRecordingsPerClass, type ClassScore } from "../../lib/analysis/recordings-per-class";
import { addedLabelCurve, perClassRecovery } from "../../lib/analysis/missing-label-truth";
import { TOY_NAMES, TOY_TRUTH, TOY_WEAK, toyChunks } from "./toy";
import { readSourceList } from "../../lib/demo/sources";
import { readJsonFile } from "../../lib/io/json-file";
import { repoPath } from "../../lib/io/repo-root";

const sources = readSourceList();
const teacherEval = readJsonFile(repoPath("data-manifests", "demo", "teacher", "eval.json"), "shipped teacher eval") as {
  truth: { mAP: number; meanAUC: number };
  perClass: ClassScore[];
};
const teacherRecipe = readJsonFile(repoPath("data-manifests", "demo", "teacher", "recipe.json"), "shipped teacher recipe") as { corpusKey: string };
const round3 = (value: number) => Math.round(value * 1000) / 1000;

test("trainingRecordingsPerClass: role-train recordings per class of the committed demo source list", () => {
  const counts = trainingRecordingsPerClass(sources);
  assert.equal(counts.get(0), 184); // Speech
  assert.equal(counts.get(136), 1); // Whale vocalization
  assert.equal(counts.get(74), 2); // Dog: a GS render and 0ad's bark
  assert.equal(counts.get(90), 3); // Cattle: tuxpaint's cow and bull, 0ad's session (3 cuts, one recording)
  assert.equal(counts.get(140), 52); // Guitar
  assert.equal(counts.get(137), 9); // Music: its 9 training bed tracks count (usage "bed")
  assert.equal(counts.size, 45);
  // Every train recording counted once, no other role: 672 train rows in sources.csv, 666 recordings (6 rows are
  // further cuts of a recording already counted).
  const trainRows = sources.filter((s) => s.role === "train");
  assert.equal(trainRows.length, 672);
  assert.equal([...counts.values()].reduce((a, b) => a + b, 0), new Set(trainRows.map((s) => `${s.classIndex} ${recordingOf(s.sourceId)}`)).size);
  assert.equal([...counts.values()].reduce((a, b) => a + b, 0), 666);
});

test("trainingRecordingsPerClass: distinct recordings (cuts family#cut count once), other roles ignored", () => {
  const counts = trainingRecordingsPerClass([
    { sourceId: "a", classIndex: 5, role: "train" },
    { sourceId: "a", classIndex: 5, role: "train" },
    { sourceId: "b", classIndex: 5, role: "train" },
    { sourceId: "s#1", classIndex: 5, role: "train" },
    { sourceId: "s#2", classIndex: 5, role: "train" },
    { sourceId: "c", classIndex: 5, role: "eval" },
    { sourceId: "d", classIndex: 7, role: "val" },
  ]);
  assert.deepEqual([...counts], [[5, 3]]);
  assert.equal(recordingOf("0ad:cattle-session#cattle_02"), "0ad:cattle-session");
  assert.equal(recordingOf("tuxpaint:animals/birds/hen"), "tuxpaint:animals/birds/hen");
});

test("apByTrainingRecordings: the shipped teacher's eval mAP and AUC by its classes' training recordings (the README's table)", () => {
  // The shipped teacher was trained on the committed source list (its corpus' key); its full split drew every
  // recording of the classes below 16 (notebook 02's count), so the list's counts give the same bins.
  assert.equal(teacherRecipe.corpusKey, "037e9ed796cb18d2", "the shipped teacher changed: recount its training recordings");
  const result = apByTrainingRecordings(teacherEval.perClass, trainingRecordingsPerClass(sources));
  assert.equal(result.perClass.length, 45);
  const bins = result.bins.map((b) => [b.trainingRecordings, b.classes, round3(b.mAP), round3(b.meanAUC)]);
  assert.deepEqual(bins, [
    ["1", 5, 0.144, 0.599],
    ["2–3", 12, 0.232, 0.708],
    ["4–7", 8, 0.558, 0.885],
    ["8–15", 5, 0.455, 0.838],
    ["≥16", 15, 0.311, 0.821],
  ]);
  const { fewer, atLeast, below } = result.split;
  assert.equal(below, 4);
  assert.deepEqual([fewer.classes, round3(fewer.mAP), round3(fewer.meanAUC)], [17, 0.206, 0.676]);
  assert.deepEqual([atLeast.classes, round3(atLeast.mAP), round3(atLeast.meanAUC)], [28, 0.407, 0.842]);
  // The two groups average back to the teacher's eval mAP (eval.json rounds per-class AP to 4 decimals).
  const overall = (fewer.mAP * fewer.classes + atLeast.mAP * atLeast.classes) / 45;
  assert.ok(Math.abs(overall - teacherEval.truth.mAP) < 1e-3, `${overall} vs ${teacherEval.truth.mAP}`);
  const whale = result.perClass.find((r) => r.class === "Whale vocalization");
  assert.deepEqual(whale && [whale.trainingRecordings, whale.bin], [1, "1"]);
  assert.equal(result.perClass.at(-1)?.class, "Speech"); // most training recordings last
});

test("apByTrainingRecordings: bin edges are inclusive below, exclusive above; classes without AP or AUC", () => {
  const perClass: ClassScore[] = [
    { index: 0, name: "none", ap: 0.1, auc: 0.5 },
    { index: 1, name: "three", ap: 0.2, auc: 0.6 },
    { index: 2, name: "four", ap: 0.6, auc: null },
    { index: 3, name: "seven", ap: 0.4, auc: 0.8 },
    { index: 4, name: "sixteen", ap: 0.9, auc: 0.95 },
    { index: 5, name: "no positive", ap: null, auc: null },
  ];
  const recordings = new Map([[1, 3], [2, 4], [3, 7], [4, 16], [5, 20]]); // class 0: absent → 0 recordings
  const result = apByTrainingRecordings(perClass, recordings);
  assert.deepEqual(result.perClass.map((r) => [r.class, r.trainingRecordings, r.bin]), [
    ["none", 0, "<1"], ["three", 3, "2–3"], ["four", 4, "4–7"], ["seven", 7, "4–7"], ["sixteen", 16, "≥16"],
  ]);
  const byBin = new Map(result.bins.map((b) => [b.trainingRecordings, b]));
  assert.deepEqual(result.bins.map((b) => b.trainingRecordings), ["<1", "1", "2–3", "4–7", "8–15", "≥16"]);
  assert.equal(byBin.get("4–7")!.classes, 2);
  assert.equal(byBin.get("4–7")!.mAP, 0.5);
  assert.equal(byBin.get("4–7")!.meanAUC, 0.8); // "four" has no AUC: averaged over the one that has
  assert.equal(byBin.get("1")!.classes, 0);
  assert.ok(Number.isNaN(byBin.get("1")!.mAP));
  assert.deepEqual([result.split.fewer.classes, result.split.atLeast.classes], [2, 3]);
  assert.ok(Math.abs(result.split.fewer.mAP - 0.15) < 1e-12);
  // Other edges and split: [0, 5) and ≥ 5; split at 7 puts "seven" above.
  const custom = apByTrainingRecordings(perClass, recordings, { edges: [0, 5], below: 7 });
  assert.deepEqual(custom.bins.map((b) => [b.trainingRecordings, b.classes]), [["0–4", 3], ["≥5", 2]]);
  assert.deepEqual([custom.split.fewer.classes, custom.split.atLeast.classes], [3, 2]);
  assert.throws(() => apByTrainingRecordings(perClass, recordings, { edges: [4, 2] }), /must increase/);
  assert.throws(() => apByTrainingRecordings(perClass, recordings, { edges: [] }), /must not be empty/);
});

test("addedLabelsByClassCount: the toy's added labels pooled by its classes' training recordings, adding up to the headline", () => {
  // Toy classes: Speech 0, Dog 1, Rain 2. Dog learned from 1 recording, the others from 6 and 4.
  const recordings = new Map([[0, 6], [1, 1], [2, 4]]);
  for (const threshold of [0.25, 0.5, 0.75]) {
    const recovery = perClassRecovery(toyChunks(), TOY_WEAK, TOY_TRUTH, { threshold, classNames: TOY_NAMES });
    const { fewer, atLeast } = addedLabelsByClassCount(recovery, recordings);
    const [headline] = addedLabelCurve(toyChunks(), TOY_WEAK, TOY_TRUTH, { thresholds: [threshold] });
    assert.equal(fewer.added + atLeast.added, headline.added, `added at ${threshold}`);
    assert.equal(fewer.correct + atLeast.correct, headline.correct, `correct at ${threshold}`);
    assert.equal(fewer.trulyMissing + atLeast.trulyMissing, headline.trulyMissing, `truly missing at ${threshold}`);
  }
  // At 0.5: Dog's one dropped label recovered (1 added, 1 correct); Speech 1 added, wrong; Rain 1 dropped, not found.
  const at05 = addedLabelsByClassCount(perClassRecovery(toyChunks(), TOY_WEAK, TOY_TRUTH, { threshold: 0.5 }), recordings);
  assert.deepEqual(at05.fewer, { classes: 1, added: 1, correct: 1, trulyMissing: 1, addedPrecision: 1, addedRecall: 1 });
  assert.deepEqual(at05.atLeast, { classes: 2, added: 1, correct: 0, trulyMissing: 1, addedPrecision: 0, addedRecall: 0 });
  // Split elsewhere: everything below 7 recordings is "fewer"; a class absent from the map has 0.
  const all = addedLabelsByClassCount(perClassRecovery(toyChunks(), TOY_WEAK, TOY_TRUTH, { threshold: 0.5 }), new Map(), { below: 7 });
  assert.equal(all.fewer.classes, 3);
  assert.equal(all.atLeast.classes, 0);
  assert.ok(Number.isNaN(all.atLeast.addedPrecision), "nothing added: precision undefined, not 0");
  assert.throws(() => addedLabelsByClassCount([], recordings, { below: 0 }), /below must be a positive integer/);
});

test("labelsPerClass: clips per class, a label repeated in one row counted once", () => {
  const counts = labelsPerClass([{ labels: [0, 2] }, { labels: [2, 2] }, { labels: [] }, { labels: [5] }]);
  assert.deepEqual([...counts].sort((a, b) => a[0] - b[0]), [[0, 1], [2, 2], [5, 1]]);
});
