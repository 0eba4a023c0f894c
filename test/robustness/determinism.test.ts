/**
 * Determinism: the same config and seed on the same backend give identical training metrics and weights, run in two
 * separate processes (as a user re-running a command would). Checked on wasm, the default backend here; the cpu
 * backend is covered by crash-resume.test.ts (an uninterrupted vs a killed-and-resumed run compare bit for bit).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadCheckpoint } from "../../lib/model/checkpoint";
import { manifestText, writeTinyConfig, writeToneClips } from "./corpus";

test("same seed + wasm backend in two processes → identical metrics and weights", { timeout: 180_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "psl-determinism-"));
  try {
    const rows = writeToneClips(dir, 10, 8, 1);
    writeFileSync(join(dir, "train.tsv"), manifestText(rows.slice(0, 8)));
    writeFileSync(join(dir, "eval.tsv"), manifestText(rows.slice(8)));
    const runs = ["a", "b"].map((name) => {
      const path = writeTinyConfig(dir, { backend: "wasm", cacheDir: join(dir, `cache-${name}`), reportsDir: join(dir, `reports-${name}`), teacher: { widthMult: 0.1, epochs: 2, patience: 5, batchSize: 2 } });
      const config = join(dir, `${name}.json`);
      writeFileSync(config, readFileSync(path));
      const r = spawnSync(process.execPath, ["--import", "tsx", join(__dirname, "crash-child.ts"), "psl", "train-teacher", "--config", config], { encoding: "utf8", env: { ...process.env, PSL_BACKEND: "" } });
      assert.equal(r.status, 0, r.stderr);
      const teacherDir = join(dir, `cache-${name}`, "teacher", readdirSync(join(dir, `cache-${name}`, "teacher"))[0]);
      const history = (JSON.parse(readFileSync(join(teacherDir, "history.json"), "utf8")) as Record<string, unknown>[]).map(({ seconds: _s, ...rest }) => rest);
      return { history, checkpoint: loadCheckpoint(join(teacherDir, "best.safetensors")) };
    });
    assert.equal(runs[0].history.length, 2);
    assert.deepEqual(runs[1].history, runs[0].history);
    for (const [key, value] of runs[0].checkpoint.tensors) assert.deepEqual(runs[1].checkpoint.tensors.get(key), value, `weights differ at ${key}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
