/**
 * Stage locks (lib/io/lock.ts) in one process: exclusive, waiting or failing with the lock named, stale locks taken
 * over (dead pid, reused pid, a lock file its writer never filled), other hosts' locks respected. The same with two
 * real processes on one cache: test/robustness/two-processes.test.ts.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { UserError } from "../../lib/errors";
import { ownerGone, processStartTime, withLock, type LockOwner } from "../../lib/io/lock";

const dir = mkdtempSync(join(tmpdir(), "psl-lock-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));

/** The pid of a process that has exited (and cannot be running any more). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  return Number(child.stdout);
}

function owner(fields: Partial<LockOwner>): LockOwner {
  return { pid: process.pid, host: hostname(), since: new Date().toISOString(), what: "a test", token: "t", processStart: processStartTime(process.pid), ...fields };
}

test("one holder at a time: a second caller waits for the first and runs after it; the lock is removed after", async () => {
  const path = join(dir, "a", ".lock");
  const order: string[] = [];
  let releaseFirst!: () => void;
  const firstHolds = new Promise<void>((resolve) => (releaseFirst = resolve));
  const notices: string[] = [];
  const first = withLock(path, { what: "stage A" }, async () => {
    order.push("first in");
    await firstHolds;
    order.push("first out");
  });
  await new Promise((resolve) => setTimeout(resolve, 20));
  const second = withLock(path, { what: "stage A", pollMs: 10, onWait: (m) => notices.push(m) }, () => order.push("second"));
  await new Promise((resolve) => setTimeout(resolve, 60));
  assert.deepEqual(order, ["first in"], "the second waits");
  assert.match(notices[0], new RegExp(`stage A: waiting for another process \\(lock .*\\.lock, held by pid ${process.pid} on ${hostname()} since .* \\(stage A\\)\\)`));
  releaseFirst();
  await Promise.all([first, second]);
  assert.deepEqual(order, ["first in", "first out", "second"]);
  assert.ok(!existsSync(path), "released");
  // An error inside releases too.
  await assert.rejects(withLock(path, { what: "stage A" }, () => {
    throw new Error("boom");
  }), /boom/);
  assert.ok(!existsSync(path));
});

test("wait: false fails at once, naming the lock and its owner", async () => {
  const path = join(dir, "b", ".lock");
  await withLock(path, { what: "teacher training in x" }, async () => {
    await assert.rejects(withLock(path, { what: "teacher training in x", wait: false }, () => 0), (e: unknown) => {
      assert.ok(e instanceof UserError);
      assert.match(e.message, new RegExp(`^teacher training in x: another process is computing it \\(lock ${path.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}, held by pid ${process.pid} on `));
      return true;
    });
  });
});

test("stale locks are taken over: a dead pid, a reused pid, an empty lock left by a killed writer", async () => {
  const path = join(dir, "c", ".lock");
  const notices: string[] = [];
  const dead = owner({ pid: deadPid() });
  assert.ok(ownerGone(dead));
  await withLock(path, { what: "x" }, () => 0); // creates the folder
  writeFileSync(path, JSON.stringify(dead));
  assert.equal(await withLock(path, { what: "x", onWait: (m) => notices.push(m) }, () => "ran"), "ran");
  assert.match(notices[0], new RegExp(`took over the stale lock .*held by pid ${dead.pid} .*: that process is gone`));

  // Our own pid, but recorded with another start time: the pid was reused by a different process.
  if (processStartTime(process.pid) !== undefined) {
    const reused = owner({ processStart: "1" });
    assert.ok(ownerGone(reused));
    writeFileSync(path, JSON.stringify(reused));
    assert.equal(await withLock(path, { what: "x" }, () => "ran"), "ran");
  }
  assert.ok(!ownerGone(owner({})), "this very process is not gone");

  // A lock file created but never written (its writer killed in between): stale once it is old.
  writeFileSync(path, "");
  const old = new Date(Date.now() - 60_000);
  utimesSync(path, old, old);
  assert.equal(await withLock(path, { what: "x" }, () => "ran"), "ran");
});

test("a lock from another host is never taken over: the message says which file to remove", async () => {
  const path = join(dir, "d", ".lock");
  await withLock(path, { what: "x" }, () => 0);
  const foreign = owner({ host: `not-${hostname()}`, pid: deadPid() });
  assert.ok(!ownerGone(foreign), "a pid on another host cannot be checked");
  writeFileSync(path, JSON.stringify(foreign));
  await assert.rejects(withLock(path, { what: "annotation in y", wait: false }, () => 0), new RegExp(`on not-${hostname()} .*; if that process is gone, remove ${path.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}`));
  assert.equal(JSON.parse(readFileSync(path, "utf8")).host, `not-${hostname()}`, "left in place");
});
