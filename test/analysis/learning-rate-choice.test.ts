/** lib/analysis/learning-rate-choice.ts: the students' learning rates, chosen on validation by one rule for all. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { chooseLearningRates, committedLearningRateChoices, learningRateRuns } from "../../lib/analysis/learning-rate-choice";
import { SERIES_PROFILES, STUDENT_RECIPES, REFERENCE_LEARNING_RATE } from "../../lib/series/settings";
import { UserError } from "../../lib/errors";

const run = (student: string, learningRate: number, seed: number, bestValidationMAP: number) => ({ student, learningRate, seed, bestValidationMAP });

test("the rule: mean best validation mAP over the seeds measured at every rate; a tie keeps the lower rate", () => {
  const [weak, psl] = chooseLearningRates([
    run("weak", 0.001, 42, 0.16), run("weak", 0.004, 42, 0.18),
    run("weak", 0.001, 43, 0.12), run("weak", 0.004, 43, 0.08),
    // Seed 44 ran at one rate only: it is left out, or it would decide by itself.
    run("weak", 0.004, 44, 0.5),
    run("psl-2s", 0.002, 42, 0.2), run("psl-2s", 0.001, 42, 0.2),
  ]);
  assert.deepEqual(weak.seeds, [42, 43]);
  assert.deepEqual(weak.rows.map((r) => r.learningRate), [0.001, 0.004]);
  assert.ok(Math.abs(weak.rows[0].meanBestValidationMAP - 0.14) < 1e-12 && Math.abs(weak.rows[1].meanBestValidationMAP - 0.13) < 1e-12);
  assert.equal(weak.chosen, 0.001, "0.14 over two seeds beats 0.13, though 0.004 wins seed 42");
  assert.equal(psl.chosen, 0.001, "a tie goes to the lower rate");
  assert.throws(() => chooseLearningRates([run("weak", 0.001, 42, 0.1), run("weak", 0.002, 43, 0.1)], "f.json"),
    (e: unknown) => e instanceof UserError && /f\.json: weak has no seed measured at every rate/.test(e.message));
});

test("the default profile trains every student at the rate the committed check chooses", () => {
  const choices = committedLearningRateChoices();
  assert.deepEqual(choices.map((c) => c.student).sort(), STUDENT_RECIPES.map((r) => r.name).sort(), "every student was checked");
  for (const c of choices) {
    assert.ok(c.rows.length >= 3, `${c.student}: a grid, not one rate`);
    assert.ok(c.rows.some((r) => r.learningRate === REFERENCE_LEARNING_RATE), `${c.student}: the reference's rate is in the grid`);
    assert.equal(SERIES_PROFILES.default.studentLearningRates[c.student] ?? REFERENCE_LEARNING_RATE, c.chosen, c.student);
  }
  // The headline pair was checked over two seeds.
  for (const name of ["weak", "psl-2s"]) assert.ok(choices.find((c) => c.student === name)!.seeds.length >= 2, name);
});

test("a malformed run names the file, the run and the field", () => {
  assert.throws(() => learningRateRuns({ runs: { "weak/lr0.001/seed42": { student: "weak", learningRate: 0.001, seed: 42, bestValidationMAP: "0.1" } } }, "x.json"),
    (e: unknown) => e instanceof UserError && e.message === "x.json: runs.weak/lr0.001/seed42.bestValidationMAP is not a finite number");
  assert.throws(() => learningRateRuns({}, "x.json"), /x\.json: no "runs" object/);
});
