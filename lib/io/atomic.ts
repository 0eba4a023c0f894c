/**
 * Crash-safe file writes: write to a temp file in the same folder, fsync, then rename over the target.
 * A reader (or a resumed run after `kill -9`) sees either the old file or the complete new one, never a torn write.
 * Every artefact the kit produces (checkpoints, PSL tables, caches, manifests, reports) goes through here.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";

let counter = 0;

/** Temp path next to `path` (same filesystem, so rename is atomic); unique per process and call. */
export function tempPathFor(path: string): string {
  counter += 1;
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${counter}`);
}

/** Writes `data` (or several chunks, in order) to `path` atomically, creating parent folders. */
export function writeFileAtomic(path: string, data: string | Uint8Array | ReadonlyArray<string | Uint8Array>): void {
  mkdirSync(dirname(path), { recursive: true });
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
    throw error;
  }
}

/** JSON with a trailing newline, written atomically. */
export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}
