/**
 * The runner must stop at the FIRST failing cell, exit non-zero and print that cell's source and error —
 * including tslab's compile errors and callback exceptions, which tslab only prints on stderr.
 * Fixtures: test/fixtures/notebooks/*.ipynb (they do not import the library, so no build is needed).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { REPO, jupyterMissing, readNotebook, runRunner, text } from "./runner";

const skip = jupyterMissing();
const fixture = (name: string): string => join(REPO, "test", "fixtures", "notebooks", `${name}.ipynb`);
const errorSection = (stderr: string): string => stderr.slice(stderr.indexOf("--- error ---"));

/** A --params file in a fresh temp folder (a fresh clone has no .cache/). */
function paramsFile(value: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), "psl-params-")), "params.json");
  writeFileSync(path, JSON.stringify(value));
  return path;
}

test("a TypeScript compile error fails the run, names the cell, and later notebooks never start", { skip }, () => {
  const params = paramsFile({ marker: "from-file" });
  const run = runRunner([fixture("fails-compile"), fixture("fails-runtime"), "--params", params]);
  try {
    assert.equal(run.status, 1, run.stdout + run.stderr);
    assert.match(run.stdout, /before the failure: from-file/, "--params values are injected");
    assert.match(run.stderr, /fails-compile FAILED in code cell 3 of 4: TypeScript compile error/);
    assert.match(run.stderr, /--- cell source ---\n\/\/ A type error[^\n]*\nconst epochs: number = "three";\n--- error ---/);
    assert.match(errorSection(run.stderr), /Type 'string' is not assignable to type 'number'/);
    assert.ok(!run.stdout.includes("AFTER-FAILURE-MUST-NOT-RUN"), "cells after the failure are not run");
    assert.ok(!run.stdout.includes("[2/2]"), "the second notebook is not started");
    const summary = JSON.parse(readFileSync(join(run.outDir, "summary.json"), "utf8"));
    assert.equal(summary.status, "failed");
    assert.match(summary.notebooks["fails-compile"].error.text, /not assignable/);
    assert.equal(summary.notebooks["fails-runtime"], undefined);
    // The partial report is still written, with the code shown (no --no-input) so the failure can be read.
    const html = readFileSync(join(run.outDir, "fails-compile.html"), "utf8");
    assert.ok(html.includes("three") && html.includes("not assignable"));
    const nb = readNotebook(join(run.outDir, "fails-compile.ipynb"));
    assert.equal(nb.cells.at(-1)!.execution_count, null);
  } finally {
    rmSync(join(params, ".."), { recursive: true, force: true });
    rmSync(run.outDir, { recursive: true, force: true });
  }
});

test("a runtime exception fails the run with its message, without tslab's own stack frames", { skip }, () => {
  const run = runRunner([fixture("fails-runtime")]);
  try {
    assert.equal(run.status, 1);
    assert.match(run.stderr, /fails-runtime FAILED in code cell 3 of 4: the kernel answered status 'error'/);
    assert.match(errorSection(run.stderr), /Error: deliberate runtime failure 7\n\s+at train/);
    assert.doesNotMatch(errorSection(run.stderr), /node_modules\/tslab|node:vm/);
    assert.ok(!run.stdout.includes("AFTER-FAILURE-MUST-NOT-RUN"));
  } finally {
    rmSync(run.outDir, { recursive: true, force: true });
  }
});

test("an exception thrown in a callback (reply still 'ok') is caught from stderr; --set beats --params", { skip }, () => {
  const params = paramsFile({ marker: "from-file" });
  const run = runRunner([fixture("fails-async"), "--params", params, "--set", "marker=from-cli"]);
  try {
    assert.equal(run.status, 1);
    assert.match(run.stderr, /fails-async FAILED .*: an uncaught exception was printed while the cell ran/);
    assert.match(errorSection(run.stderr), /UncaughtException: Error: deliberate callback failure/);
    const nb = readNotebook(join(run.outDir, "fails-async.ipynb"));
    const injected = nb.cells.find((c) => c.metadata.tags?.includes("injected-parameters"));
    assert.match(text(injected?.source), /^marker = "from-cli";$/m);
  } finally {
    rmSync(join(params, ".."), { recursive: true, force: true });
    rmSync(run.outDir, { recursive: true, force: true });
  }
});

test("bad parameters: unknown names stop before any kernel starts; a wrongly typed value fails in the injected cell", { skip }, () => {
  const unknown = runRunner([fixture("fails-runtime"), "--set", "nosuchParameter=1"]);
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /unknown parameter\(s\) nosuchParameter: .* Known: marker/);
  assert.equal(existsSync(join(unknown.outDir, "summary.json")), false);
  rmSync(unknown.outDir, { recursive: true, force: true });

  const malformed = runRunner([fixture("fails-runtime"), "--set", "marker"]);
  assert.equal(malformed.status, 2);
  assert.match(malformed.stderr, /--set marker: expected name=value/);
  rmSync(malformed.outDir, { recursive: true, force: true });

  const wrongType = runRunner([fixture("fails-runtime"), "--set", "marker=5"]);
  try {
    assert.equal(wrongType.status, 1);
    assert.match(wrongType.stderr, /FAILED in the injected-parameters cell: TypeScript compile error/);
    assert.match(wrongType.stderr, /marker = 5;/);
    assert.match(wrongType.stderr, /hint: a --set\/--params value does not fit the parameter's type/);
  } finally {
    rmSync(wrongType.outDir, { recursive: true, force: true });
  }
});
