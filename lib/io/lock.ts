/**
 * A lock file per cached artefact, so that two processes on one cache folder (two notebooks in Jupyter, a notebook and
 * the CLI) never compute and write the same stage at once: the second waits until the first is done and then re-uses
 * its result, or, when asked not to wait, fails with a message naming the lock.
 *
 * The lock is `<folder>/.lock`, created with O_EXCL (exactly one creator wins), holding the owner's pid, host, start
 * time and a random token. A lock whose owner is gone is stale and taken over: on the same host the owner is gone when
 * its pid is not running, or runs a different process (the kernel's start time of that pid differs: pids are reused).
 * A lock from another host (a cache on a network file system) cannot be checked and is never taken over: the message
 * says which file to remove. Taking over is itself guarded by a second O_EXCL file, so two waiters that both find the
 * lock stale cannot both remove it (one could otherwise delete the other's fresh lock).
 * A process that exits normally (or with an error) removes its locks; `kill -9` leaves them, stale.
 */
import { randomBytes } from "node:crypto";
import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { UserError } from "../errors";
import { explainWriteError, makeParentFolder, processAlive } from "./atomic";

export interface LockOwner {
  pid: number;
  host: string;
  /** The kernel's start time of the owner process (Linux /proc), to tell a reused pid from the owner. */
  processStart?: string;
  /** When the lock was taken (ISO time). */
  since: string;
  /** What the owner is doing, for the waiting message. */
  what: string;
  token: string;
}

export interface LockOptions {
  /** What the lock protects, in words ("teacher training in <dir>"). */
  what: string;
  /** Wait for a busy lock (default), or fail at once with a UserError naming it. */
  wait?: boolean;
  /** Poll interval while waiting (default 500 ms). */
  pollMs?: number;
  /** Called when waiting starts and then every `noticeMs` (default 60 s) while it lasts. */
  onWait?: (message: string) => void;
  noticeMs?: number;
}

/** A guard older than this belongs to a taker killed between its two file operations. */
const STALE_GUARD_MS = 30_000;
/** A lock file still empty after this long was created by a process killed before it wrote its owner. */
const EMPTY_LOCK_MS = 10_000;

/** The start time of process `pid` in clock ticks since boot (field 22 of /proc/<pid>/stat), where there is a /proc. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may contain spaces and parentheses) start at field 3.
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

/** Whether the owner recorded in a lock is certainly gone (only knowable on this host). */
export function ownerGone(owner: LockOwner): boolean {
  if (owner.host !== hostname()) return false;
  if (!processAlive(owner.pid)) return true;
  const start = processStartTime(owner.pid);
  return owner.processStart !== undefined && start !== undefined && start !== owner.processStart;
}

function readOwner(path: string): { owner?: LockOwner; text: string; ageMs: number } | undefined {
  try {
    const ageMs = Date.now() - statSync(path).mtimeMs;
    const text = readFileSync(path, "utf8");
    try {
      return { owner: JSON.parse(text) as LockOwner, text, ageMs };
    } catch {
      return { text, ageMs }; // being written right now, or its writer was killed before writing
    }
  } catch {
    return undefined; // released in between
  }
}

const held = new Map<string, string>();
let exitHookInstalled = false;

function releaseLock(path: string): void {
  const token = held.get(path);
  held.delete(path);
  if (token === undefined) return;
  const current = readOwner(path);
  if (current?.owner?.token === token) {
    try {
      unlinkSync(path);
    } catch {
      // already gone
    }
  }
}

function tryCreate(path: string, what: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, "wx");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw explainWriteError(path, error);
  }
  const owner: LockOwner = { pid: process.pid, host: hostname(), processStart: processStartTime(process.pid), since: new Date().toISOString(), what, token: randomBytes(8).toString("hex") };
  try {
    writeSync(fd, JSON.stringify(owner));
  } finally {
    closeSync(fd);
  }
  held.set(path, owner.token);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on("exit", () => {
      for (const lock of [...held.keys()]) releaseLock(lock);
    });
  }
  return true;
}

/** Removes the stale lock `seen` (by its exact content) under a take-over guard; false when another process is at it. */
function takeOver(path: string, seen: string): boolean {
  const guard = `${path}.takeover`;
  let fd: number;
  try {
    fd = openSync(guard, "wx");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    try {
      if (Date.now() - statSync(guard).mtimeMs > STALE_GUARD_MS) unlinkSync(guard);
    } catch {
      // released in between
    }
    return false;
  }
  closeSync(fd);
  try {
    const now = readOwner(path);
    if (now && now.text === seen) unlinkSync(path);
    return true;
  } finally {
    unlinkSync(guard);
  }
}

function describeOwner(path: string, owner: LockOwner | undefined): string {
  if (!owner) return `lock ${path}`;
  return `lock ${path}, held by pid ${owner.pid} on ${owner.host} since ${owner.since}${owner.what ? ` (${owner.what})` : ""}`;
}

/**
 * Runs `fn` holding the lock file `path` (its folder is created). While another live process holds it, waits (polling)
 * or, with `wait: false`, throws a UserError naming the lock and its owner.
 */
export async function withLock<T>(path: string, options: LockOptions, fn: () => T | Promise<T>): Promise<T> {
  makeParentFolder(path);
  const pollMs = options.pollMs ?? 500;
  const noticeMs = options.noticeMs ?? 60_000;
  let waitingSince: number | undefined;
  let lastNotice = 0;
  while (!tryCreate(path, options.what)) {
    const current = readOwner(path);
    if (!current) continue; // released between our attempt and the read: try again at once
    const stale = current.owner ? ownerGone(current.owner) : current.ageMs > EMPTY_LOCK_MS;
    if (stale) {
      if (takeOver(path, current.text)) {
        options.onWait?.(`took over the stale ${describeOwner(path, current.owner)}: that process is gone`);
        continue;
      }
    } else {
      const who = describeOwner(path, current.owner);
      const remedy = current.owner && current.owner.host !== hostname() ? `; if that process is gone, remove ${path}` : "";
      if (options.wait === false) throw new UserError(`${options.what}: another process is computing it (${who})${remedy}`);
      const now = Date.now();
      if (waitingSince === undefined) waitingSince = now;
      if (now - lastNotice >= noticeMs) {
        lastNotice = now;
        options.onWait?.(`${options.what}: waiting for another process (${who})${remedy}`);
      }
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  try {
    return await fn();
  } finally {
    releaseLock(path);
  }
}
