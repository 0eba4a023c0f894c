/** lib/report/summary.ts: per-notebook fragments the runner merges into summary.json. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { recordSummary, recordedSummary, summaryFragmentPath } from "../../lib/report/summary";
import { UserError } from "../../lib/errors";

test("under the runner, values accumulate in <PSL_REPORT_DIR>/.summary/<PSL_NOTEBOOK>.json", () => {
  const dir = mkdtempSync(join(tmpdir(), "psl-summary-"));
  process.env.PSL_REPORT_DIR = dir;
  process.env.PSL_NOTEBOOK = "03-teacher";
  try {
    const path = summaryFragmentPath()!;
    assert.equal(path, join(dir, ".summary", "03-teacher.json"));
    recordSummary("teacher.mAP", 0.25);
    recordSummary("teacher.epochs", 3);
    recordSummary("teacher.mAP", 0.5);
    recordSummary("teacher.perClass", { dog: [0.5, null], ok: true });
    assert.deepEqual(JSON.parse(readFileSync(path, "utf8")), { "teacher.mAP": 0.5, "teacher.epochs": 3, "teacher.perClass": { dog: [0.5, null], ok: true } });
    assert.equal(recordedSummary()["teacher.mAP"], 0.5);
  } finally {
    delete process.env.PSL_REPORT_DIR;
    delete process.env.PSL_NOTEBOOK;
    rmSync(dir, { recursive: true, force: true });
  }
});

test("interactive sessions keep values in memory only; values JSON cannot hold are refused", () => {
  assert.equal(summaryFragmentPath({}), undefined);
  recordSummary("interactive.key", "v");
  assert.equal(recordedSummary()["interactive.key"], "v");
  assert.throws(() => recordSummary("bad", Number.NaN), (e: unknown) => e instanceof UserError && /bad.*NaN/.test((e as Error).message));
  assert.throws(() => recordSummary("bad", { nested: [1, Infinity] }), /value\.nested\[1\] is Infinity/);
  assert.throws(() => recordSummary("", 1), /key is empty/);
  assert.equal(existsSync(join(tmpdir(), ".summary")), false);
});
