/**
 * lib/analysis/step-curve-groups.ts on a hand-made file with known numbers (test/fixtures/analysis/step-curves-seeds.json:
 * weak and PSL-2s at width 0.25 over seeds 42 and 43, one PSL-2s seed at width 0.1): per-step means and seed ranges,
 * the loop's selection per seed, the table's rows, PSL-2s − weak read off the points and from the --compare block,
 * and the caption — plus the committed history file (one seed per group) through the same functions.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { readStepCurves, stepCurvesHistoryPath } from "../../lib/analysis/step-curves";
import {
  formatSeedSummary, pairedRuns, pointComparison, stepCurveComparisonRows, stepCurveComparisonTable, stepCurveGroupRows, stepCurveGroupTable, stepCurveGroups,
  stepCurvesCaption, studentMAP,
} from "../../lib/analysis/step-curve-groups";

const curves = readStepCurves(join(__dirname, "..", "fixtures", "analysis", "step-curves-seeds.json"));
const close = (actual: ArrayLike<number> | number | null | undefined, expected: ArrayLike<number> | number, what: string) => {
  assert.ok(actual !== null && actual !== undefined, `${what}: missing`);
  const a = typeof actual === "number" ? [actual] : Array.from(actual);
  const e = typeof expected === "number" ? [expected] : Array.from(expected);
  assert.equal(a.length, e.length, `${what}: length`);
  a.forEach((v, i) => assert.ok(Math.abs(v - e[i]) < 1e-9, `${what}[${i}]: ${v} ≠ ${e[i]}`));
};

test("groups: student × width in file order, seeds ascending, per step the mean and the seeds' lowest and highest", () => {
  const groups = stepCurveGroups(curves);
  assert.deepEqual(groups.map((g) => [g.key, g.seeds, g.stepBudgets]), [["weak/w0.25", [42, 43], [300]], ["psl-2s/w0.25", [42, 43], [300]], ["psl-2s/w0.1", [42], [200]]]);
  const [weak, psl, narrow] = groups;
  assert.deepEqual(groups.map((g) => g.learningRate), [curves.recipe.learningRate, curves.recipe.learningRate, curves.recipe.learningRate], "the file's rate");
  assert.deepEqual(weak.steps, [100, 200, 300]);
  close(weak.bands.evalMAPTruth.mean, [0.09, 0.115, 0.14], "weak eval mAP mean");
  close(weak.bands.evalMAPTruth.min, [0.08, 0.11, 0.13], "weak eval mAP min");
  close(weak.bands.evalMAPTruth.max, [0.10, 0.12, 0.15], "weak eval mAP max");
  close(weak.bands.evalMAPNoisy.mean, [0.075, 0.095, 0.115], "weak noisy eval mAP mean");
  close(weak.bands.validationMAP.mean, [0.11, 0.13, 0.12], "weak validation mAP mean");
  close(weak.bands.evalAUCTruth.max, [0.62, 0.65, 0.68], "weak eval AUC max");
  close(psl.bands.evalMAPTruth.mean, [0.08, 0.135, 0.165], "psl eval mAP mean");
  close(psl.bands.evalMAPTruth.min, [0.07, 0.13, 0.16], "psl eval mAP min");
  // One seed: mean, min and max are that seed's values.
  close(narrow.bands.evalMAPTruth.mean, [0.06, 0.09], "one seed mean");
  assert.deepEqual(narrow.bands.evalMAPTruth.min, narrow.bands.evalMAPTruth.max);
  // The loop's rule per seed: weak seed 43 ties at 0.12 on steps 100 and 200 and keeps step 100.
  assert.deepEqual(weak.selected.map((p) => p.step), [200, 100]);
  assert.deepEqual(psl.selected.map((p) => p.step), [300, 200]);
});

test("rows: eval mAP at the budget (what a run of that many steps selects), at the selected step and at the end", () => {
  const rows = stepCurveGroupRows(curves);
  assert.equal(rows[0].budget, 200, "default: the file's defaultProfileSteps");
  const [weak, psl, narrow] = rows;
  assert.deepEqual(weak.atBudget!.steps, [200, 100]);
  close(weak.atBudget!.perSeed, [0.12, 0.10], "weak at budget per seed");
  close(weak.atBudget!.mean, 0.11, "weak at budget");
  close(weak.atSelected.mean, 0.11, "weak at selected");
  close(weak.atLast.perSeed, [0.13, 0.15], "weak at last per seed");
  close(weak.atLast.mean, 0.14, "weak at last");
  close(weak.aucAtLast.mean, 0.67, "weak AUC at last");
  close(psl.atBudget!.mean, 0.135, "psl at budget");
  close(psl.atSelected.mean, 0.155, "psl at selected");
  close(psl.atLast.mean, 0.165, "psl at last");
  close(narrow.atLast.mean, 0.09, "one seed at last");
  // A budget before the first validation point: no point to read.
  assert.equal(stepCurveGroupRows(curves, 50)[0].atBudget, null);
  assert.deepEqual(stepCurveGroupRows(curves, 100)[1].atBudget!.steps, [100, 100]);
  assert.equal(formatSeedSummary(weak.atLast), "0.140 (0.130, 0.150)");
  assert.equal(formatSeedSummary(narrow.atLast), "0.090");
  assert.equal(formatSeedSummary(null), "–");
});

test("PSL-2s − weak: widths with both students on common seeds, paired by seed, read off the points", () => {
  const paired = pairedRuns(curves);
  assert.equal(paired.length, 1, "width 0.1 has no weak run");
  assert.deepEqual([paired[0].widthMult, paired[0].seeds, paired[0].leftOut], [0.25, [42, 43], []]);
  const atBudget = pointComparison(paired[0], { at: "budget", budget: 200 })!;
  close(atBudget.pslMinusWeak.truth.perSeed, [0.01, 0.04], "Δ at budget per seed");
  close(atBudget.pslMinusWeak.truth.mAP, 0.025, "Δ at budget");
  close(atBudget.pslMinusWeak.noisy.mAP, 0.025, "Δ noisy at budget");
  close(atBudget.students.weak.evalMAP.truth, 0.11, "weak at budget");
  assert.deepEqual(atBudget.students["psl-2s"].perSeed.map((s) => [s.seed, s.step]), [[42, 200], [43, 200]]);
  close(pointComparison(paired[0], { at: "selected" })!.pslMinusWeak.truth.perSeed, [0.05, 0.04], "Δ selected per seed");
  close(pointComparison(paired[0], { at: "last" })!.pslMinusWeak.truth.mAP, 0.025, "Δ last");
  assert.equal(pointComparison(paired[0], { at: "budget", budget: 50 }), null);
  // A seed only one student has is left out of the pairing and named.
  const extra = readStepCurves(join(__dirname, "..", "fixtures", "analysis", "step-curves-seeds.json"));
  extra.students["weak/w0.25/seed44"] = { ...extra.students["weak/w0.25/seed42"], seed: 44 };
  assert.deepEqual(pairedRuns(extra)[0].seeds, [42, 43]);
  assert.deepEqual(pairedRuns(extra)[0].leftOut, ["weak/w0.25/seed44"]);
});

test("comparison rows: the budget row from the points, selected and last from the --compare block when it holds these seeds", () => {
  const rows = stepCurveComparisonRows(curves);
  assert.deepEqual(rows.map((r) => [r.point, r.source, r.budget]), [["budget", "curve points", 200], ["selected", "checkpoints", undefined], ["last", "checkpoints", undefined]]);
  assert.equal(rows[0].ci95, null);
  close(rows[0].pslMinusWeak.truth, 0.025, "budget row Δ");
  assert.deepEqual(rows[1].ci95, { truth: [0.01, 0.08], noisy: [0.01, 0.08] });
  close(rows[1].perSeed, [0.05, 0.04], "selected row per seed");
  close(rows[2].pslMinusWeak.noisy, 0.03, "last row noisy Δ (the block's)");
  close(studentMAP(rows[2].psl, "truth").perSeed, [0.17, 0.16], "psl last per seed");
  // Runs no longer than the budget: no budget row (the selected row says it). No --compare block: all from the points.
  assert.deepEqual(stepCurveComparisonRows(curves, 300).map((r) => r.point), ["selected", "last"]);
  const bare = { ...curves, comparison: undefined };
  assert.deepEqual(stepCurveComparisonRows(bare).map((r) => r.source), ["curve points", "curve points", "curve points"]);
  // A --compare block of other seeds than the file's pairs now: not used.
  const stale = { ...curves, comparison: { note: "", widths: { "w0.25": { ...curves.comparison!.widths["w0.25"], seeds: [42] } } } };
  assert.deepEqual(stepCurveComparisonRows(stale).map((r) => r.source), ["curve points", "curve points", "curve points"]);
});

test("the caption states each group's seeds, the budgets, widths, teacher, selection and the eval-for-the-curve-only rule", () => {
  const caption = stepCurvesCaption(curves, { currentTeacherMAP: 0.3027 });
  for (const part of [/weak at width 0\.25: 2 seeds \(42, 43\); psl-2s at width 0\.25: 2 seeds \(42, 43\); psl-2s at width 0\.1: ONE seed \(42; no seed range\)/,
    /budgets 200\/300 steps/, /bars: the lowest and highest seed/, /default profile when measured: width 0\.1, 200 steps/, /eval mAP 0\.303, true labels/,
    /best validation mAP/, /for the curve only, never for selection or tuning/, /Chance 0\.052/]) assert.match(caption, part);
  assert.doesNotMatch(caption, /has changed since/);
  assert.match(stepCurvesCaption(curves, { currentTeacherMAP: 0.41 }), /The shipped teacher has changed since \(eval mAP now 0\.410\)/);
  assert.doesNotMatch(stepCurvesCaption(curves, { currentCorpusKey: curves.corpus.key }), /another demo corpus/, "the same corpus");
  assert.match(stepCurvesCaption(curves, { currentCorpusKey: "0123456789abcdef" }),
    /Measured on another demo corpus than today's default one \(0123456789abcdef\): these curves are of that earlier corpus/);
});

test("the history file (one seed per group) through the same functions: the numbers the README quotes", () => {
  const old = readStepCurves(stepCurvesHistoryPath());
  const rows = Object.fromEntries(stepCurveGroupRows(old, 300).map((r) => [r.student, r]));
  assert.deepEqual(rows.weak.atBudget!.steps, [300]);
  assert.equal(rows.weak.atBudget!.mean, 0.1185);
  assert.equal(rows["psl-2s"].atBudget!.mean, 0.1113);
  assert.deepEqual([rows.weak.atSelected.steps, rows["psl-2s"].atSelected.steps], [[1500], [2000]]);
  assert.equal(rows.weak.atLast.mean, 0.1601);
  assert.equal(rows["psl-2s"].atLast.mean, 0.1902);
  const at1000 = Object.fromEntries(stepCurveGroupRows(old, 1000).map((r) => [r.student, r]));
  assert.deepEqual([at1000.weak.atBudget!.steps, at1000["psl-2s"].atBudget!.steps], [[900], [900]]);
  const compared = stepCurveComparisonRows(old, 300);
  assert.deepEqual(compared.map((r) => [r.point, r.source]), [["budget", "curve points"], ["selected", "checkpoints"], ["last", "checkpoints"]]);
  close(compared[0].pslMinusWeak.truth, 0.1113 - 0.1185, "Δ at 300 steps");
  assert.deepEqual(compared[1].ci95!.truth, [0.0149, 0.0482]);
  assert.match(stepCurvesCaption(old), /weak at width 0\.1: ONE seed \(42; no seed range\); psl-2s at width 0\.1: ONE seed \(42; no seed range\); budgets 2000 steps/);
  assert.doesNotMatch(stepCurvesCaption(old), /bars:/);
});

test("a run still being measured: no at-budget value before its curve reaches the budget, no unequal selected/last pair, named in the caption", () => {
  const growing = readStepCurves(join(__dirname, "..", "fixtures", "analysis", "step-curves-seeds.json"));
  // Seed 43 of weak has reached step 100 of 300; both weak seeds drop to that grid so the group stays on one grid.
  for (const seed of [42, 43]) growing.students[`weak/w0.25/seed${seed}`].points.splice(1);
  const rows = stepCurveGroupRows(growing, 200);
  assert.equal(rows[0].atBudget, null, "weak's curves end at step 100, before the 200-step budget");
  close(rows[1].atBudget!.mean, 0.135, "psl-2s reached the budget");
  assert.deepEqual(stepCurveComparisonRows({ ...growing, comparison: undefined }, 200), [], "nothing comparable yet");
  assert.deepEqual(stepCurveComparisonRows({ ...growing, comparison: undefined }, 100).map((r) => r.point), ["budget"]);
  assert.match(stepCurvesCaption(growing), /NOT FINISHED \(still being measured, or cut short\): weak at width 0\.25 seed 42 at step 100 of 300; weak at width 0\.25 seed 43 at step 100 of 300\./);
  assert.doesNotMatch(stepCurvesCaption(curves), /NOT FINISHED/);
});

test("the tables notebook 04 shows: one row per group, and the comparison rows with each seed's difference and the interval", () => {
  assert.deepEqual(stepCurveGroupTable(curves)[0], {
    student: "weak", width: 0.25, seeds: "42, 43", "eval mAP, run of 200 steps": "0.110 (0.120, 0.100)",
    "eval mAP, selected step": "0.110 (0.120, 0.100)", "eval mAP, last step": "0.140 (0.130, 0.150)", "mean AUC, last step": "0.670 (0.660, 0.680)",
  });
  const table = stepCurveComparisonTable(curves);
  assert.deepEqual(table.map((r) => r.checkpoint), ["what a 200-step run selects (validated every 100 steps)", "selected (best validation)", "last step"]);
  assert.deepEqual(table[0], {
    width: 0.25, seeds: "42, 43", checkpoint: "what a 200-step run selects (validated every 100 steps)", "scored from": "curve points", "weak eval mAP": "0.110 (0.120, 0.100)",
    "psl-2s eval mAP": "0.135 (0.130, 0.140)", "ΔmAP (truth)": "+0.025 (+0.010, +0.040)", "95% CI (truth)": "none (curve points)",
    "ΔmAP (noisy)": "+0.025", "95% CI (noisy)": "none (curve points)",
  });
  assert.equal(table[1]["95% CI (truth)"], "+0.010 to +0.080");
  assert.equal(table[2]["ΔmAP (noisy)"], "+0.030");
});
