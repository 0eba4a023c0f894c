/**
 * "Is this output one of my inputs?" — asked by every command before it does any work, so that `psl features x.wav
 * --out x.wav` or `psl predict a.wav --checkpoint m.pt --out m.pt` stops with a message instead of replacing the input
 * (atomic writes make the replacement clean, which is exactly why it went unnoticed).
 *
 * Two paths are the same file when they resolve to the same real path (symbolic links and `..` resolved; for an
 * output that does not exist yet, its deepest existing folder is resolved), or when both exist and share device and
 * inode (hard links).
 */
import { realpathSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { UserError } from "../errors";

/** The real path of `path`, resolving links through its deepest existing ancestor when it does not exist (yet). */
export function realPathOf(path: string): string {
  const absolute = resolve(path);
  try {
    return realpathSync(absolute);
  } catch {
    const parent = dirname(absolute);
    return parent === absolute ? absolute : join(realPathOf(parent), basename(absolute));
  }
}

function inodeOf(path: string): string | undefined {
  try {
    const stat = statSync(path);
    return `${stat.dev}:${stat.ino}`;
  } catch {
    return undefined;
  }
}

/** Whether `a` and `b` name the same file (see the file comment). */
export function isSameFile(a: string, b: string): boolean {
  if (realPathOf(a) === realPathOf(b)) return true;
  const inodeA = inodeOf(a);
  return inodeA !== undefined && inodeA === inodeOf(b);
}

/** Whether `path` lies inside the folder `folder` (both resolved as in `realPathOf`). */
export function isInsideFolder(path: string, folder: string): boolean {
  const inner = realPathOf(path);
  const outer = realPathOf(folder);
  return inner === outer || inner.startsWith(outer.endsWith("/") ? outer : `${outer}/`);
}

export interface NamedPath {
  /** What the path is to the command, e.g. "--out", "audio file", "data.eval". */
  what: string;
  path: string;
}

/**
 * Throws a UserError naming both when an output is the same file as an input, or when two outputs are one file (the
 * second write would destroy the first). Call it before any work.
 */
export function refuseOutputsOverInputs(inputs: readonly NamedPath[], outputs: readonly NamedPath[]): void {
  outputs.forEach((output, i) => {
    for (const input of inputs) {
      if (isSameFile(output.path, input.path)) {
        throw new UserError(`${output.what} ${output.path} is the same file as the ${input.what} ${input.path}: writing it would destroy the input; choose another output path`);
      }
    }
    for (const other of outputs.slice(0, i)) {
      if (isSameFile(output.path, other.path)) throw new UserError(`${output.what} ${output.path} and ${other.what} ${other.path} are the same file: choose two different output paths`);
    }
  });
}
