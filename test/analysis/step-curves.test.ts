/**
 * lib/analysis/step-curves.ts on the COMMITTED curves (data-manifests/demo/curves/student-steps.json): the reader's
 * checks, the loop's selection rule (agreeing with the file's own --compare block, which scored the runs' real
 * best.safetensors), the rows notebook 04 shows — and clear errors on bad files. Plus the chart notebook 04 draws.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { checkStepCurves, readStepCurves, selectedPoint, selectedWithin, stepCurveRows, stepCurvesCaption, stepCurvesPath, type StepCurvePoint } from "../../lib/analysis/step-curves";
import { stepCurveChart } from "../../lib/report/charts";
import { UserError } from "../../lib/errors";

const curves = readStepCurves();
const point = (step: number, validationMAP: number, evalMAP = 0.1): StepCurvePoint => ({
  step, meanLoss: 0.01, validationMAP, validationAUC: 0.6, evalMAP: { truth: evalMAP, noisy: evalMAP }, evalMeanAUC: { truth: 0.6, noisy: 0.6 }, periodSeconds: 1,
});

test("the committed curves read and check: weak and PSL-2s on one step grid, the recipe and chance stated", () => {
  assert.deepEqual(Object.keys(curves.students).sort(), ["psl-2s", "weak"]);
  assert.equal(curves.recipe.defaultProfileSteps, 300);
  assert.ok(curves.chanceMAP.truth > 0 && curves.chanceMAP.truth < 0.2);
  assert.equal(curves.students.weak.points.length, curves.students["psl-2s"].points.length);
  assert.match(curves.description, /FOR THE CURVE ONLY/);
});

test("the selection rule picks what the training loop picked (the file's --compare block scored those checkpoints)", () => {
  assert.ok(curves.comparison, "comparison block");
  for (const name of ["weak", "psl-2s"]) {
    const selected = selectedPoint(curves.students[name].points);
    assert.equal(selected.step, curves.comparison.best.students[name].step, `${name}: selected step`);
    assert.equal(selected.evalMAP.truth, curves.comparison.best.students[name].evalMAP.truth, `${name}: eval mAP of the selected checkpoint`);
  }
  // Ties go to the earlier step (the loop keeps a new best only when validation mAP is strictly higher).
  assert.equal(selectedPoint([point(100, 0.2), point(200, 0.3), point(300, 0.3)]).step, 200);
  assert.equal(selectedWithin([point(100, 0.2), point(200, 0.3), point(300, 0.1)], 150)?.step, 100);
  assert.equal(selectedWithin([point(100, 0.2)], 50), null);
});

test("rows at the default budget, at the selected step and at the end: the numbers the README quotes", () => {
  const rows = Object.fromEntries(stepCurveRows(curves).map((r) => [r.student, r]));
  assert.equal(rows.weak.budgetStep, 300);
  assert.equal(rows.weak.evalMAPAtBudget, 0.1185);
  assert.equal(rows["psl-2s"].evalMAPAtBudget, 0.1113);
  assert.equal(rows.weak.selectedStep, 1500);
  assert.equal(rows["psl-2s"].selectedStep, 2000);
  assert.equal(rows.weak.evalMAPAtLast, 0.1601);
  assert.equal(rows["psl-2s"].evalMAPAtLast, 0.1902);
  // Another budget: what a run of 1,000 steps would have selected on this curve.
  const at1000 = Object.fromEntries(stepCurveRows(curves, 1000).map((r) => [r.student, r]));
  assert.equal(at1000.weak.budgetStep, 900);
  assert.equal(at1000["psl-2s"].budgetStep, 900);
});

test("bad files are refused naming the file and the field", () => {
  const copy = () => JSON.parse(JSON.stringify(curves)) as Record<string, any>;
  const bad = copy();
  bad.students.weak.points[3].step = 250;
  assert.throws(() => checkStepCurves(bad, "x.json"), (e: Error) => e instanceof UserError && /x\.json: students\.weak\.points\[3\]\.step must be a positive multiple of recipe\.validateEverySteps \(100\)/.test(e.message));
  const unordered = copy();
  unordered.students.weak.points[3].step = 200;
  assert.throws(() => checkStepCurves(unordered), /students\.weak\.points\[3\]\.step must be larger than the step before it \(300\)/);
  const metric = copy();
  metric.students["psl-2s"].points[0].evalMAP.truth = 1.5;
  assert.throws(() => checkStepCurves(metric), /students\.psl-2s\.points\[0\]\.evalMAP\.truth must be a number in \[0, 1\], got 1\.5/);
  const grid = copy();
  grid.students["psl-2s"].points.pop();
  assert.throws(() => checkStepCurves(grid), /another step grid/);
  const chance = copy();
  delete chance.chanceMAP;
  assert.throws(() => checkStepCurves(chance), /chanceMAP is missing/);
  const dir = mkdtempSync(join(tmpdir(), "psl-curves-"));
  try {
    writeFileSync(join(dir, "broken.json"), "{");
    assert.throws(() => readStepCurves(join(dir, "broken.json")), /broken\.json: not valid JSON/);
    assert.throws(() => readStepCurves(join(dir, "absent.json")), /cannot read the step curves .*absent\.json/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.ok(stepCurvesPath().endsWith(join("data-manifests", "demo", "curves", "student-steps.json")));
});

test("stepCurveChart: a line per curve, a star at each selected step, chance dashed, the budget dotted", () => {
  const chart = stepCurveChart(
    [
      { name: "weak", steps: [100, 200, 300], values: [0.1, 0.2, 0.15], selectedStep: 200, color: "#111" },
      { name: "weak (validation)", steps: [100, 200, 300], values: [0.12, 0.22, 0.2], style: "dot", color: "#111" },
    ],
    { chance: { value: 0.05, label: "chance 0.050" }, budget: { steps: 300, label: "default budget" }, yTitle: "eval mAP" },
  );
  const traces = chart.data as Array<{ name: string; mode: string; x: number[]; y: number[]; line: { dash?: string; color: string }; marker?: { symbol: string } }>;
  assert.deepEqual(traces.map((t) => t.name), ["weak", "weak (validation)", "weak: selected (step 200)"]);
  assert.equal(traces[1].line.dash, "dot");
  assert.equal(traces[2].mode, "markers+text");
  assert.deepEqual([traces[2].x, traces[2].y, traces[2].marker?.symbol, traces[2].line.color], [[200], [0.2], "star", "#111"]);
  const shapes = chart.layout.shapes as Array<{ x0?: number; y0?: number; line: { dash: string } }>;
  assert.deepEqual(shapes.map((s) => s.line.dash), ["dash", "dot"]);
  assert.equal(shapes[0].y0, 0.05);
  assert.equal(shapes[1].x0, 300);
  assert.deepEqual((chart.layout.annotations as Array<{ text: string }>).map((a) => a.text), ["chance 0.050", "default budget"]);
  assert.throws(() => stepCurveChart([{ name: "w", steps: [100], values: [0.1], selectedStep: 150 }]), /no point at its selected step 150/);
});

test("the caption states seeds, recipe, corpus, teacher, selection and the eval-for-the-curve-only rule", () => {
  const caption = stepCurvesCaption(curves, { currentTeacherMAP: curves.teacher.eval.truthMAP });
  for (const part of [/ONE run per student \(weak seed 42, psl-2s seed 42; no seed interval\), 2000 steps/, /width 0\.1, batch 32, learning rate 0\.001/,
    /demo corpus "default" \(3f073de26d6fef60: 500 training, 200 validation, 500 eval clips\)/, /teacher data-manifests\/demo\/teacher\/teacher\.safetensors \(eval mAP 0\.236/,
    /best validation mAP/, /for the curve only, never for selection or tuning/, /Chance 0\.052/]) assert.match(caption, part);
  assert.doesNotMatch(caption, /has changed since/);
  assert.match(stepCurvesCaption(curves, { currentTeacherMAP: 0.41 }), /The shipped teacher has changed since \(eval mAP now 0\.410\): these curves are of the earlier one/);
});
