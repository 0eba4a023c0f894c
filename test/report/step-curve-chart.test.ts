/**
 * lib/report/charts/step-curves.ts: the chart notebook 04 draws — a line per curve (a run, or the mean of a group's
 * seeds with their range as error bars), stars at the selected steps, chance dashed, the budget dotted.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { seedGroupStepChart, stepCurveChart } from "../../lib/report/charts";

interface Trace {
  name: string;
  mode: string;
  x: number[];
  y: number[];
  text?: string[];
  line: { dash?: string; color: string };
  marker?: { symbol: string };
  error_y?: { type: string; symmetric: boolean; array: number[]; arrayminus: number[]; visible: boolean };
}

test("one run: a line, a star with its value at the selected step, the validation curve dotted, chance and budget lines", () => {
  const chart = stepCurveChart(
    [
      { name: "weak", steps: [100, 200, 300], values: [0.1, 0.2, 0.15], selectedStep: 200, color: "#111" },
      { name: "weak (validation)", steps: [100, 200, 300], values: [0.12, 0.22, 0.2], style: "dot", color: "#111" },
    ],
    { chance: { value: 0.05, label: "chance 0.050" }, budget: { steps: 300, label: "default budget" }, yTitle: "eval mAP" },
  );
  const traces = chart.data as unknown as Trace[];
  assert.deepEqual(traces.map((t) => t.name), ["weak", "weak (validation)", "weak: selected (step 200)"]);
  assert.equal(traces[1].line.dash, "dot");
  assert.equal(traces[0].error_y, undefined, "a single run has no seed range");
  assert.equal(traces[2].mode, "markers+text");
  assert.deepEqual([traces[2].x, traces[2].y, traces[2].marker?.symbol, traces[2].line.color, traces[2].text], [[200], [0.2], "star", "#111", ["0.200"]]);
  const shapes = chart.layout.shapes as Array<{ x0?: number; y0?: number; line: { dash: string } }>;
  assert.deepEqual(shapes.map((s) => s.line.dash), ["dash", "dot"]);
  assert.equal(shapes[0].y0, 0.05);
  assert.equal(shapes[1].x0, 300);
  assert.deepEqual((chart.layout.annotations as Array<{ text: string }>).map((a) => a.text), ["chance 0.050", "default budget"]);
  assert.throws(() => stepCurveChart([{ name: "w", steps: [100], values: [0.1], selectedStep: 150 }]), /no point at its selected step 150/);
});

test("a group of seeds: the mean line with the seeds' range as asymmetric error bars, a star per seed's selected point", () => {
  const chart = stepCurveChart([
    {
      name: "psl-2s w0.25 (mean of 2 seeds)", steps: [100, 200, 300], values: [0.08, 0.135, 0.165], color: "#ff7f0e",
      range: [[0.07, 0.09], [0.13, 0.14], [0.16, 0.17]],
      selectedPoints: [{ seed: 42, step: 300, value: 0.17 }, { seed: 43, step: 200, value: 0.14 }],
    },
  ]);
  const [line, stars] = chart.data as unknown as Trace[];
  assert.equal(line.name, "psl-2s w0.25 (mean of 2 seeds)");
  assert.deepEqual(line.y, [0.08, 0.135, 0.165]);
  const bars = line.error_y!;
  assert.deepEqual([bars.type, bars.symmetric, bars.visible], ["data", false, true]);
  assert.deepEqual(bars.array, [0.01, 0.005, 0.005], "up to the highest seed");
  assert.deepEqual(bars.arrayminus, [0.01, 0.005, 0.005], "down to the lowest seed");
  assert.equal(stars.name, "psl-2s w0.25 (mean of 2 seeds): selected per seed");
  assert.deepEqual([stars.mode, stars.marker?.symbol, stars.line.color, stars.x, stars.y], ["markers", "star", "#ff7f0e", [300, 200], [0.17, 0.14]]);
  assert.deepEqual(stars.text, ["seed 42: step 300, 0.170", "seed 43: step 200, 0.140"]);
  assert.throws(() => stepCurveChart([{ name: "g", steps: [100, 200], values: [0.1, 0.2], range: [[0.1, 0.1]] }]), /"g" has 2 values and 1 ranges/);
});

test("seed groups: per group the mean eval curve with seed-range bars and per-seed stars, the validation mean dotted; one seed: no bars", () => {
  const band = (mean: number[], min: number[], max: number[]) => ({ mean, min, max });
  const chart = seedGroupStepChart([
    { student: "weak", widthMult: 0.25, seeds: [42, 43], steps: [100, 200], bands: { evalMAPTruth: band([0.09, 0.115], [0.08, 0.11], [0.1, 0.12]), validationMAP: band([0.11, 0.13], [0.1, 0.12], [0.12, 0.14]) },
      selected: [{ step: 200, evalMAP: { truth: 0.12 } }, { step: 100, evalMAP: { truth: 0.1 } }] },
    { student: "psl-2s", widthMult: 0.1, seeds: [42], steps: [100, 200], bands: { evalMAPTruth: band([0.06, 0.09], [0.06, 0.09], [0.06, 0.09]), validationMAP: band([0.08, 0.1], [0.08, 0.1], [0.08, 0.1]) },
      selected: [{ step: 200, evalMAP: { truth: 0.09 } }] },
  ], { budget: { steps: 150, label: "default budget: 150 steps" } });
  const traces = chart.data as unknown as Trace[];
  assert.deepEqual(traces.map((t) => t.name), [
    "weak w0.25 (eval, true labels; mean of 2 seeds)", "weak w0.25 (validation; mean of 2 seeds)",
    "psl-2s w0.1 (eval, true labels; seed 42)", "psl-2s w0.1 (validation; seed 42)",
    "weak w0.25 (eval, true labels; mean of 2 seeds): selected per seed", "psl-2s w0.1 (eval, true labels; seed 42): selected per seed",
  ]);
  assert.deepEqual([traces[0].error_y!.array, traces[0].error_y!.arrayminus], [[0.01, 0.005], [0.01, 0.005]]);
  assert.equal(traces[1].line.dash, "dot");
  assert.equal(traces[1].error_y, undefined, "the validation mean has no bars");
  assert.equal(traces[0].line.color, traces[1].line.color, "a group's eval and validation curves share a colour");
  assert.notEqual(traces[0].line.color, traces[2].line.color);
  assert.equal(traces[2].error_y, undefined, "one seed: no range");
  assert.deepEqual([traces[4].x, traces[4].y], [[200, 100], [0.12, 0.1]]);
  assert.equal((chart.layout.yaxis as { title: { text: string } }).title.text, "mAP");
});

test("seed groups measured at different learning rates: the rate is in the legend when a group has one", () => {
  const band = (mean: number[]) => ({ mean, min: mean, max: mean });
  const group = (learningRate?: number) => ({ student: "weak", widthMult: 0.25, seeds: [42], steps: [100], ...(learningRate === undefined ? {} : { learningRate }),
    bands: { evalMAPTruth: band([0.1]), validationMAP: band([0.12]) }, selected: [{ step: 100, evalMAP: { truth: 0.1 } }] });
  const names = (seedGroupStepChart([group(0.001), group(0.004), group()]).data as unknown as Trace[]).map((t) => t.name);
  assert.deepEqual(names.slice(0, 6), [
    "weak w0.25, lr 0.001 (eval, true labels; seed 42)", "weak w0.25, lr 0.001 (validation; seed 42)",
    "weak w0.25, lr 0.004 (eval, true labels; seed 42)", "weak w0.25, lr 0.004 (validation; seed 42)",
    "weak w0.25 (eval, true labels; seed 42)", "weak w0.25 (validation; seed 42)",
  ]);
  const noted = (seedGroupStepChart([{ ...group(0.004), note: "corpus 3f073de26d6fef60" }]).data as unknown as Trace[]).map((t) => t.name);
  assert.equal(noted[0], "weak w0.25, lr 0.004, corpus 3f073de26d6fef60 (eval, true labels; seed 42)", "a group's note follows its rate");
});
