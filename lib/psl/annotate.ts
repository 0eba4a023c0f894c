/**
 * Offline annotation — the pseudo strong labels. The teacher scores every chunk of every clip once; the result is the
 * PSL table (lib/psl/table.ts). Clips are processed in shards written atomically (`shards/shard-00000.arrow`), so an
 * interrupted run (even one killed with SIGKILL) resumes at the first missing shard; the merged `psl.arrow` + readable
 * `psl-top.tsv` are written last, then `done.json`, which alone marks the annotation finished.
 * A shard is a pure function of the annotation's cache key (teacher, clips, chunk and hop), so finished shards are
 * re-used by every later run, with or without --resume. The one thing they also depend on is their layout
 * (`shardClips`, which is not in the key since it changes no score): `shards/layout.json` records it.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { MobileNetV2 } from "../model/mobilenetv2";
import { predictClips } from "../model/predict";
import { createProgress } from "../report/progress";
import { writeJsonAtomic } from "../io/atomic";
import { chunkRanges, inputFramesFor } from "./chunking";
import { padToLength, type FeatureSource } from "./features";
import { concatTables, readPslTable, writePslTable, writePslTableTsv, type PslTable } from "./table";

export interface AnnotateRow {
  filename: string;
  labels: readonly number[];
  duration: number;
}

export interface AnnotateOptions {
  chunkSeconds: number;
  hopSeconds: number;
  /** Chunks after a clip's first shorter than this are dropped (default 0: none). */
  minChunkSeconds?: number;
  /**
   * The length every chunk is padded to before the teacher scores it, the student's input length (lib/psl/chunking.ts).
   * Default: computed from `rows`; annotateToDir computes it once over all rows, so that every shard pads alike.
   */
  inputFrames?: number;
  /** Clips per shard (resume granularity). */
  shardClips?: number;
  /** Chunks per teacher forward pass. */
  batchSize?: number;
  classNames?: readonly string[];
  /** Test hook simulating a kill: stop (throw) after this many shards of this call. */
  abortAfterShards?: number;
}

/** Teacher probabilities for every chunk of `rows` (clip indices offset by `firstClip`). */
export function annotateClips(teacher: MobileNetV2, rows: readonly AnnotateRow[], features: FeatureSource, options: AnnotateOptions, firstClip = 0): PslTable {
  const C = teacher.config.numClasses;
  const filenames: string[] = [];
  const clip: number[] = [];
  const chunk: number[] = [];
  const from: number[] = [];
  const to: number[] = [];
  const weak: (readonly number[])[] = [];
  const chunking = { chunkSeconds: options.chunkSeconds, hopSeconds: options.hopSeconds, minChunkSeconds: options.minChunkSeconds ?? 0 };
  const ranges = chunkRanges(rows, features, chunking);
  const inputFrames = options.inputFrames ?? inputFramesFor(chunking, ranges);
  // Every chunk padded to the student's input length: the teacher scores exactly what the student will see.
  const inputs = ranges.map((c) => ({ data: padToLength([features.readFrames(c.filename, c.start, c.end)], inputFrames), frames: inputFrames }));
  for (const c of ranges) {
    filenames.push(c.filename);
    clip.push(firstClip + c.row);
    chunk.push(c.index);
    from.push(c.from);
    to.push(c.to);
    weak.push(rows[c.row].labels);
  }
  const scores = predictClips(teacher, inputs, { batchSize: options.batchSize ?? 32 });
  const probs = new Float32Array(scores.length * C);
  scores.forEach((s, r) => probs.set(s, r * C));
  return {
    numClasses: C,
    filenames,
    clipIndex: Int32Array.from(clip),
    chunkIndex: Int32Array.from(chunk),
    from: Float32Array.from(from),
    to: Float32Array.from(to),
    weak,
    probs,
  };
}

export class AnnotationAborted extends Error {}

const SHARD_FILE = /^shard-\d{5}\.arrow$/;

/**
 * Makes `shardsDir` hold only shards of this layout. Shard s covers clips [s·shardClips, (s+1)·shardClips): a run
 * resumed with another shardClips would find the old shards under the same names but covering other clips, and
 * silently drop clips from the table (seen: 7 clips, killed with shardClips 1, resumed with 2 → clips 3–5 missing).
 * So shards of another (or an unrecorded) layout are deleted first, and only then is the new layout recorded: a kill
 * in between leaves the old layout.json, and the next run deletes the rest.
 */
function prepareShardLayout(shardsDir: string, layout: { shardClips: number; clips: number }): void {
  mkdirSync(shardsDir, { recursive: true });
  const layoutPath = join(shardsDir, "layout.json");
  let recorded: unknown;
  try {
    recorded = JSON.parse(readFileSync(layoutPath, "utf8"));
  } catch {
    recorded = undefined; // missing (a first run, or shards of an older version) or unreadable: start the shards over
  }
  const same = typeof recorded === "object" && recorded !== null && (recorded as typeof layout).shardClips === layout.shardClips && (recorded as typeof layout).clips === layout.clips;
  if (same) return;
  for (const name of readdirSync(shardsDir)) if (SHARD_FILE.test(name)) rmSync(join(shardsDir, name), { force: true });
  writeJsonAtomic(layoutPath, layout);
}

/**
 * Annotates all rows into `<dir>/psl.arrow` (+ `psl-top.tsv`), resuming from finished shards. Returns the table.
 * When `psl.arrow` already exists (a finished annotation), it is read back without running the teacher.
 */
export function annotateToDir(teacher: MobileNetV2, rows: readonly AnnotateRow[], features: FeatureSource, dir: string, options: AnnotateOptions): { table: PslTable; path: string; tsv: string } {
  const path = join(dir, "psl.arrow");
  const tsv = join(dir, "psl-top.tsv");
  if (existsSync(path) && existsSync(join(dir, "done.json"))) return { table: readPslTable(path), path, tsv };
  const shardClips = options.shardClips ?? 256;
  const shards = Math.ceil(rows.length / shardClips);
  // One input length for all shards (a shard of short clips alone would pad less).
  const chunking = { chunkSeconds: options.chunkSeconds, hopSeconds: options.hopSeconds, minChunkSeconds: options.minChunkSeconds ?? 0 };
  const shardOptions = { ...options, inputFrames: options.inputFrames ?? inputFramesFor(chunking, chunkRanges(rows, features, chunking)) };
  prepareShardLayout(join(dir, "shards"), { shardClips, clips: rows.length });
  const progress = createProgress({ label: "annotate", total: rows.length, unit: "clips" });
  const tables: PslTable[] = [];
  let written = 0;
  for (let s = 0; s < shards; s += 1) {
    const shardPath = join(dir, "shards", `shard-${String(s).padStart(5, "0")}.arrow`);
    const first = s * shardClips;
    const slice = rows.slice(first, first + shardClips);
    if (existsSync(shardPath)) {
      tables.push(readPslTable(shardPath));
    } else {
      if (options.abortAfterShards !== undefined && written >= options.abortAfterShards) {
        progress.done();
        throw new AnnotationAborted(`annotation aborted after ${written} shards (test hook)`);
      }
      const table = annotateClips(teacher, slice, features, shardOptions, first);
      writePslTable(shardPath, table);
      tables.push(table);
      written += 1;
    }
    progress.tick(slice.length);
  }
  progress.done();
  const table = concatTables(tables, teacher.config.numClasses);
  writePslTable(path, table);
  writePslTableTsv(tsv, table, { classNames: options.classNames });
  writeJsonAtomic(join(dir, "done.json"), { rows: table.filenames.length, clips: rows.length, shards });
  return { table, path, tsv };
}
