/**
 * Threshold grids the notebooks draw and filter on: values print as typed (03 once printed 0.15000000000000002 from
 * (i + 1) / 20), and the chosen threshold is always a point of the grid, so "the rows at the threshold" is never an
 * empty table (05 once filtered |t − 0.33| < 1e-9 on a 0.05 grid and showed nothing for threshold 0.33).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { addedLabelCurves, labelsPerChunkCurve, rowsAtThreshold, thresholdGrid } from "../../lib/analysis";
import { TOY_TRUTH, TOY_WEAK, toyChunks } from "./toy";

test("thresholdGrid: clean decimals, the chosen threshold included, sorted and unique", () => {
  const grid = thresholdGrid(0.05);
  assert.equal(grid.length, 19);
  assert.deepEqual(grid.map(String).slice(0, 4), ["0.05", "0.1", "0.15", "0.2"]);
  assert.ok(grid.every((t) => String(t).length <= 4), grid.join(" "));
  assert.deepEqual(thresholdGrid(0.25, [0.33, 0.5, null]), [0.25, 0.33, 0.5, 0.75]);
  assert.deepEqual(thresholdGrid(0.1).map(String), ["0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9"]);
  assert.throws(() => thresholdGrid(0), /step/);
});

test("rowsAtThreshold finds the point of a curve computed on a grid that includes the threshold, and names the grid otherwise", () => {
  const [weak, truth] = [TOY_WEAK, TOY_TRUTH];
  const tables = [{ chunkSeconds: 2, chunks: toyChunks() }];
  const curves = addedLabelCurves(tables, weak, truth, { thresholds: thresholdGrid(0.05, [0.33]) });
  const at = rowsAtThreshold(curves, 0.33);
  assert.equal(at.length, 1);
  assert.equal(at[0].threshold, 0.33);
  const onDefaultGrid = addedLabelCurves(tables, weak, truth, { thresholds: thresholdGrid(0.05) });
  assert.throws(() => rowsAtThreshold(onDefaultGrid, 0.33), /no row at threshold 0\.33: the curve was computed at 0\.05, 0\.1, /);
});

test("labelsPerChunkCurve counts the classes each chunk says at every threshold of the grid", () => {
  // Toy chunks (A, B, C × 3 chunks × 3 classes), scores in eighths: at 0.5 A says 3 labels, B 1 (chunk 1), C 3.
  const curve = labelsPerChunkCurve(toyChunks(), thresholdGrid(0.25));
  assert.deepEqual(curve.map((p) => p.threshold), [0.25, 0.5, 0.75]);
  const at = (t: number) => curve.find((p) => p.threshold === t)!;
  assert.equal(at(0.5).labelsPerChunk, 7 / 9);
  assert.equal(at(0.5).emptyChunks, 2 / 9, "B's chunks 0 and 2 say nothing at 0.5");
  assert.equal(at(0.75).labelsPerChunk, 6 / 9);
});
