/**
 * scripts/script-args.ts and scripts/student-validation-run.ts: what the measurement scripts check before any training
 * (their flags, and that a measurement file never mixes recipes).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { choiceArg, numbersArg } from "../../scripts/script-args";
import { checkFileRecipe, profileStudentRecipe } from "../../scripts/student-validation-run";
import { UserError } from "../../lib/errors";

/** Runs `body` with `flags` as the process's command-line arguments, then puts them back. */
function withArgs<T>(flags: string[], body: () => T): T {
  const saved = process.argv;
  process.argv = [saved[0], "script.ts", ...flags];
  try {
    return body();
  } finally {
    process.argv = saved;
  }
}

const positive = (n: number) => n > 0;

test("a comma-separated flag gives its numbers, or the fallback's when absent", () => {
  assert.deepEqual(withArgs(["--widths", "0.25,0.5,1"], () => numbersArg("widths", "1", positive, "a width")), [0.25, 0.5, 1]);
  assert.deepEqual(withArgs([], () => numbersArg("widths", "0.25,1", positive, "a width")), [0.25, 1]);
});

test("a value that is not a number, is empty or fails the check is refused naming the flag and the value", () => {
  for (const [given, bad] of [["0.5,abc", "abc"], ["0.5,,1", ""], ["-1", "-1"]]) {
    assert.throws(() => withArgs(["--widths", given], () => numbersArg("widths", "1", positive, "a width in (0, 4]")),
      (e: unknown) => e instanceof UserError && e.message === `--widths: "${bad}" is not a width in (0, 4]`);
  }
});

test("a file's recipe leaves out the fields its runs vary, and a file of another recipe is refused", () => {
  const dir = mkdtempSync(join(tmpdir(), "measurement-"));
  const out = join(dir, "runs.json");
  const full = profileStudentRecipe("default");
  const { widthMult: _varied, ...withoutWidth } = full;
  assert.deepEqual(checkFileRecipe(out, "runs", "default"), full, "a new file: the profile's whole recipe");
  assert.deepEqual(checkFileRecipe(out, "runs", "default", ["widthMult"]), withoutWidth);
  writeFileSync(out, JSON.stringify({ recipe: withoutWidth, runs: {} }));
  assert.deepEqual(checkFileRecipe(out, "runs", "default", ["widthMult"]), withoutWidth, "the same recipe: accepted");
  assert.throws(() => checkFileRecipe(out, "runs", "default"), /holds runs of recipe .* give another --out/,
    "a file whose runs vary the width is not one of fixed-width runs");
  assert.throws(() => checkFileRecipe(out, "runs", "full", ["widthMult"]), /holds runs of recipe/, "nor one of the full profile's budget");
});

test("a choice flag gives its value, or the fallback when absent; another value is refused naming the flag and the choices", () => {
  const students = ["weak", "psl-2s"] as const;
  assert.equal(withArgs(["--student", "psl-2s"], () => choiceArg("student", "weak", students)), "psl-2s");
  assert.equal(withArgs([], () => choiceArg("student", "weak", students)), "weak");
  assert.throws(() => withArgs(["--student", "psl-5s"], () => choiceArg("student", "weak", students)),
    (e: unknown) => e instanceof UserError && e.message === '--student: one of weak, psl-2s, got "psl-5s"');
});
