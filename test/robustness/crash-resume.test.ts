/**
 * Crash safety: a child process is killed with SIGKILL (no cleanup, no signal handler) while (a) building the feature
 * cache and (b) training the teacher; the same command, re-run with --resume, must finish with no corrupt or partial
 * file in the way and the same result as an uninterrupted run with the same seed.
 * Training runs on the cpu backend: it is deterministic from a process's first step, so runs in different processes
 * compare bit for bit (see README "Determinism" for wasm).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openFeatureCache } from "../../lib/data/feature-cache";
import { loadCheckpoint } from "../../lib/model/checkpoint";
import { readLoopState } from "../../lib/psl/loop";
import { listFiles, runChild, runChildUntilKilled } from "./child";
import { manifestText, writeSplitCorpus, writeTinyConfig, writeToneClips } from "./corpus";

test("kill -9 in the middle of an atomic write: the target holds a whole earlier version, never a torn one", { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "psl-crash-write-"));
  try {
    const mib = 32;
    let caughtMidWrite = 0;
    // The kill is sent once the third write's temp file exists, i.e. inside that write (open … fsync … rename takes
    // tens of ms for 32 MiB; the kill lands within one 2-ms poll). Up to three tries in case a rename wins the race.
    for (let attempt = 0; attempt < 3 && caughtMidWrite === 0; attempt++) {
      const target = join(dir, `artefact-${attempt}.bin`);
      const temps = () => readdirSync(dir).filter((f) => f.startsWith(`.artefact-${attempt}.bin.tmp-`));
      const run = await runChildUntilKilled((out) => /wrote 2\n/.test(out) && temps().length > 0, ["atomic-write", target, String(mib)], 2);
      assert.ok(run.killed, run.output);
      const bytes = readFileSync(target);
      assert.equal(bytes.length, mib * 2 ** 20, "the target is a complete file");
      assert.ok(bytes[0] >= 2 && bytes.every((b) => b === bytes[0]), `the target mixes writes (first byte ${bytes[0]})`);
      caughtMidWrite += temps().length;
    }
    assert.ok(caughtMidWrite > 0, "no kill landed inside a write in 3 tries");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("kill -9 during feature caching, then re-run: complete cache equal to an uninterrupted build", { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "psl-crash-features-"));
  try {
    const rows = writeToneClips(join(dir, "audio"), 24, 5, 1);
    writeFileSync(join(dir, "audio", "broken.wav"), "not audio");
    const manifest = join(dir, "audio", "all.tsv");
    writeFileSync(manifest, manifestText([...rows.slice(0, 12), { filename: "broken.wav", labels: [0], duration: 1 }, ...rows.slice(12)]));

    const reference = runChild("features", manifest, join(dir, "reference"));
    assert.equal(reference.status, 0, reference.stderr);
    assert.match(reference.stdout, /cached 24 skipped 1/);

    const cacheDir = join(dir, "killed");
    const run = await runChildUntilKilled((out) => /clip 9\n/.test(out), ["features", manifest, cacheDir]);
    assert.ok(run.killed, `the child was not killed mid-build:\n${run.output}`);
    // What a kill leaves must already be readable: the index lists only complete shards.
    const partial = openFeatureCache(cacheDir);
    assert.ok(partial.filenames.length > 0 && partial.filenames.length < 24, `${partial.filenames.length} clips cached before the kill`);
    for (const filename of partial.filenames) assert.equal(partial.readClip(filename).length, partial.clipFrames(filename) * 64);
    partial.close();

    const resumed = runChild("features", manifest, cacheDir);
    assert.equal(resumed.status, 0, resumed.stderr);
    assert.match(resumed.stdout, /cached 24 skipped 1/);
    const a = openFeatureCache(join(dir, "reference"));
    const b = openFeatureCache(cacheDir);
    assert.deepEqual([...b.filenames].sort(), [...a.filenames].sort());
    for (const filename of a.filenames) assert.deepEqual(b.readClip(filename), a.readClip(filename), `features differ for ${filename}`);
    assert.deepEqual(b.skipped.map((s) => s.filename), ["broken.wav"]);
    a.close();
    b.close();
    // Temp files a kill may leave (".<name>.tmp-<pid>-<n>") are never read; nothing else is partial.
    const strays = listFiles(cacheDir).filter((f) => !/\/(index\.json|shard-\d+\.bin)$/.test(f));
    assert.ok(strays.every((f) => /\/\.[^/]+\.tmp-\d+-\d+$/.test(f)), `unexpected files: ${strays.join(", ")}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("kill -9 during teacher training, then --resume: same weights as an uninterrupted run", { timeout: 240_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "psl-crash-teacher-"));
  try {
    writeSplitCorpus(dir, 10, 8, 6, 1);
    const training = { widthMult: 0.1, epochs: 2, patience: 5, batchSize: 2, checkpointEverySteps: 1 };
    const config = (cacheDir: string) => writeTinyConfig(dir, { backend: "cpu", teacher: training, cacheDir: join(dir, cacheDir) }, `${cacheDir}.json`);
    const full = runChild("psl", "train-teacher", "--config", config("cache-full"));
    assert.equal(full.status, 0, full.stderr);

    const killedConfig = config("cache-killed");
    const teacherDir = () => {
      const base = join(dir, "cache-killed", "teacher");
      if (!existsSync(base)) return undefined;
      const keys = readdirSync(base);
      return keys.length ? join(base, keys[0]) : undefined;
    };
    // Kill once the third step's checkpoint is being written or done (6 steps in all: 6 clips / batch 2 × 2 epochs).
    const run = await runChildUntilKilled(() => {
      const d = teacherDir();
      if (!d || !existsSync(join(d, "last.safetensors"))) return false;
      try {
        return (readLoopState(d)?.globalStep ?? 0) >= 3;
      } catch {
        return false; // mid-rename on a slow file system: look again
      }
    }, ["psl", "train-teacher", "--config", killedConfig]);
    assert.ok(run.killed, `the child was not killed mid-training:\n${run.output}`);
    const state = readLoopState(teacherDir()!)!;
    assert.ok(!state.finished && state.globalStep >= 3 && state.globalStep < 6, `killed at step ${state.globalStep}`);

    const resumed = runChild("psl", "train-teacher", "--config", killedConfig, "--resume");
    assert.equal(resumed.status, 0, resumed.stderr);
    const fullDir = join(dir, "cache-full", "teacher", readdirSync(join(dir, "cache-full", "teacher"))[0]);
    assert.equal(readdirSync(join(dir, "cache-full", "teacher"))[0], readdirSync(join(dir, "cache-killed", "teacher"))[0], "same cache key");
    for (const name of ["best.safetensors", "last.safetensors"]) {
      const a = loadCheckpoint(join(fullDir, name));
      const b = loadCheckpoint(join(teacherDir()!, name));
      for (const [key, value] of a.tensors) assert.deepEqual(b.tensors.get(key), value, `${name}: weights differ at ${key}`);
    }
    // The same history, except wall-clock seconds.
    const history = (d: string) => (JSON.parse(readFileSync(join(d, "history.json"), "utf8")) as Record<string, unknown>[]).map(({ seconds: _s, ...rest }) => rest);
    assert.deepEqual(history(teacherDir()!), history(fullDir));
    assert.equal(history(fullDir).length, 2);
    const strays = listFiles(teacherDir()!).filter((f) => /\.tmp-\d+-\d+$/.test(f));
    for (const f of strays) assert.ok(statSync(f).isFile()); // only ever temp files of the killed writer, never read
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
