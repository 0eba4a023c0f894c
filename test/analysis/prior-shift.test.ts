/**
 * lib/analysis/prior-shift.ts: a teacher's class priors moved to the split it labels (Bayes' rule per class), on the
 * hand-made toy corpus (test/analysis/toy.ts) where every expected value can be checked by hand.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { addedLabelCurve, classPriors, priorShiftedScores } from "../../lib/analysis";
import { UserError } from "../../lib/errors";
import { TOY_TRUTH, TOY_WEAK, toyChunks } from "./toy";

test("classPriors: the share of clips with each class, smoothed (count + 1) / (clips + 2); a label twice counts once", () => {
  const priors = classPriors([{ labels: [0, 2] }, { labels: [0, 0] }, { labels: [] }, { labels: [0] }], 3);
  assert.deepEqual([...priors], [4 / 6, 1 / 6, 2 / 6]);
  assert.throws(() => classPriors([{ labels: [1] }, { labels: [3] }], 3), (e: unknown) =>
    e instanceof UserError && /label 3 of clip 2 is not a class index in \[0, 3\)/.test(e.message));
});

test("priorShiftedScores: equal priors leave the scores; otherwise the odds move by the prior odds ratio", () => {
  const chunks = toyChunks();
  const same = Float64Array.from([0.3, 0.2, 0.1]);
  assert.deepEqual([...priorShiftedScores(chunks, same, same).probs], [...chunks.probs]);
  // Class 0 from prior 1/2 to 1/4: odds × (1/3) / 1. Clip B's chunk 1 says class 0 at 0.625 (odds 5/3 → 5/9).
  const shifted = priorShiftedScores(chunks, Float64Array.from([0.5, 0.2, 0.1]), Float64Array.from([0.25, 0.2, 0.1]));
  const at = (table: typeof chunks, clip: string, chunk: number, c: number) => {
    const row = table.filenames.findIndex((f, i) => f === clip && table.chunkIndex[i] === chunk);
    return table.probs[row * table.numClasses + c];
  };
  assert.ok(Math.abs(at(shifted, "B", 1, 0) - 5 / 14) < 1e-6, `${at(shifted, "B", 1, 0)}`);
  assert.equal(at(shifted, "A", 0, 1), at(chunks, "A", 0, 1), "other classes untouched");
  assert.equal(at(shifted, "C", 0, 0), 0, "0 stays 0");
  assert.deepEqual([...shifted.chunkIndex], [...chunks.chunkIndex]);
  assert.equal(chunks.probs[0], 0.875, "the input table is not changed (clip A, chunk 0, class 0)");
});

test("priorShiftedScores: lowering the prior of the class added wrongly removes that label and keeps the right one", () => {
  const chunks = toyChunks();
  const [before] = addedLabelCurve(chunks, TOY_WEAK, TOY_TRUTH, { thresholds: [0.5] });
  assert.deepEqual([before.added, before.correct], [2, 1], "A gains its dropped class 1, B the wrong class 0");
  const shifted = priorShiftedScores(chunks, Float64Array.from([0.5, 0.2, 0.1]), Float64Array.from([0.25, 0.2, 0.1]));
  const [after] = addedLabelCurve(shifted, TOY_WEAK, TOY_TRUTH, { thresholds: [0.5] });
  assert.deepEqual([after.added, after.correct, after.addedPrecision], [1, 1, 1]);
});

test("priorShiftedScores: priors of the wrong length or outside (0, 1) are a UserError", () => {
  const chunks = toyChunks();
  assert.throws(() => priorShiftedScores(chunks, new Float64Array(2), new Float64Array(3)), /3 classes, but priors for 2 \(source\) and 3/);
  assert.throws(() => priorShiftedScores(chunks, Float64Array.from([0.5, 1, 0.1]), Float64Array.from([0.5, 0.5, 0.1])), /class 1: priors must lie in \(0, 1\)/);
});
