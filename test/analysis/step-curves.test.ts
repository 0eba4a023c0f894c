/**
 * lib/analysis/step-curves.ts: the reader accepts today's file (one entry per student × width × seed; a hand-made
 * fixture) and the first measurement's (one entry per student; the committed history file, read unchanged), refuses
 * broken files naming the file and the field, and applies the training loop's selection rule.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import {
  checkStepCurves, committedStepCurvesPath, readStepCurves, selectedPoint, selectedWithin, stepCurveRunKey, stepCurvesHistoryPath, stepCurvesPath, studentScores,
  type StepCurvePoint,
} from "../../lib/analysis/step-curves";
import { UserError } from "../../lib/errors";

const fixturePath = join(__dirname, "..", "fixtures", "analysis", "step-curves-seeds.json");
const fixture = () => JSON.parse(readFileSync(fixturePath, "utf8")) as Record<string, any>;
const history = () => JSON.parse(readFileSync(stepCurvesHistoryPath(), "utf8")) as Record<string, any>;
const point = (step: number, validationMAP: number, evalMAP = 0.1): StepCurvePoint => ({
  step, meanLoss: 0.01, validationMAP, validationAUC: 0.6, evalMAP: { truth: evalMAP, noisy: evalMAP }, evalMeanAUC: { truth: 0.6, noisy: 0.6 }, periodSeconds: 1,
});
/** Asserts `value` is refused with a UserError whose message matches `message` (file and field named). */
const refused = (value: unknown, message: RegExp) =>
  assert.throws(() => checkStepCurves(value, "x.json"), (e: Error) => e instanceof UserError && message.test(e.message), `expected ${message}`);

test("today's format: one run per student × width × seed, read with its student, width and seed", () => {
  const curves = readStepCurves(fixturePath);
  assert.deepEqual(Object.keys(curves.students), ["weak/w0.25/seed42", "weak/w0.25/seed43", "psl-2s/w0.25/seed42", "psl-2s/w0.25/seed43", "psl-2s/w0.1/seed42"]);
  const run = curves.students["psl-2s/w0.1/seed42"];
  assert.deepEqual([run.student, run.widthMult, run.seed, run.stepBudget, run.points.length], ["psl-2s", 0.1, 42, 200, 2]);
  assert.equal(curves.recipe.defaultWidthMult, 0.1);
  assert.equal(curves.recipe.defaultProfileSteps, 200);
  assert.deepEqual(Object.keys(curves.comparison!.widths), ["w0.25"]);
  assert.deepEqual(curves.comparison!.widths["w0.25"].best.students.weak.perSeed.map((s) => s.step), [200, 100]);
  assert.equal(stepCurveRunKey("weak", 0.25, 42), "weak/w0.25/seed42");
});

test("the first measurement (history file, one entry per student): student = its key, width = recipe.widthMult", () => {
  const raw = history();
  assert.equal(raw.students.weak.student, undefined, "the history file is read as committed, not rewritten");
  const curves = readStepCurves(stepCurvesHistoryPath());
  assert.deepEqual(Object.keys(curves.students).sort(), ["psl-2s", "weak"]);
  for (const name of ["weak", "psl-2s"]) {
    assert.equal(curves.students[name].student, name);
    assert.equal(curves.students[name].widthMult, 0.1);
    assert.equal(curves.students[name].seed, 42);
    assert.equal(curves.students[name].points.length, 20);
  }
  assert.equal(curves.recipe.defaultWidthMult, 0.1);
  assert.equal((curves.recipe as Record<string, unknown>).widthMult, undefined, "one name for the width after the reader");
  assert.equal(curves.teacher.eval.truthMAP, 0.2362);
  // Its comparison block in today's shape: one width, the one seed, the selected steps the loop chose.
  const compared = curves.comparison!.widths["w0.1"];
  assert.deepEqual(compared.seeds, [42]);
  assert.deepEqual(compared.best.students.weak.perSeed, [{ seed: 42, step: 1500, evalMAP: { truth: 0.1584, noisy: 0.1343 }, evalMeanAUC: { truth: 0.6313, noisy: 0.6251 } }]);
  assert.deepEqual(compared.best.pslMinusWeak.truth.ci95, [0.0149, 0.0482]);
  // The selection rule agrees with the checkpoints the loop selected (the --compare block scored the real best.safetensors).
  for (const name of ["weak", "psl-2s"]) {
    const selected = selectedPoint(curves.students[name].points);
    assert.equal(selected.step, compared.best.students[name].perSeed[0].step, `${name}: selected step`);
    assert.equal(selected.evalMAP.truth, compared.best.students[name].evalMAP.truth, `${name}: eval mAP of the selected checkpoint`);
  }
});

test("the selection rule: first step with the highest validation mAP, also within a budget", () => {
  // Ties go to the earlier step (the loop keeps a new best only when validation mAP is strictly higher).
  assert.equal(selectedPoint([point(100, 0.2), point(200, 0.3), point(300, 0.3)]).step, 200);
  assert.equal(selectedWithin([point(100, 0.2), point(200, 0.3), point(300, 0.1)], 150)?.step, 100);
  assert.equal(selectedWithin([point(100, 0.2)], 50), null);
});

test("a student's scores over seeds: the mean of each label pair, each seed's scores kept in seed order", () => {
  const seed = (seedValue: number, step: number, truth: number, noisy: number) => ({ seed: seedValue, step, evalMAP: { truth, noisy }, evalMeanAUC: { truth: truth + 0.5, noisy: noisy + 0.5 } });
  const perSeed = [seed(42, 300, 0.2, 0.1), seed(43, 400, 0.3, 0.15), seed(44, 300, 0.4, 0.2)];
  const scores = studentScores(perSeed);
  assert.ok(Math.abs(scores.evalMAP.truth - 0.3) < 1e-12 && Math.abs(scores.evalMAP.noisy - 0.15) < 1e-12);
  assert.ok(Math.abs(scores.evalMeanAUC.truth - 0.8) < 1e-12 && Math.abs(scores.evalMeanAUC.noisy - 0.65) < 1e-12);
  assert.deepEqual(scores.perSeed, perSeed);
  assert.deepEqual(studentScores([perSeed[1]]).evalMAP, { truth: 0.3, noisy: 0.15 });
});

test("bad files are refused naming the file and the field", () => {
  const fraction = fixture();
  fraction.students["psl-2s/w0.25/seed43"].points[1].evalMAP.noisy = 1.5;
  refused(fraction, /^x\.json: students\.psl-2s\/w0\.25\/seed43\.points\[1\]\.evalMAP\.noisy must be a number in \[0, 1\], got 1\.5$/);
  const negative = fixture();
  negative.students["weak/w0.25/seed42"].points[0].validationMAP = -0.1;
  refused(negative, /x\.json: students\.weak\/w0\.25\/seed42\.points\[0\]\.validationMAP must be a number in \[0, 1\], got -0\.1/);
  const seconds = fixture();
  seconds.students["weak/w0.25/seed42"].points[2].trainingSeconds = -3;
  refused(seconds, /x\.json: students\.weak\/w0\.25\/seed42\.points\[2\]\.trainingSeconds must be a number ≥ 0, got -3/);
  const offGrid = fixture();
  offGrid.students["weak/w0.25/seed43"].points[1].step = 250;
  refused(offGrid, /x\.json: students\.weak\/w0\.25\/seed43\.points\[1\]\.step must be a positive multiple of recipe\.validateEverySteps \(100\), got 250/);
  const unordered = fixture();
  unordered.students["weak/w0.25/seed43"].points[2].step = 200;
  refused(unordered, /students\.weak\/w0\.25\/seed43\.points\[2\]\.step must be larger than the step before it \(200\)/);
  const beyond = fixture();
  beyond.students["psl-2s/w0.1/seed42"].points.push({ ...beyond.students["psl-2s/w0.1/seed42"].points[1], step: 300 });
  refused(beyond, /students\.psl-2s\/w0\.1\/seed42\.points\[2\]\.step 300 is beyond the run's stepBudget 200/);
  // A group whose seeds differ in grid (e.g. a run still being measured): its seeds cannot be averaged step by step.
  const grid = fixture();
  grid.students["psl-2s/w0.25/seed43"].points.pop();
  refused(grid, /x\.json: students\.psl-2s\/w0\.25\/seed43\.points are on another step grid than students\.psl-2s\/w0\.25\/seed42's \(the seeds of psl-2s at width 0\.25/);
  // Groups may differ in grid: psl-2s at width 0.1 (200 steps) beside width 0.25 (300 steps) is read (first test).
  const key = fixture();
  key.students["weak/w0.25/seed43"].seed = 44;
  refused(key, /x\.json: students\.weak\/w0\.25\/seed43 is keyed "weak\/w0\.25\/seed43" but holds weak\/w0\.25\/seed44/);
  const width = fixture();
  width.students["weak/w0.25/seed42"].widthMult = 0;
  refused(width, /students\.weak\/w0\.25\/seed42\.widthMult must be a positive number, got 0/);
  const recipe = fixture();
  delete recipe.recipe.defaultWidthMult;
  refused(recipe, /x\.json: recipe\.defaultWidthMult must be a positive number, got undefined/);
  const chance = fixture();
  delete chance.chanceMAP;
  refused(chance, /x\.json: chanceMAP is missing/);
  const ci = fixture();
  ci.comparison.widths["w0.25"].last.pslMinusWeak.noisy.ci95 = [0.1];
  refused(ci, /x\.json: comparison\.widths\.w0\.25\.last\.pslMinusWeak\.noisy\.ci95 must be \[low, high\], got \[0\.1\]/);
  const historyBroken = history();
  historyBroken.students.weak.points[3].step = 250;
  refused(historyBroken, /x\.json: students\.weak\.points\[3\]\.step must be a positive multiple of recipe\.validateEverySteps \(100\)/);
  const historyComparison = history();
  historyComparison.comparison.best.students.weak.evalMAP.truth = 2;
  refused(historyComparison, /x\.json: comparison\.best\.students\.weak\.evalMAP\.truth must be a number in \[0, 1\], got 2/);
  const dir = mkdtempSync(join(tmpdir(), "psl-curves-"));
  try {
    writeFileSync(join(dir, "broken.json"), "{");
    assert.throws(() => readStepCurves(join(dir, "broken.json")), /step curves .*broken\.json: not valid JSON/);
    assert.throws(() => readStepCurves(join(dir, "absent.json")), /cannot read step curves .*absent\.json: file not found/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("paths: the committed measurement and its history; a missing measurement names the file and the command", () => {
  assert.ok(stepCurvesPath().endsWith(join("data-manifests", "demo", "curves", "student-steps.json")));
  assert.ok(stepCurvesHistoryPath().endsWith(join("data-manifests", "demo", "curves", "student-steps-teacher1200.json")));
  assert.equal(committedStepCurvesPath(), stepCurvesPath());
  assert.doesNotThrow(() => readStepCurves(committedStepCurvesPath()));
  const absent = join(tmpdir(), "psl-curves-absent", "student-steps.json");
  assert.throws(
    () => committedStepCurvesPath(absent),
    (e: unknown) => e instanceof UserError && e.message.startsWith(`${absent}: the committed student step curves are missing`) && e.message.includes("scripts/student-step-curves.ts"),
  );
});
