/**
 * Two processes, one cache (issue 14): a second `psl train-teacher` on the cache folder a first one is training in
 * waits for it and re-uses its teacher (training it once), or with --no-wait fails naming the lock; a lock left by a
 * process killed with SIGKILL is taken over. The first process is paused (SIGSTOP) while it holds the lock, so the
 * overlap does not depend on timing.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runChild } from "./child";
import { writeSplitCorpus, writeTinyConfig } from "./corpus";

const CHILD = join(__dirname, "crash-child.ts");

interface Running {
  child: ChildProcess;
  output: () => string;
  exit: Promise<number | null>;
}

function start(...args: string[]): Running {
  const child = spawn(process.execPath, ["--import", "tsx", CHILD, "psl", ...args], { env: { ...process.env, PSL_BACKEND: "" } });
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output: () => output, exit };
}

async function until(condition: () => boolean, what: string, timeoutMs = 120_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The teacher's lock file under `cache`, once it exists and names its owner (written just after it is created). */
function teacherLock(cache: string): string | undefined {
  const base = join(cache, "teacher");
  if (!existsSync(base)) return undefined;
  const keys = readdirSync(base);
  const path = keys.length ? join(base, keys[0], ".lock") : undefined;
  try {
    return path && JSON.parse(readFileSync(path, "utf8")).pid ? path : undefined;
  } catch {
    return undefined;
  }
}

test("two processes on one cache: the second waits and re-uses, or fails naming the lock; a killed holder's lock is taken over", { timeout: 300_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "psl-two-processes-"));
  const running: Running[] = [];
  try {
    writeSplitCorpus(dir, 10, 8, 9, 1);
    const config = writeTinyConfig(dir, { teacher: { widthMult: 0.1, epochs: 2, patience: 5, batchSize: 2, checkpointEverySteps: 1 } });
    const cache = join(dir, "cache");

    const first = start("train-teacher", "--config", config);
    running.push(first);
    await until(() => teacherLock(cache) !== undefined, "the first process to take the teacher's lock");
    first.child.kill("SIGSTOP"); // holds the lock, alive, not progressing
    const lock = teacherLock(cache)!;
    const holder = JSON.parse(readFileSync(lock, "utf8"));
    assert.equal(holder.pid, first.child.pid);

    const refused = runChild("psl", "train-teacher", "--config", config, "--no-wait");
    assert.equal(refused.status, 2, refused.stderr);
    assert.match(refused.stderr, new RegExp(`psl train-teacher: teacher training in .*: another process is computing it \\(lock .*\\.lock, held by pid ${first.child.pid} on .* since .*\\)`));

    const second = start("train-teacher", "--config", config);
    running.push(second);
    await until(() => /teacher training in .*: waiting for another process \(lock/.test(second.output()), "the second process to wait");
    first.child.kill("SIGCONT");
    assert.equal(await first.exit, 0, first.output());
    assert.equal(await second.exit, 0, second.output());
    assert.match(second.output(), /teacher: cached /, "the second re-uses the first's teacher");
    assert.doesNotMatch(second.output(), /teacher: training in/);
    assert.equal(JSON.parse(readFileSync(join(lock, "..", "history.json"), "utf8")).length, 2, "trained once: two epochs");
    assert.ok(!existsSync(lock), "the lock is gone after both");

    // A holder killed with SIGKILL leaves its lock: the next run takes it over and trains (resuming its checkpoint).
    const killedCache = join(dir, "cache-killed");
    const killed = start("train-teacher", "--config", config, "--set", `cacheDir=${killedCache}`);
    running.push(killed);
    await until(() => teacherLock(killedCache) !== undefined, "the third process to take its lock");
    killed.child.kill("SIGKILL");
    await killed.exit;
    assert.ok(teacherLock(killedCache), "a killed holder leaves its lock");
    const next = runChild("psl", "train-teacher", "--config", config, "--set", `cacheDir=${killedCache}`, "--resume");
    assert.equal(next.status, 0, next.stderr);
    assert.match(next.stderr, new RegExp(`took over the stale lock .*held by pid ${killed.child.pid} .*: that process is gone`));
    assert.match(next.stderr, /teacher: training in/);
    assert.ok(!teacherLock(killedCache));
  } finally {
    for (const r of running) if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }
});
