/**
 * Scale-out of the feature step (`psl features --config <c> --shard i/n`, then `--merge`): decoding millions of clips
 * is embarrassingly parallel, like the annotation. Job i of n computes a contiguous slice of the experiment's clips
 * (every clip of every split once, in manifest order: `featureRows`) into its own complete cache under
 * `<cacheDir>/features/parts/part-<i>-of-<n>` — jobs never write the same file — and marks it finished with `done.json`.
 * `--merge` folds all n finished parts into `<cacheDir>/features` (lib/data mergeFeatureCaches), after which every
 * stage finds all features cached.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { UserError } from "../errors";
import { mergeFeatureCaches } from "../data/feature-cache";
import type { NamedDataset } from "../data/named-dataset";
import { writeJsonAtomic } from "../io/atomic";
import { withLock } from "../io/lock";
import { shardRange } from "./annotate";
import type { ExperimentConfig } from "./config";
import { buildFeatures, featureRows, resolveManifests, withFeaturesLock } from "./pipeline";

const PART = /^part-(\d+)-of-(\d+)$/;

export function featurePartsDir(config: ExperimentConfig): string {
  return join(config.cacheDir, "features", "parts");
}

export interface FeatureJobOptions {
  strict?: boolean;
  datasets?: readonly NamedDataset[];
  /** Wait for a lock another process holds (default), or fail naming it. */
  wait?: boolean;
  onWait?: (message: string) => void;
}

/**
 * Computes job `index` of `count`'s slice of the clips into its part cache (resumable, like any feature cache), under
 * the part's own lock (`<part>/.lock`: a retried job never writes beside a still-running one). Jobs take no lock of the
 * whole cache, so all n run at once.
 */
export async function buildFeatureSlice(config: ExperimentConfig, slice: { index: number; count: number }, options: FeatureJobOptions = {}): Promise<{ dir: string; clips: number; of: number; skipped: number }> {
  const rows = featureRows((await resolveManifests(config, options.datasets)).listed);
  const { start, end } = shardRange(rows.length, slice.index, slice.count);
  const dir = join(featurePartsDir(config), `part-${slice.index}-of-${slice.count}`);
  return withLock(join(dir, ".lock"), { what: `feature job ${slice.index}/${slice.count} in ${dir}`, wait: options.wait, onWait: options.onWait }, async () => {
    const cache = await buildFeatures(config, rows.slice(start, end), { strict: options.strict, dir });
    cache.close();
    writeJsonAtomic(join(dir, "done.json"), { first: start, end, clips: rows.length });
    return { dir, clips: end - start, of: rows.length, skipped: cache.skipped.length };
  });
}

/** Merges the finished parts of one `--shard i/n` run into the experiment's feature cache, holding the cache's lock. */
export function mergeFeatureSlices(config: ExperimentConfig, options: Pick<FeatureJobOptions, "wait" | "onWait"> = {}): Promise<{ clips: number; skipped: number; parts: number }> {
  return withFeaturesLock(config, options, () => mergeFinishedParts(config));
}

function mergeFinishedParts(config: ExperimentConfig): { clips: number; skipped: number; parts: number } {
  const partsDir = featurePartsDir(config);
  const names = existsSync(partsDir) ? readdirSync(partsDir).filter((n) => PART.test(n)) : [];
  if (names.length === 0) throw new UserError(`${partsDir}: no feature parts to merge (run psl features --config <config> --shard i/n first)`);
  const counts = new Set(names.map((n) => Number(PART.exec(n)![2])));
  if (counts.size !== 1) throw new UserError(`${partsDir}: parts of different job counts (${[...counts].map((c) => `of-${c}`).join(", ")}); keep one run's parts only`);
  const count = [...counts][0];
  const dirs = Array.from({ length: count }, (_, i) => join(partsDir, `part-${i}-of-${count}`));
  const missing = dirs.map((d, i) => (existsSync(join(d, "done.json")) ? -1 : i)).filter((i) => i >= 0);
  if (missing.length > 0) throw new UserError(`${partsDir}: ${missing.length} of ${count} feature jobs are not finished (--shard ${missing.slice(0, 10).map((i) => `${i}/${count}`).join(", ")}${missing.length > 10 ? ", …" : ""})`);
  return { ...mergeFeatureCaches(join(config.cacheDir, "features"), dirs), parts: count };
}
