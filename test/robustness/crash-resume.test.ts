/**
 * Crash safety: a child process is killed with SIGKILL (no cleanup, no signal handler) while (a) building the feature
 * cache and (b) training the teacher; the same command, re-run with --resume, must finish with no corrupt or partial
 * file in the way and the same result as an uninterrupted run with the same seed.
 * Training runs on the cpu backend: it is deterministic from a process's first step, so runs in different processes
 * compare bit for bit (see README "Determinism" for wasm).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openFeatureCache } from "../../lib/data/feature-cache";
import { loadCheckpoint } from "../../lib/model/checkpoint";
import { readLoopState } from "../../lib/psl/loop";
import { manifestText, writeTinyConfig, writeToneClips } from "./corpus";

const CHILD = join(__dirname, "crash-child.ts");
const childArgs = (...args: string[]) => ["--import", "tsx", CHILD, ...args];

function runChild(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, childArgs(...args), { encoding: "utf8", env: { ...process.env, PSL_BACKEND: "" } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Starts the child and SIGKILLs it as soon as `killWhen` holds (checked on every output chunk and every 20 ms). */
function runChildUntilKilled(killWhen: (output: string) => boolean, ...args: string[]): Promise<{ killed: boolean; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, childArgs(...args), { env: { ...process.env, PSL_BACKEND: "" } });
    let output = "";
    let killed = false;
    const check = () => {
      if (!killed && killWhen(output)) {
        killed = true;
        child.kill("SIGKILL");
      }
    };
    const timer = setInterval(check, 20);
    child.stdout.on("data", (d) => ((output += d), check()));
    child.stderr.on("data", (d) => ((output += d), check()));
    child.on("error", reject);
    child.on("exit", (_code, signal) => {
      clearInterval(timer);
      resolve({ killed: killed && signal === "SIGKILL", output });
    });
  });
}

/** Every file under `dir`, recursively. */
function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name)) : [join(dir, e.name)]));
}

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
    const run = await runChildUntilKilled((out) => /clip 9\n/.test(out), "features", manifest, cacheDir);
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
    const rows = writeToneClips(dir, 10, 6, 1);
    writeFileSync(join(dir, "train.tsv"), manifestText(rows.slice(0, 8)));
    writeFileSync(join(dir, "eval.tsv"), manifestText(rows.slice(8)));
    const training = { widthMult: 0.1, epochs: 2, patience: 5, batchSize: 2, checkpointEverySteps: 1 };
    const config = (cacheDir: string) => {
      const path = writeTinyConfig(dir, { backend: "cpu", teacher: training, cacheDir: join(dir, cacheDir) });
      const copy = join(dir, `${cacheDir}.json`);
      writeFileSync(copy, readFileSync(path));
      return copy;
    };
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
    }, "psl", "train-teacher", "--config", killedConfig);
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
