/**
 * Resume equals an uninterrupted run, with training workers (issue 19): one `psl evaluate` run is killed with SIGKILL
 * four times — in the teacher, in annotation, and twice in the student — and resumed with `--resume` each time; its
 * teacher (weights, BatchNorm running statistics, optimizer state, history), PSL table, student and metrics must equal
 * an uninterrupted run's bit for bit. Workers: 2 training threads (what "auto" gives on the 2-core CI machines), so
 * the BatchNorm statistics that replicas used to keep apart (issue 19: 100 running_mean/var tensors differed) are
 * covered. Every kill also leaves its stage's lock behind, which the next run takes over.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadCheckpoint } from "../../lib/model/checkpoint";
import { readLoopState } from "../../lib/psl/loop";
import { runChild, runChildUntilKilled } from "./child";
import { writeSplitCorpus, writeTinyConfig } from "./corpus";

const WORKERS = 2;

test("kill -9 in the teacher, in annotation and twice in the student, each time --resume: everything equals an uninterrupted run (2 workers)", { timeout: 600_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "psl-crash-pipeline-"));
  try {
    writeSplitCorpus(dir, 20, 16, 12);
    const training = { widthMult: 0.1, epochs: 2, patience: 5, batchSize: 4, checkpointEverySteps: 1 };
    const config = (name: string) => writeTinyConfig(dir, {
      workers: WORKERS, backend: "wasm", cacheDir: join(dir, name, "cache"), reportsDir: join(dir, name, "reports"),
      teacher: training, student: training, annotation: { chunkSeconds: 1, shardClips: 1 },
    }, `${name}.json`);
    const full = runChild("psl", "evaluate", "--config", config("full"));
    assert.equal(full.status, 0, full.stderr);

    const killedConfig = config("killed");
    const stageDir = (run: string, stage: string) => {
      const base = join(dir, run, "cache", stage);
      const keys = existsSync(base) ? readdirSync(base) : [];
      return keys.length === 1 ? join(base, keys[0]) : undefined;
    };
    const loop = (stage: string) => {
      const d = stageDir("killed", stage);
      try {
        return d ? readLoopState(d) : undefined;
      } catch {
        return undefined; // between writes on a slow file system: look again
      }
    };
    const shards = () => {
      const d = stageDir("killed", "annotation");
      return d && existsSync(join(d, "shards")) ? readdirSync(join(d, "shards")).filter((f) => /^shard-\d{5}\.arrow$/.test(f)).length : 0;
    };
    const annotationDone = () => existsSync(join(stageDir("killed", "annotation") ?? "/nonexistent", "done.json"));
    // 12 training clips (4 held out): teacher 3 steps × 2 epochs; annotation 12 one-clip shards; student 24 chunks → 6 × 2.
    const kills: [string, () => boolean][] = [
      ["teacher at step ≥ 2", () => (loop("teacher")?.globalStep ?? 0) >= 2 && loop("teacher")?.finished === false],
      ["annotation after ≥ 2 shards", () => shards() >= 2 && !annotationDone()],
      ["student at step ≥ 3", () => (loop("student")?.globalStep ?? 0) >= 3 && loop("student")?.finished === false],
      ["student again at step ≥ 8", () => (loop("student")?.globalStep ?? 0) >= 8 && loop("student")?.finished === false],
    ];
    for (const [i, [where, when]] of kills.entries()) {
      const run = await runChildUntilKilled(when, ["psl", "evaluate", "--config", killedConfig, ...(i > 0 ? ["--resume"] : [])]);
      assert.ok(run.killed, `not killed (${where}):\n${run.output}`);
      t.diagnostic(`killed ${where}: teacher step ${loop("teacher")?.globalStep}, ${shards()} shards, student step ${loop("student")?.globalStep ?? "-"}`);
      if (i > 0) assert.match(run.output, /took over the stale lock/, "the previous kill's lock is taken over");
    }
    assert.ok(loop("student") && !loop("student")!.finished, "the last kill landed in the student");
    const last = runChild("psl", "evaluate", "--config", killedConfig, "--resume");
    assert.equal(last.status, 0, last.stderr);

    for (const stage of ["teacher", "student"]) {
      const a = stageDir("full", stage)!;
      const b = stageDir("killed", stage)!;
      assert.equal(a.slice(join(dir, "full").length), b.slice(join(dir, "killed").length), `${stage}: same cache key`);
      for (const name of ["best.safetensors", "last.safetensors"]) {
        const x = loadCheckpoint(join(a, name));
        const y = loadCheckpoint(join(b, name));
        assert.ok([...x.tensors.keys()].filter((k) => k.endsWith("running_var")).length > 0);
        for (const [key, value] of x.tensors) assert.deepEqual(y.tensors.get(key), value, `${stage} ${name}: ${key} differs`);
        for (const [key, value] of Object.entries(x.optimizerState)) assert.deepEqual(y.optimizerState[key], value, `${stage} ${name}: optimizer ${key} differs`);
        assert.equal(y.meta.workers, WORKERS);
      }
      const history = (d: string) => (JSON.parse(readFileSync(join(d, "history.json"), "utf8")) as Record<string, unknown>[]).map(({ seconds: _s, ...rest }) => rest);
      assert.deepEqual(history(b), history(a), `${stage}: history differs`);
    }
    const tableA = stageDir("full", "annotation")!;
    const tableB = stageDir("killed", "annotation")!;
    assert.ok(readFileSync(join(tableB, "psl.arrow")).equals(readFileSync(join(tableA, "psl.arrow"))), "psl.arrow differs");
    assert.equal(readFileSync(join(tableB, "psl-top.tsv"), "utf8"), readFileSync(join(tableA, "psl-top.tsv"), "utf8"));
    for (const model of ["student", "teacher"]) {
      const metrics = (run: string) => {
        const { checkpoint: _path, ...rest } = JSON.parse(readFileSync(join(dir, run, "reports", "robustness", model, "metrics.json"), "utf8"));
        return rest;
      };
      assert.deepEqual(metrics("killed"), metrics("full"), `${model} metrics differ`);
      assert.equal(metrics("full").trainingWorkers, WORKERS, "the report names the training workers");
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
