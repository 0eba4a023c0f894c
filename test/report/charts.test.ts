/** The chart builders of lib/report/charts (pure), on small hand-made inputs with known answers. */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as aq from "arquero";
import {
  barChart, barsOf, byName, chunkRanges, chunkCutChart, histogramChart, lineChart, linesOf, spectrogramChart, chunkHeatmapChart, trainingCurveChart,
  waveformChart,
} from "../../lib/report/charts";

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

test("barsOf: one group per row, one bar series per named column, no x lists to wire", () => {
  const rows = [
    { model: "weak", mAP: 0.1, paper: 17.69 },
    { model: "psl-2s", mAP: 0.2, paper: null },
  ];
  const chart = barsOf(aq.from(rows), { x: "model", y: { "ours (demo)": "mAP", "paper (AudioSet)": "paper" }, styles: { "paper (AudioSet)": "/" } });
  const data = chart.data as { name: string; x: string[]; y: Array<number | null>; marker: { pattern?: { shape: string } } }[];
  assert.deepEqual(data.map((d) => d.name), ["ours (demo)", "paper (AudioSet)"]);
  assert.deepEqual(data[0].x, ["weak", "psl-2s"]);
  assert.deepEqual(data[1].y, [17.69, null], "a missing value is a gap, not 0");
  assert.equal(data[1].marker.pattern?.shape, "/");
  assert.throws(() => barsOf(rows, { x: "model", y: "dPrime" }), /no column "dPrime" \(columns: model, mAP, paper\)/);
  // A bar series needs no x of its own.
  assert.doesNotThrow(() => barChart(["a"], [{ name: "n", y: [1] }]));
});

test("trainingCurveChart by steps: the kept checkpoint (first best validation mAP) and the learning-rate drop are marked", () => {
  const history = [
    { epoch: 1, step: 100, meanLoss: 0.5, validationMAP: 0.2 },
    { epoch: 2, step: 200, meanLoss: 0.4, validationMAP: 0.3 },
    { epoch: 3, step: 300, meanLoss: 0.3, validationMAP: 0.3 },
  ];
  const chart = trainingCurveChart(history, { markSelected: true, learningRateDecay: { afterStep: 200, factor: 0.1 } });
  const data = chart.data as { name: string; x: number[]; y: number[] }[];
  const kept = data.find((d) => d.name.startsWith("kept checkpoint"))!;
  assert.deepEqual([kept.x, kept.y], [[200], [0.3]], "the loop keeps the first of equal bests");
  const drop = data.find((d) => d.name.startsWith("learning rate"))!;
  assert.equal(drop.name, "learning rate × 0.1 from step 200");
  assert.deepEqual(drop.x, [200, 200]);
  assert.equal(trainingCurveChart(history).data.length, 2, "nothing marked unless asked");
});

test("linesOf: one line per group of a long table, colours by group, dashes by value column", () => {
  const curves = [
    { chunkSeconds: 10, threshold: 0.1, precision: 0.5, recall: 0.9 },
    { chunkSeconds: 10, threshold: 0.2, precision: 0.6, recall: 0.8 },
    { chunkSeconds: 2, threshold: 0.1, precision: 0.4, recall: 0.95 },
    { chunkSeconds: 2, threshold: 0.2, precision: 0.7, recall: 0.85 },
  ];
  const chart = linesOf(curves, { x: "threshold", y: ["precision", "recall"], by: "chunkSeconds", styles: { recall: "dash" }, name: (label, size) => `${label}, ${size} s` });
  const data = chart.data as { name: string; x: number[]; y: number[]; line: { color: string; dash?: string } }[];
  assert.deepEqual(data.map((d) => d.name), ["precision, 10 s", "precision, 2 s", "recall, 10 s", "recall, 2 s"]);
  assert.deepEqual(data[1].y, [0.4, 0.7]);
  assert.equal(data[0].line.color, data[2].line.color, "one colour per chunk size");
  assert.equal(data[2].line.dash, "dash");
  assert.throws(() => lineChart([{ name: "no x", y: [1] }]), /series "no x" has no x values/);
});

test("lineChart: ticks at the given x values and a legend for a lone series only when asked", () => {
  const one = [{ name: "weak student", x: [0.25, 0.5, 1], y: [0.65, 0.66, 0.7] }];
  const asked = lineChart(one, { xType: "log", xTickValues: [0.25, 0.5, 1], showLegend: true }).layout as Record<string, Record<string, unknown> | boolean>;
  assert.deepEqual([(asked.xaxis as Record<string, unknown>).tickmode, (asked.xaxis as Record<string, unknown>).tickvals, asked.showlegend], ["array", [0.25, 0.5, 1], true]);
  const plain = lineChart(one).layout as Record<string, Record<string, unknown> | boolean>;
  assert.deepEqual([(plain.xaxis as Record<string, unknown>).tickvals, plain.showlegend], [undefined, undefined], "Plotly's defaults otherwise");
});

test("byName finds by name and names the alternatives when it cannot", () => {
  const models = [{ name: "weak", v: 1 }, { name: "psl-2s", v: 2 }];
  assert.equal(byName(models, "psl-2s").v, 2);
  assert.throws(() => byName(models, "psl-1s"), /no "psl-1s" here \(there are: weak, psl-2s\)/);
});

test("waveformChart draws a min/max envelope (short clicks survive), events and chunk edges", () => {
  const samples = new Float32Array(16000);
  samples[8000] = 0.9; // a one-sample click in the middle
  const chart = waveformChart({ samples, columns: 100, events: [{ onset: 0.2, offset: 0.4, label: "Dog" }], chunkEdges: [0.5] });
  const [high, low] = chart.data as { x: number[]; y: number[] }[];
  assert.equal(high.y.length, 100);
  assert.equal(Math.max(...high.y), 0.9, "the click is in the envelope");
  assert.equal(Math.min(...low.y), 0);
  assert.equal(high.x[0], 0.005);
  const shapes = chart.layout.shapes as { type: string; x0: number }[];
  assert.deepEqual(shapes.map((s) => [s.type, s.x0]), [["rect", 0.2], ["line", 0.5]]);
});
