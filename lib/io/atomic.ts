/**
 * Crash-safe file writes: write to a temp file in the same folder, fsync, then rename over the target.
 * A reader (or a resumed run after `kill -9`) sees either the old file or the complete new one, never a torn write.
 * Every artefact the kit produces (checkpoints, PSL tables, caches, manifests, reports) goes through here. The temp
 * files that a killed writer leaves behind are swept by the next process that writes into the same folder.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { UserError } from "../errors";

let counter = 0;

const TEMP_NAME = /^\..+\.tmp-(\d+)-\d+$/;
/** A temp file is only swept when its writer is gone and it is older than this (a shared cache on a network file system
 * may hold a live temp of a process on another host, whose pid means nothing here). */
export const STALE_TEMP_MS = 15 * 60 * 1000;
const sweptFolders = new Set<string>();

/** Whether a process with this pid exists on this host (signal 0 probes without signalling). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"; // exists, owned by someone else
  }
}

/**
 * Removes the temp files that killed writers left in `folder` (`kill -9` between open and rename): they are never read,
 * but a killed feature-cache build leaves up to a whole shard (64 MiB) each time. Done once per folder and process, on
 * the first atomic write there; returns the names removed.
 */
export function sweepStaleTemps(folder: string, now = Date.now()): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return removed;
  }
  for (const name of names) {
    const match = TEMP_NAME.exec(name);
    if (!match) continue;
    const pid = Number(match[1]);
    if (pid === process.pid || processAlive(pid)) continue;
    try {
      if (now - statSync(join(folder, name)).mtimeMs < STALE_TEMP_MS) continue;
      rmSync(join(folder, name), { force: true });
      removed.push(name);
    } catch {
      // gone already (another run swept it): nothing to do
    }
  }
  return removed;
}

/** Temp path next to `path` (same filesystem, so rename is atomic); unique per process and call. */
export function tempPathFor(path: string): string {
  counter += 1;
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${counter}`);
}

/** File-system conditions the user can fix (disk full, permissions, a file where a folder belongs), in words. */
const ENVIRONMENT_ERRORS: Record<string, string> = {
  ENOSPC: "no space left on the device",
  EDQUOT: "disk quota exceeded",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "read-only file system",
  ENOTDIR: "a parent path is a file, not a folder",
  EISDIR: "the path is a folder",
  ENOTEMPTY: "the path is a non-empty folder",
};

/** A write that failed for one of those reasons becomes a UserError naming the file (one line from the CLI, exit 2). */
export function explainWriteError(path: string, error: unknown, code = (error as NodeJS.ErrnoException)?.code): unknown {
  if (!code || !(code in ENVIRONMENT_ERRORS)) return error;
  return new UserError(`cannot write ${path}: ${ENVIRONMENT_ERRORS[code]} (${code}); the previous version, if any, is untouched`);
}

/** Creates the folder of `path` (and its parents); failures the user can fix are UserErrors naming `path`. */
export function makeParentFolder(path: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch (error) {
    // mkdir says EEXIST when a file stands where a parent folder belongs.
    const code = (error as NodeJS.ErrnoException)?.code;
    throw explainWriteError(path, error, code === "EEXIST" ? "ENOTDIR" : code);
  }
}

/**
 * Writes `data` (or several chunks, in order) to `path` atomically, creating parent folders. When the file system
 * refuses (disk full, permissions, …) the temp file is removed, the old file stays, and a UserError names `path`.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array | ReadonlyArray<string | Uint8Array>): void {
  makeParentFolder(path);
  if (!sweptFolders.has(dirname(path))) {
    sweptFolders.add(dirname(path));
    sweepStaleTemps(dirname(path));
  }
  const temp = tempPathFor(path);
  const chunks = typeof data === "string" || data instanceof Uint8Array ? [data] : data;
  let fd: number | undefined;
  try {
    fd = openSync(temp, "w");
    for (const chunk of chunks) {
      const bytes = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
      let written = 0;
      while (written < bytes.byteLength) written += writeSync(fd, bytes, written, bytes.byteLength - written);
    }
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, path);
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    rmSync(temp, { force: true });
    throw explainWriteError(path, error);
  }
}

/** JSON with a trailing newline, written atomically. */
export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}
