/**
 * Artefact caching keyed by exactly the parameters that decide an artefact's content, so that a change re-uses
 * everything upstream of it:
 *   teacher    = hash(teacher training data, teacher settings, numClasses, seed)          — or of the pretrained file
 *   annotation = hash(teacher key, annotated data, chunkSeconds, hopSeconds)               — thresholds are not in it:
 *                targets are computed on the fly from the table (lib/psl/targets.ts)
 *   student    = hash(annotation key or "online"/"weak", target options, alpha, student settings, data, seed)
 * Changing a threshold re-uses the annotation; changing the chunk size re-uses the teacher. Settings that do not change
 * the result (progress, checkpoint interval, worker count, cache folder) are left out of the keys.
 * Artefacts live under `<cacheDir>/<stage>/<key>/` with a `params.json` saying what the key stands for.
 */
import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { writeJsonAtomic } from "../io/atomic";

/** JSON with object keys sorted, so equal parameters always hash (and compare) equal. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

/** 16 hex digits of SHA-256 over the canonical JSON. */
function hashParams(params: unknown): string {
  return createHash("sha256").update(canonicalJson(params)).digest("hex").slice(0, 16);
}

/**
 * Identity of a data file (manifest, checkpoint): its content hash (manifests are small) or, for large files, size +
 * mtime + path — re-downloading the same teacher gives a new key, which only costs a re-annotation.
 */
export function fileFingerprint(path: string): string {
  const stat = statSync(path);
  if (stat.size <= 64 * 1024 * 1024) return createHash("sha256").update(readFileSync(path)).digest("hex").slice(0, 16);
  return hashParams({ path, size: stat.size, mtime: stat.mtimeMs });
}

/** Identity of in-memory manifest rows (filenames, labels, durations). */
export function rowsFingerprint(rows: readonly { filename: string; labels: readonly number[]; duration: number }[]): string {
  const hash = createHash("sha256");
  for (const row of rows) hash.update(`${row.filename}\t${row.labels.join(";")}\t${row.duration}\n`);
  return hash.digest("hex").slice(0, 16);
}

export type CacheStage = "teacher" | "annotation" | "student";

/** The artefact folder of a stage for these parameters; writes params.json there (for humans) once. */
export function artefactDir(cacheDir: string, stage: CacheStage, params: Record<string, unknown>): { key: string; dir: string } {
  const key = hashParams({ stage, ...params });
  const dir = join(cacheDir, stage, key);
  writeJsonAtomic(join(dir, "params.json"), { stage, key, ...params });
  return { key, dir };
}
