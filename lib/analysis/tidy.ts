/**
 * Tidy (long) tables of the PSL table, so that notebooks 05 and 06 can write their breakdowns as arquero verbs
 * (derive / groupby / rollup / join) and a reader can regroup them in one line.
 *
 * The PSL table on disk is wide — one float32 column `p<class>` per class (lib/psl/table.ts) — and arquero reads it
 * natively (`aq.fromArrow(readFileSync(path))`). What verbs cannot do efficiently is turning those 527 columns into
 * (chunk, class, p) rows: `fold` builds every row first (1.3 M rows for 2,500 chunks, ~3 s on 2 busy cores) only to
 * throw almost all of them away, since nearly every probability is tiny. `chunkScoresLong` does that one step over
 * the typed columns and keeps the rows at or above `minProbability`; everything after it is verbs.
 */
import * as aq from "arquero";
import type { ColumnTable } from "arquero";
import { UserError } from "../errors";
import type { ChunkScores } from "./types";

/** Rows, columns and probabilities of a PSL table, from the kit's in-memory table or an arquero table of its Arrow file. */
function columnsOf(source: ChunkScores | ColumnTable): { filenames: ArrayLike<string>; chunk: ArrayLike<number>; from: ArrayLike<number>; to: ArrayLike<number>; numClasses: number; probability(c: number): ArrayLike<number> } {
  if (typeof (source as ColumnTable).numRows === "function") {
    const table = source as ColumnTable;
    const names = table.columnNames();
    const classes = names.filter((n) => /^p\d+$/.test(n)).map((n) => Number(n.slice(1)));
    if (classes.length === 0) throw new UserError(`PSL table: no class columns p0, p1, … (columns: ${names.slice(0, 8).join(", ")}, …)`);
    for (const needed of ["filename", "chunk", "from", "to"]) {
      if (!names.includes(needed)) throw new UserError(`PSL table: missing column "${needed}"`);
    }
    return {
      filenames: table.array("filename") as ArrayLike<string>,
      chunk: table.array("chunk") as ArrayLike<number>,
      from: table.array("from") as ArrayLike<number>,
      to: table.array("to") as ArrayLike<number>,
      numClasses: Math.max(...classes) + 1,
      probability: (c) => table.array(`p${c}`) as ArrayLike<number>,
    };
  }
  const chunks = source as ChunkScores;
  const C = chunks.numClasses;
  const rows = chunks.filenames.length;
  return {
    filenames: chunks.filenames,
    chunk: chunks.chunkIndex,
    from: chunks.from,
    to: chunks.to,
    numClasses: C,
    probability(c) {
      const column = new Float32Array(rows);
      for (let row = 0; row < rows; row++) column[row] = chunks.probs[row * C + c];
      return column;
    },
  };
}

/**
 * One row per (chunk, class) whose teacher probability is ≥ `minProbability`: columns `filename`, `chunk`, `from`,
 * `to`, `class` (output index), `p`. With `minProbability` = the threshold, these are exactly the labels the chunks say.
 */
export function chunkScoresLong(source: ChunkScores | ColumnTable, options: { minProbability: number }): ColumnTable {
  const { minProbability } = options;
  if (!(minProbability >= 0 && minProbability <= 1)) throw new UserError(`minProbability must be in [0, 1], got ${minProbability}`);
  const columns = columnsOf(source);
  const out = { filename: [] as string[], chunk: [] as number[], from: [] as number[], to: [] as number[], class: [] as number[], p: [] as number[] };
  for (let c = 0; c < columns.numClasses; c++) {
    const probability = columns.probability(c);
    for (let row = 0; row < probability.length; row++) {
      const p = probability[row];
      if (!(p >= minProbability)) continue;
      out.filename.push(columns.filenames[row]);
      out.chunk.push(columns.chunk[row]);
      out.from.push(columns.from[row]);
      out.to.push(columns.to[row]);
      out.class.push(c);
      out.p.push(p);
    }
  }
  return aq.table({ ...out, p: Float32Array.from(out.p) });
}

/**
 * The bin of a value for edges ascending ([0, 0.5, 1, 2] → "[0, 0.5)", "[0.5, 1)", "[1, 2]"; the last bin is closed),
 * or null outside them — as `recoveryByEventAttribute` bins. For `derive` through `aq.escape`.
 */
export function binOf(edges: readonly number[]): (value: number) => string | null {
  if (edges.length < 2 || edges.some((e, i) => i > 0 && !(e > edges[i - 1]))) {
    throw new UserError(`edges must be at least two strictly ascending numbers, got ${edges.join(", ")}`);
  }
  const last = edges.length - 1;
  return (value) => {
    if (!(value >= edges[0] && value <= edges[last])) return null;
    let b = 0;
    while (b < last - 1 && value >= edges[b + 1]) b++;
    return `[${edges[b]}, ${edges[b + 1]}${b === last - 1 ? "]" : ")"}`;
  };
}
