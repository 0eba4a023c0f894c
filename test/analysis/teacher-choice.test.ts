/** lib/analysis/teacher-choice.ts: the teacher that ships, and its targets, chosen on its students' validation. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { relative, join } from "node:path";
import {
  chooseTeacher, committedTeacherChoice, pairedWith, teacherChoiceRows, teacherChoiceRuns, type TeacherChoiceRun,
} from "../../lib/analysis/teacher-choice";
import { demoTeacherDir, seriesConfig } from "../../lib/series/settings";
import { repoRoot } from "../../lib/io/repo-root";
import { UserError } from "../../lib/errors";

const run = (teacher: string, seed: number, best: number, target: "soft" | "hard" = "soft"): TeacherChoiceRun => ({
  teacher, student: "psl-2s", seed, bestValidationMAP: best, targets: { target, threshold: 0.5 },
  validation: [{ step: 75, validationMAP: best / 2 }, { step: 150, validationMAP: best }],
});

test("rows group teacher × targets, average the curves over seeds; the rule takes the soft rows' mean over shared seeds", () => {
  const rows = teacherChoiceRows([
    run("a.safetensors", 42, 0.20), run("a.safetensors", 43, 0.10),
    run("b.safetensors", 42, 0.18), run("b.safetensors", 43, 0.14),
    // Seed 44 of b alone is left out of the rule: it would decide by itself.
    run("b.safetensors", 44, 0.01),
    run("a.safetensors", 42, 0.30, "hard"), run("a.safetensors", 43, 0.12, "hard"),
  ], "psl-2s");
  assert.deepEqual(rows.map((r) => `${r.teacher} ${r.targets.target} ${r.seeds.join(",")}`),
    ["a.safetensors soft 42,43", "b.safetensors soft 42,43,44", "a.safetensors hard 42,43"]);
  assert.ok(Math.abs(rows[0].meanCurve[1].validationMAP - 0.15) < 1e-12 && Math.abs(rows[0].meanCurve[0].validationMAP - 0.075) < 1e-12);
  const choice = chooseTeacher(rows);
  assert.deepEqual(choice.seeds, [42, 43]);
  assert.equal(choice.teacher, "b.safetensors", "0.16 over seeds 42-43 beats 0.15; hard rows take no part");
  const hard = pairedWith(rows[2], rows[0]);
  assert.equal(hard.seedsAbove, 2);
  assert.equal(hard.aboveAtEverySeed, true);
  assert.ok(Math.abs(hard.meanDifference - 0.06) < 1e-12);
  assert.equal(pairedWith(rows[0], rows[2]).aboveAtEverySeed, false);
});

test("the shipped teacher and the default soft targets are what the committed check chooses", () => {
  const { rows, decision } = committedTeacherChoice("psl-2s");
  assert.ok(decision !== null, "the file records its rule and decision");
  const shipped = relative(repoRoot(), join(demoTeacherDir(), "teacher.safetensors"));
  const choice = chooseTeacher(rows);
  assert.equal(choice.teacher, shipped);
  assert.ok(choice.seeds.length >= 3, "decided over three seeds");
  assert.ok(rows.filter((r) => r.targets.target === "soft").length >= 2, "more than one teacher was a candidate");
  // Hard targets would have to beat the shipped teacher's soft students on the mean and at every seed.
  const baseline = rows.find((r) => r.teacher === shipped && r.targets.target === "soft")!;
  const hard = rows.filter((r) => r.targets.target === "hard");
  assert.ok(hard.length >= 1, "hard targets were measured");
  const qualifies = hard.some((r) => { const p = pairedWith(r, baseline); return p.meanDifference > 0 && p.aboveAtEverySeed; });
  const config = seriesConfig({ profile: "default" }, { name: "psl-2s", alpha: 1, chunkSeconds: 2, seed: 42 });
  assert.equal(config.annotation.target, qualifies ? "hard" : "soft");
  for (const row of rows) assert.ok(row.teacherEvalMAP !== null, `${row.teacher}: its eval.json lies beside it`);
});

test("a malformed run names the file, the run and the field", () => {
  const good = { teacher: "t", student: "psl-2s", seed: 42, bestValidationMAP: 0.2, validation: [{ step: 75, validationMAP: 0.2 }] };
  assert.equal(teacherChoiceRuns({ runs: { k: good } }, "x.json")[0].targets.target, "soft", "runs before hard targets were soft");
  assert.throws(() => teacherChoiceRuns({ runs: { k: { ...good, seed: "42" } } }, "x.json"),
    (e: unknown) => e instanceof UserError && e.message === "x.json: runs.k.seed is not a finite number");
  assert.throws(() => teacherChoiceRuns({ runs: { k: { ...good, targets: { target: "topk", threshold: 0.5 } } } }, "x.json"),
    /x\.json: runs\.k\.targets must be/);
  assert.throws(() => teacherChoiceRuns({ runs: { k: { ...good, validation: [{ step: 75 }] } } }, "x.json"), /runs\.k\.validation\[0\]/);
  assert.throws(() => teacherChoiceRuns({}, "x.json"), /x\.json: no "runs" object/);
  assert.throws(() => teacherChoiceRows([run("a", 42, 0.2), { ...run("a", 43, 0.2), validation: [{ step: 80, validationMAP: 0.1 }, { step: 150, validationMAP: 0.2 }] }], "psl-2s", "f.json"),
    /f\.json: a → psl-2s seed 43 was validated at other steps/);
});
