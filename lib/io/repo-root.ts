/**
 * The repository root, found once for everything that reads or writes inside the checkout (class lists, demo source
 * list, caches, reports, benchmark scripts): the nearest folder above this module that holds `data-manifests/`.
 * Walking up, rather than a fixed "../..", gives the same answer from the TypeScript sources (lib/io) and from the
 * compiled library (lib/dist/io), which sit at different depths.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";

/** The nearest ancestor of `from` holding data-manifests/, or undefined outside a checkout. */
export function findRepoRoot(from: string = __dirname): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "data-manifests"))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/** The repository root; the working directory when the library runs outside a checkout. */
export function repoRoot(): string {
  return findRepoRoot() ?? process.cwd();
}

/** A path inside the repository, e.g. `repoPath("data-manifests", "audioset", "class_labels_indices.csv")`. */
export function repoPath(...parts: string[]): string {
  return join(repoRoot(), ...parts);
}
