/** `psl metrics` end to end through the real launcher: .npy in, one JSON object out, files written. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeNpy } from "../../lib/io/npy";
import { repoRoot } from "../../lib/io/repo-root";

const root = repoRoot();
const fixture = JSON.parse(readFileSync(join(__dirname, "../fixtures/eval/metrics.json"), "utf8"));

test("psl metrics --json matches sklearn on a fixture case and writes JSON + per-class CSV", () => {
  const c = fixture.cases.find((x: { name: string }) => x.name === "random-float32");
  const dir = mkdtempSync(join(tmpdir(), "psl-metrics-cli-"));
  const rows = c.targets.length;
  const cols = c.targets[0].length;
  writeNpy(join(dir, "t.npy"), { data: Int32Array.from(c.targets.flat()), shape: [rows, cols] });
  writeNpy(join(dir, "s.npy"), { data: Float32Array.from(c.scores.flat()), shape: [rows, cols] });
  const run = spawnSync(process.execPath, [join(root, "lib/bin/psl.js"), "metrics", "--targets", join(dir, "t.npy"), "--scores", join(dir, "s.npy"), "--json", "--out", join(dir, "m.json"), "--per-class", join(dir, "c.csv")], { encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
  const lines = run.stdout.trim().split("\n");
  assert.equal(lines.length, 1, "exactly one JSON line on stdout");
  const out = JSON.parse(lines[0]);
  assert.ok(Math.abs(out.mAP - c.expected.mAP) < 1e-6);
  assert.ok(Math.abs(out.meanAUC - c.expected.meanAUC) < 1e-6);
  assert.ok(Math.abs(out.dPrime - c.expected.dPrime) < 1e-6);
  assert.equal(out.numClips, rows);
  assert.equal(JSON.parse(readFileSync(join(dir, "m.json"), "utf8")).perClass.length, cols);
  assert.equal(readFileSync(join(dir, "c.csv"), "utf8").trim().split("\n").length, cols + 1);

  const bad = spawnSync(process.execPath, [join(root, "lib/bin/psl.js"), "metrics", "--targets", join(dir, "t.npy")], { encoding: "utf8" });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--targets and --scores are required/);
});
