/**
 * Offline annotation — the pseudo strong labels. The teacher scores every chunk of every clip once; the result is the
 * PSL table (lib/psl/table.ts). Clips are processed in shards written atomically (`shards/shard-00000.arrow`), so an
 * interrupted run (even one killed with SIGKILL) resumes at the first missing shard; the merged `psl.arrow` + readable
 * `psl-top.tsv` are written last, then `done.json`, which alone marks the annotation finished.
 * A shard is a pure function of the annotation's cache key (teacher, clips, chunk and hop), so finished shards are
 * re-used by every later run, with or without --resume. The one thing they also depend on is their layout
 * (`shardClips`, which is not in the key since it changes no score): `shards/layout.json` records it.
 *
 * Scale-out: the same shards are the unit of work across machines. `slice: {index, count}` computes only the
 * contiguous run of shards `shardRange` assigns to job `index` of `count` (any job order, any machine sharing the
 * folder), and `merge` assembles the finished shards into exactly the files a single run writes: a single run also
 * concatenates its shards in order, and a shard's content does not depend on which process computed it (the input
 * length every chunk is padded to is computed from all rows in every job). Results are read back asynchronously
 * (lib/model predictClipsAsync), so annotation runs on every backend, webgpu included.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { UserError } from "../errors";
import type { MobileNetV2 } from "../model/mobilenetv2";
import { predictClipsAsync } from "../model/predict";
import { withFoldedModel } from "../engine/infer";
import { createProgress } from "../report/progress";
import { writeJsonAtomic } from "../io/atomic";
import { withLock } from "../io/lock";
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
  /** Compute only job `index`'s share (0-based) of `count` jobs; the table is written by a later `merge`. */
  slice?: { index: number; count: number };
  /** Assemble the finished shards of all jobs into the table (computes nothing; every shard must exist). */
  merge?: boolean;
  /**
   * Each shard is computed under its own lock (`shards/shard-<s>.lock`), so that any processes sharing the folder (the
   * n jobs of a scale-out, a retried job, a plain run) never compute the same shard at once; a process that finds a
   * shard locked waits and then re-uses it, or with `wait: false` fails naming the lock. The whole-annotation stage
   * lock is the caller's (lib/psl/pipeline.ts takes it for plain runs and merges, not for slice jobs).
   */
  shardLocks?: { wait?: boolean; onWait?: (message: string) => void };
}

/** The shards [start, end) job `index` of `count` computes: contiguous runs, sizes differing by at most one. */
export function shardRange(shards: number, index: number, count: number): { start: number; end: number } {
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(index) || index < 0 || index >= count) {
    throw new UserError(`shard ${index}/${count}: need 0 ≤ index < count`);
  }
  return { start: Math.floor((index * shards) / count), end: Math.floor(((index + 1) * shards) / count) };
}

/** Teacher probabilities for every chunk of `rows` (clip indices offset by `firstClip`). */
export async function annotateClips(teacher: MobileNetV2, rows: readonly AnnotateRow[], features: FeatureSource, options: AnnotateOptions, firstClip = 0): Promise<PslTable> {
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
  // The teacher folded (lib/engine/infer.ts): eval-mode scores to float32 rounding, ~2.6x less CPU time on wasm.
  const scores = await withFoldedModel(teacher, (folded) => predictClipsAsync(folded, inputs, { batchSize: options.batchSize ?? 32 }));
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
function prepareShardLayout(shardsDir: string, layout: { shardClips: number; clips: number }, shared: boolean): void {
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
  const stale = readdirSync(shardsDir).filter((name) => SHARD_FILE.test(name));
  if (shared && stale.length > 0) {
    // Other jobs may be writing here: deleting their shards is not this job's call.
    const was = recorded === undefined ? "an unrecorded layout" : `layout ${JSON.stringify(recorded)}`;
    throw new UserError(`${shardsDir} holds ${stale.length} shards of ${was}, not ${JSON.stringify(layout)}: use the same annotation.shardClips in every job, or delete the folder`);
  }
  for (const name of readdirSync(shardsDir)) if (SHARD_FILE.test(name)) rmSync(join(shardsDir, name), { force: true });
  writeJsonAtomic(layoutPath, layout);
}

export interface AnnotateResult {
  /** The whole table; undefined after a `slice` job (the table exists only once all slices are merged). */
  table?: PslTable;
  path: string;
  tsv: string;
  /** Shards this call computed (the rest were finished before, or belong to other jobs). */
  computed: number;
  /** Shards of the annotation, and those of this job's slice. */
  shards: number;
  range: { start: number; end: number };
}

const shardName = (s: number) => `shard-${String(s).padStart(5, "0")}`;
const shardFile = (dir: string, s: number) => join(dir, "shards", `${shardName(s)}.arrow`);
/** The lock of one shard's computation (not matched by SHARD_FILE: the layout check never deletes it). */
export const shardLockFile = (dir: string, s: number) => join(dir, "shards", `${shardName(s)}.lock`);

/**
 * Annotates all rows into `<dir>/psl.arrow` (+ `psl-top.tsv`), resuming from finished shards. Returns the table.
 * When `psl.arrow` already exists (a finished annotation), it is read back without running the teacher.
 * With `slice`, computes only that job's shards; with `merge`, only assembles (see AnnotateOptions).
 */
export async function annotateToDir(teacher: MobileNetV2, rows: readonly AnnotateRow[], features: FeatureSource, dir: string, options: AnnotateOptions): Promise<AnnotateResult> {
  const path = join(dir, "psl.arrow");
  const tsv = join(dir, "psl-top.tsv");
  const shardClips = options.shardClips ?? 256;
  const shards = Math.ceil(rows.length / shardClips);
  const range = options.slice ? shardRange(shards, options.slice.index, options.slice.count) : { start: 0, end: shards };
  if (existsSync(path) && existsSync(join(dir, "done.json"))) {
    return { table: options.slice ? undefined : readPslTable(path), path, tsv, computed: 0, shards, range };
  }
  prepareShardLayout(join(dir, "shards"), { shardClips, clips: rows.length }, Boolean(options.slice || options.merge));
  if (options.merge) {
    const missing = Array.from({ length: shards }, (_, s) => s).filter((s) => !existsSync(shardFile(dir, s)));
    if (missing.length > 0) {
      const shown = missing.slice(0, 10).join(", ") + (missing.length > 10 ? ", …" : "");
      throw new UserError(`${dir}: ${missing.length} of ${shards} shards are not finished (${shown}); run the missing jobs (--shard i/n) first`);
    }
  }
  // One input length for all shards (a shard of short clips alone would pad less), in every job alike.
  const chunking = { chunkSeconds: options.chunkSeconds, hopSeconds: options.hopSeconds, minChunkSeconds: options.minChunkSeconds ?? 0 };
  const shardOptions = options.merge ? options : { ...options, inputFrames: options.inputFrames ?? inputFramesFor(chunking, chunkRanges(rows, features, chunking)) };
  const progress = createProgress({ label: "annotate", total: rows.length, unit: "clips" });
  const tables: PslTable[] = [];
  let written = 0;
  try {
    for (let s = range.start; s < range.end; s += 1) {
      const first = s * shardClips;
      const slice = rows.slice(first, first + shardClips);
      if (existsSync(shardFile(dir, s))) {
        if (!options.slice) tables.push(readPslTable(shardFile(dir, s)));
      } else {
        if (options.abortAfterShards !== undefined && written >= options.abortAfterShards) {
          throw new AnnotationAborted(`annotation aborted after ${written} shards (test hook)`);
        }
        const lockOptions = { what: `annotation shard ${s} in ${dir}`, wait: options.shardLocks?.wait, onWait: options.shardLocks?.onWait };
        const table = await withLock(shardLockFile(dir, s), lockOptions, async () => {
          // Another process may have finished this shard while we waited for its lock: re-use it.
          if (existsSync(shardFile(dir, s))) return readPslTable(shardFile(dir, s));
          const computed = await annotateClips(teacher, slice, features, shardOptions, first);
          writePslTable(shardFile(dir, s), computed);
          written += 1;
          return computed;
        });
        if (!options.slice) tables.push(table);
      }
      progress.tick(slice.length);
    }
  } finally {
    progress.done();
  }
  if (options.slice) return { path, tsv, computed: written, shards, range };
  const table = concatTables(tables, teacher.config.numClasses);
  writePslTable(path, table);
  writePslTableTsv(tsv, table, { classNames: options.classNames });
  writeJsonAtomic(join(dir, "done.json"), { rows: table.filenames.length, clips: rows.length, shards });
  return { table, path, tsv, computed: written, shards, range };
}
