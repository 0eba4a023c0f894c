/**
 * Groups the PSL table's chunk rows by clip and reduces them to clip-level teacher evidence.
 * A teacher "says" class c for a clip when SOME chunk of that clip scores c at or above the threshold, so the clip-level
 * statistic that matters is the maximum over chunks (kept together with the chunk that reached it).
 */
import { UserError } from "../errors";
import type { ChunkScores, LabelledClip } from "./types";
import { normalizeThresholds } from "./threshold-counter";

export interface ClipGroups {
  /** Clips in order of first appearance in the table. */
  filenames: string[];
  /** Row indices of each clip, sorted by chunk index (then by start time). */
  rows: number[][];
  /** filename → position in `filenames`. */
  position: Map<string, number>;
}

/** Checks that the columns agree in length; throws UserError naming the column otherwise. */
export function validateChunkScores(chunks: ChunkScores): number {
  const rows = chunks.filenames.length;
  if (!Number.isInteger(chunks.numClasses) || chunks.numClasses <= 0) {
    throw new UserError(`chunk scores: numClasses must be a positive integer, got ${chunks.numClasses}`);
  }
  for (const [name, column] of [["chunkIndex", chunks.chunkIndex], ["from", chunks.from], ["to", chunks.to]] as const) {
    if (column.length !== rows) throw new UserError(`chunk scores: column ${name} has ${column.length} rows, filenames has ${rows}`);
  }
  if (chunks.probs.length !== rows * chunks.numClasses) {
    throw new UserError(
      `chunk scores: probs has ${chunks.probs.length} values, expected rows × classes = ${rows} × ${chunks.numClasses}`,
    );
  }
  return rows;
}

export function groupChunksByClip(chunks: ChunkScores): ClipGroups {
  const rowCount = validateChunkScores(chunks);
  const position = new Map<string, number>();
  const filenames: string[] = [];
  const rows: number[][] = [];
  for (let row = 0; row < rowCount; row++) {
    const name = chunks.filenames[row];
    let at = position.get(name);
    if (at === undefined) {
      at = filenames.length;
      position.set(name, at);
      filenames.push(name);
      rows.push([]);
    }
    rows[at].push(row);
  }
  for (const list of rows) list.sort((a, b) => chunks.chunkIndex[a] - chunks.chunkIndex[b] || chunks.from[a] - chunks.from[b]);
  return { filenames, rows, position };
}

export interface ClipMaxScores extends ClipGroups {
  numClasses: number;
  /** [clips, classes]: the highest chunk score of each class in each clip. */
  maxProbs: Float32Array;
  /** [clips, classes]: the chunk index (`chunkIndex` column value) that reached the maximum (first one on ties). */
  argmaxChunk: Int32Array;
}

export function clipMaxScores(chunks: ChunkScores): ClipMaxScores {
  const groups = groupChunksByClip(chunks);
  const C = chunks.numClasses;
  const probs = chunks.probs;
  const maxProbs = new Float32Array(groups.filenames.length * C);
  const argmaxChunk = new Int32Array(groups.filenames.length * C);
  // Plain indexed loops over local typed arrays: this runs over every score of the table (54M at AudioSet-balanced
  // scale with 2-s chunks), where closures and per-element bounds bookkeeping cost seconds.
  for (let clip = 0; clip < groups.rows.length; clip++) {
    const rowList = groups.rows[clip];
    const out = clip * C;
    const first = rowList[0];
    maxProbs.set(probs.subarray(first * C, first * C + C), out);
    argmaxChunk.fill(chunks.chunkIndex[first], out, out + C);
    for (let k = 1; k < rowList.length; k++) {
      const row = rowList[k];
      const base = row * C;
      const index = chunks.chunkIndex[row];
      for (let c = 0; c < C; c++) {
        const p = probs[base + c];
        if (p > maxProbs[out + c]) {
          maxProbs[out + c] = p;
          argmaxChunk[out + c] = index;
        }
      }
    }
  }
  return { ...groups, numClasses: C, maxProbs, argmaxChunk };
}

/**
 * The weak labels a PSL table carries per row (lib/psl PslTable `weak`), one entry per clip — so a notebook can run the
 * missing-label analysis from the table alone. Rows of one clip must agree.
 */
export function weakLabelsOfTable(table: { filenames: readonly string[]; weak: ReadonlyArray<readonly number[]> }): LabelledClip[] {
  if (table.weak.length !== table.filenames.length) {
    throw new UserError(`PSL table: weak has ${table.weak.length} rows, filenames has ${table.filenames.length}`);
  }
  const byName = new Map<string, readonly number[]>();
  table.filenames.forEach((name, row) => {
    const labels = table.weak[row];
    const seen = byName.get(name);
    if (seen === undefined) byName.set(name, labels);
    else if (seen.length !== labels.length || seen.some((l, i) => l !== labels[i])) {
      throw new UserError(`PSL table: rows of clip ${name} disagree on its weak labels (${seen.join(";")} vs ${labels.join(";")})`);
    }
  });
  return [...byName].map(([filename, labels]) => ({ filename, labels: [...labels] }));
}

/**
 * Label sets of the given clips, indexed like `filenames`. Every clip must be present in `clips`
 * (a teacher row without labels cannot be analysed); labels must be valid class indices.
 * `what` names the label source in error messages ("weak labels", "true labels").
 */
export function labelSetsFor(
  filenames: readonly string[],
  clips: Iterable<LabelledClip>,
  numClasses: number,
  what: string,
): Set<number>[] {
  const byName = new Map<string, readonly number[]>();
  for (const clip of clips) byName.set(clip.filename, clip.labels);
  return filenames.map((name) => {
    const labels = byName.get(name);
    if (labels === undefined) throw new UserError(`${what}: no entry for clip ${name}, which the chunk table has`);
    for (const label of labels) {
      if (!Number.isInteger(label) || label < 0 || label >= numClasses) {
        throw new UserError(`${what}: clip ${name} has label ${label}, outside 0..${numClasses - 1}`);
      }
    }
    return new Set(labels);
  });
}

export interface LabelsPerChunkPoint {
  threshold: number;
  /** Mean number of classes at or above the threshold, per chunk. */
  labelsPerChunk: number;
  /** Share of chunks with no class at or above it (a hard target of all zeros). */
  emptyChunks: number;
}

/** How many classes a chunk says at each threshold (hard targets' density), one row per threshold, ascending. */
export function labelsPerChunkCurve(chunks: ChunkScores, thresholds: Iterable<number>): LabelsPerChunkPoint[] {
  const rows = validateChunkScores(chunks);
  const C = chunks.numClasses;
  const grid = normalizeThresholds(thresholds);
  const labels = new Float64Array(grid.length);
  const empty = new Float64Array(grid.length);
  for (let row = 0; row < rows; row++) {
    // Per chunk, the number of classes ≥ t for every t of the grid: count each score against the ascending grid.
    const said = new Int32Array(grid.length);
    for (let c = 0; c < C; c++) {
      const p = chunks.probs[row * C + c];
      for (let i = 0; i < grid.length && p >= grid[i]; i++) said[i]++;
    }
    for (let i = 0; i < grid.length; i++) {
      labels[i] += said[i];
      if (said[i] === 0) empty[i]++;
    }
  }
  return grid.map((threshold, i) => ({ threshold, labelsPerChunk: labels[i] / Math.max(1, rows), emptyChunks: empty[i] / Math.max(1, rows) }));
}
