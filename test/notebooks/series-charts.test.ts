/** The series' chart builders (pure) and profile → config mapping, on small hand-made inputs with known answers. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { chunkRanges, chunkCutChart, histogramChart, spectrogramChart, chunkHeatmapChart, trainingCurveChart } from "../../lib/report/charts";
import { seriesConfig, resolveSeries, SERIES_PROFILES, studentSeeds } from "../../lib/series/settings";

test("chunkRanges cuts like the reference: from = 0, hop, …; the last chunk is clipped to the duration", () => {
  assert.deepEqual(chunkRanges(10, 2), [0, 2, 4, 6, 8].map((from) => ({ from, to: from + 2 })));
  assert.deepEqual(chunkRanges(4.5, 2), [{ from: 0, to: 2 }, { from: 2, to: 4 }, { from: 4, to: 4.5 }]);
  assert.deepEqual(chunkRanges(3, 2, 1), [{ from: 0, to: 2 }, { from: 1, to: 3 }, { from: 2, to: 3 }]);
  const chart = chunkCutChart({ duration: 4.5, chunkSeconds: 2, events: [{ onset: 0.5, offset: 1, label: "Dog" }], weakLabels: ["Dog", "Music"] });
  const custom = (chart.data[0] as { customdata: string[][] }).customdata;
  assert.equal(custom.length, 3);
  assert.equal(custom[0][2], "Dog", "chunk 0 contains the dog");
  assert.equal(custom[1][2], "(nothing labelled)");
  assert.equal(custom[2][3], "Dog, Music", "every chunk inherits all weak labels");
});

test("histogramChart bins values itself (the report carries counts, not values)", () => {
  const chart = histogramChart([{ name: "p", values: [0, 0.05, 0.1, 0.99, 1, 2] }], { bins: 10, range: [0, 1] });
  const y = (chart.data[0] as { y: number[] }).y;
  assert.equal(y.length, 10);
  assert.deepEqual(y, [2, 1, 0, 0, 0, 0, 0, 0, 0, 2], "out-of-range 2 dropped; 1.0 lands in the last bin");
  const normalized = histogramChart([{ name: "p", values: [0.1, 0.1, 0.9, 0.9] }], { bins: 2, normalize: true });
  assert.deepEqual((normalized.data[0] as { y: number[] }).y, [0.5, 0.5]);
});

test("spectrogramChart averages frames into at most maxColumns columns and draws one box per event", () => {
  const bands = 4;
  const frames = 10;
  const logMel = Float32Array.from({ length: frames * bands }, (_, i) => Math.floor(i / bands)); // value = frame index
  const chart = spectrogramChart({ logMel, bands, framesPerSecond: 10, maxColumns: 5, events: [{ onset: 0.2, offset: 0.6, label: "Bird" }] });
  const heat = chart.data[0] as { z: number[][]; x: number[] };
  assert.equal(heat.z.length, bands);
  assert.deepEqual(heat.z[0], [0.5, 2.5, 4.5, 6.5, 8.5]);
  assert.deepEqual(heat.x, [0.1, 0.3, 0.5, 0.7, 0.9]);
  assert.equal((chart.layout.shapes as unknown[]).length, 1);
  assert.equal(chart.data.length, 2, "heatmap + one timeline row");
});

test("chunkHeatmapChart marks weak [W] and true [T] classes and keeps the class × chunk layout", () => {
  const chart = chunkHeatmapChart([
    { name: "Dog", values: [0.9, 0.1], weak: true, truth: true },
    { name: "Cat", values: [0.2, 0.7], weak: false, truth: true },
    { name: "Car", values: [0, 0], weak: true, truth: false },
  ], [{ from: 0, to: 2 }, { from: 2, to: 4 }]);
  const heat = chart.data[0] as { y: string[]; z: number[][]; x: string[] };
  assert.deepEqual(heat.y, ["Dog [WT]", "Cat [T]", "Car [W]"]);
  assert.deepEqual(heat.z, [[0.9, 0.1], [0.2, 0.7], [0, 0]]);
  assert.deepEqual(heat.x, ["0–2 s", "2–4 s"]);
  const curve = trainingCurveChart([{ epoch: 1, meanLoss: 0.5, validationMAP: 0.1 }, { epoch: 2, meanLoss: 0.4, validationMAP: 0.2 }], { maxEpochs: 5 });
  assert.deepEqual((curve.data[1] as { y: number[] }).y, [0.1, 0.2]);
  assert.deepEqual((curve.layout.xaxis as { range: number[] }).range, [0.5, 5.5]);
});

test("every notebook gets the same teacher config for the same parameters; students differ only where they should", () => {
  const params = { profile: "quick", dataset: "demo", teacherSteps: null, widthMult: null, seed: 42 };
  const a = seriesConfig(params);
  const b = seriesConfig({ ...params, steps: 7 }, { name: "psl-5s", chunkSeconds: 5, alpha: 1, seed: 43 });
  assert.deepEqual(a.teacher, b.teacher, "teacher settings do not depend on the student's");
  assert.equal(a.cacheDir, b.cacheDir);
  assert.equal(b.student.steps, 7, "students train by a step budget");
  assert.equal(b.seed, 43);
  assert.equal(b.annotation.chunkSeconds, 5);
  assert.equal(a.teacher.steps, SERIES_PROFILES.quick.teacher.steps);
  assert.equal(a.teacher.checkpoint, null, "quick trains its teacher live");
  assert.notEqual(seriesConfig({ ...params, profile: "default" }).cacheDir, a.cacheDir, "quick and default corpora never share a feature cache");
  assert.match(seriesConfig({ ...params, profile: "default" }).teacher.checkpoint ?? "", /data-manifests\/demo\/teacher\/teacher\.safetensors$/, "default uses the shipped teacher");
  assert.equal(seriesConfig({ ...params, profile: "default", retrainTeacher: true }).teacher.checkpoint, null);
  assert.equal(resolveSeries({ profile: "quick", widthMult: 0.5 }).widthMult, 0.5);
  assert.throws(() => resolveSeries({ profile: "fast" }), /quick.*default/);
  assert.deepEqual(studentSeeds({ profile: "default", seed: 42 }, "psl-2s"), [42, 43, 44]);
  assert.deepEqual(studentSeeds({ profile: "default", seed: 42 }, "psl-5s"), [42]);
  assert.deepEqual(studentSeeds({ profile: "full", seed: 42 }, "psl-5s"), [42, 43, 44]);
});
