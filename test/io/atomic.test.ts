// Crash-safe writes (lib/io/atomic.ts): complete file or old file, never a torn one; killed writers' temps are swept.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { STALE_TEMP_MS, sweepStaleTemps, writeFileAtomic, writeJsonAtomic } from "../../lib/io/atomic";
import { UserError } from "../../lib/errors";

/** The pid of a process that has exited (so no process has it now, barring immediate reuse). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  return Number(child.stdout);
}

test("writes whole files in chunks, creates folders, replaces the old content", () => {
  const dir = mkdtempSync(join(tmpdir(), "psl-atomic-"));
  try {
    const path = join(dir, "a", "b", "table.bin");
    writeFileAtomic(path, ["head,", new Uint8Array([65, 66]), ",tail"]);
    assert.equal(readFileSync(path, "utf8"), "head,AB,tail");
    writeJsonAtomic(path, { x: 1 });
    assert.equal(readFileSync(path, "utf8"), '{\n  "x": 1\n}\n');
    assert.deepEqual(readdirSync(join(dir, "a", "b")), ["table.bin"], "no temp file left after success");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a failed write leaves the old file and no temp, and names the file and the reason", () => {
  const dir = mkdtempSync(join(tmpdir(), "psl-atomic-"));
  try {
    // The target is a non-empty folder: the rename fails after the temp was written (tests run as root, so
    // permissions cannot be used to make a write fail; disk-full takes the same path with ENOSPC).
    mkdirSync(join(dir, "taken", "inside"), { recursive: true });
    assert.throws(() => writeFileAtomic(join(dir, "taken"), "data"), (error: unknown) => {
      assert.ok(error instanceof UserError);
      assert.match(error.message, /^cannot write .*taken: the path is a (non-empty )?folder \((EISDIR|ENOTEMPTY)\); the previous version, if any, is untouched$/);
      return true;
    });
    assert.deepEqual(readdirSync(dir), ["taken"]);
    // A file where a parent folder belongs: mkdir fails, nothing is written, the file is unchanged.
    writeFileSync(join(dir, "cache"), "old");
    assert.throws(() => writeJsonAtomic(join(dir, "cache", "index.json"), {}), /^UserError: cannot write .*cache\/index\.json: a parent path is a file, not a folder \((ENOTDIR|EEXIST)\)/);
    assert.equal(readFileSync(join(dir, "cache"), "utf8"), "old");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("temps of killed writers are swept once stale; live writers' and fresh ones are kept", () => {
  const dir = mkdtempSync(join(tmpdir(), "psl-atomic-"));
  try {
    const dead = deadPid();
    const old = (Date.now() - STALE_TEMP_MS - 60_000) / 1000;
    const files = {
      killed: `.shard-3.bin.tmp-${dead}-7`,
      killedFresh: `.index.json.tmp-${dead}-8`,
      live: `.last.safetensors.tmp-${process.ppid}-2`,
      other: "notes.tmp-1-1",
    };
    for (const name of Object.values(files)) writeFileSync(join(dir, name), "x");
    for (const name of [files.killed, files.live, files.other]) utimesSync(join(dir, name), old, old);
    assert.deepEqual(sweepStaleTemps(dir), [files.killed]);
    assert.ok(!existsSync(join(dir, files.killed)));
    for (const name of [files.killedFresh, files.live, files.other]) assert.ok(existsSync(join(dir, name)), name);
    // writeFileAtomic sweeps a folder on its first write there (the fresh temp becomes stale later).
    utimesSync(join(dir, files.killedFresh), old, old);
    writeFileAtomic(join(dir, "index.json"), "{}");
    assert.ok(!existsSync(join(dir, files.killedFresh)), "swept on the first write into the folder");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
