/**
 * The PSL table — the pseudo strong labels: one row per chunk (clip, chunk index, from, to, the clip's weak labels, and
 * the teacher's probability for every class).
 *
 * In memory it is columnar (`probs` row-major [rows, numClasses]), structurally a `ChunkScores` of lib/analysis, so the
 * analyses read it directly. On disk it is Arrow IPC (file format) written with flechette: columns `filename`, `clip`,
 * `chunk`, `from`, `to`, `labels` (weak labels, "3;17"), then one float32 column per class named `p<index>` — wide
 * columns are zero-copy typed arrays on both sides (100k chunks × 527 classes encode in ~0.6 s, decode in ~0.06 s), and
 * arquero / danfo / pyarrow read them as ordinary columns. A readable TSV export lists each chunk's top classes.
 */
import { readFileSync } from "node:fs";
import { tableFromArrays, tableFromIPC, tableToIPC, utf8 } from "@uwdata/flechette";
import { UserError } from "../errors";
import { writeFileAtomic } from "../io/atomic";

export interface PslTable {
  numClasses: number;
  /** Clip filename per row (as in the manifest). */
  filenames: string[];
  /** Row of the clip in the annotated manifest. */
  clipIndex: Int32Array;
  /** Chunk index within its clip (0, 1, …). */
  chunkIndex: Int32Array;
  /** Chunk start / end in seconds. */
  from: Float32Array;
  to: Float32Array;
  /** The clip's weak labels, per row. */
  weak: ReadonlyArray<readonly number[]>;
  /** Teacher probabilities, row-major [rows, numClasses]. */
  probs: Float32Array;
}

export function tableRows(table: PslTable): number {
  return table.filenames.length;
}

/** Concatenates tables with the same class count (shards → one table). */
export function concatTables(tables: readonly PslTable[], numClasses: number): PslTable {
  const rows = tables.reduce((n, t) => n + tableRows(t), 0);
  const out: PslTable = {
    numClasses,
    filenames: [],
    clipIndex: new Int32Array(rows),
    chunkIndex: new Int32Array(rows),
    from: new Float32Array(rows),
    to: new Float32Array(rows),
    weak: [],
    probs: new Float32Array(rows * numClasses),
  };
  let offset = 0;
  const weak: (readonly number[])[] = [];
  for (const t of tables) {
    if (t.numClasses !== numClasses) throw new UserError(`PSL tables disagree on the class count (${t.numClasses} vs ${numClasses})`);
    const n = tableRows(t);
    out.filenames.push(...t.filenames);
    out.clipIndex.set(t.clipIndex, offset);
    out.chunkIndex.set(t.chunkIndex, offset);
    out.from.set(t.from, offset);
    out.to.set(t.to, offset);
    out.probs.set(t.probs, offset * numClasses);
    weak.push(...t.weak);
    offset += n;
  }
  out.weak = weak;
  return out;
}

/** Arrow IPC bytes of the table. */
export function encodePslTable(table: PslTable): Uint8Array {
  const rows = tableRows(table);
  const C = table.numClasses;
  const columns: Record<string, unknown[] | ArrayLike<number>> = {
    filename: table.filenames,
    clip: table.clipIndex,
    chunk: table.chunkIndex,
    from: table.from,
    to: table.to,
    labels: table.weak.map((w) => w.join(";")),
  };
  for (let c = 0; c < C; c += 1) {
    const column = new Float32Array(rows);
    for (let r = 0; r < rows; r += 1) column[r] = table.probs[r * C + c];
    columns[`p${c}`] = column;
  }
  const arrow = tableFromArrays(columns as Record<string, Float32Array>, { types: { filename: utf8(), labels: utf8() } });
  const bytes = tableToIPC(arrow, { format: "file" });
  if (!bytes) throw new Error("flechette returned no IPC bytes");
  return bytes;
}

export function writePslTable(path: string, table: PslTable): void {
  writeFileAtomic(path, encodePslTable(table));
}

function parseLabels(text: string, where: string): number[] {
  if (text === "" || text === null || text === undefined) return [];
  return text.split(";").map((s) => {
    const v = Number(s);
    if (!Number.isInteger(v) || v < 0) throw new UserError(`${where}: bad label "${s}"`);
    return v;
  });
}

/** Reads a PSL table written by writePslTable (or any Arrow file with the same columns). */
export function readPslTable(pathOrBytes: string | Uint8Array): PslTable {
  const name = typeof pathOrBytes === "string" ? pathOrBytes : "PSL table";
  let bytes: Uint8Array;
  try {
    bytes = typeof pathOrBytes === "string" ? readFileSync(pathOrBytes) : pathOrBytes;
  } catch (error) {
    throw new UserError(`cannot read PSL table ${name}: ${(error as Error).message}`);
  }
  let arrow;
  try {
    arrow = tableFromIPC(bytes);
  } catch (error) {
    throw new UserError(`${name}: not an Arrow IPC file (${(error as Error).message})`);
  }
  const names = arrow.schema.fields.map((f) => f.name);
  for (const required of ["filename", "clip", "chunk", "from", "to", "labels"]) {
    if (!names.includes(required)) throw new UserError(`${name}: PSL table lacks the column "${required}"`);
  }
  let numClasses = 0;
  while (names.includes(`p${numClasses}`)) numClasses += 1;
  if (numClasses === 0) throw new UserError(`${name}: PSL table has no probability columns p0, p1, …`);
  const rows = arrow.numRows;
  const probs = new Float32Array(rows * numClasses);
  for (let c = 0; c < numClasses; c += 1) {
    const column = arrow.getChild(`p${c}`)!.toArray() as ArrayLike<number>;
    for (let r = 0; r < rows; r += 1) probs[r * numClasses + c] = column[r];
  }
  const labels = arrow.getChild("labels")!.toArray() as ArrayLike<string>;
  const weak: number[][] = [];
  for (let r = 0; r < rows; r += 1) weak.push(parseLabels(labels[r], `${name} row ${r}`));
  return {
    numClasses,
    filenames: Array.from(arrow.getChild("filename")!.toArray() as ArrayLike<string>),
    clipIndex: Int32Array.from(arrow.getChild("clip")!.toArray() as ArrayLike<number>),
    chunkIndex: Int32Array.from(arrow.getChild("chunk")!.toArray() as ArrayLike<number>),
    from: Float32Array.from(arrow.getChild("from")!.toArray() as ArrayLike<number>),
    to: Float32Array.from(arrow.getChild("to")!.toArray() as ArrayLike<number>),
    weak,
    probs,
  };
}

/**
 * A readable TSV of the table: one line per chunk with its time span, weak labels and top classes
 * (`name:probability`, highest first, only those ≥ minProbability).
 */
export function pslTableToTsv(table: PslTable, options: { classNames?: readonly string[]; top?: number; minProbability?: number } = {}): string {
  const top = options.top ?? 5;
  const min = options.minProbability ?? 0.1;
  const C = table.numClasses;
  const name = (c: number) => options.classNames?.[c] ?? String(c);
  const lines = ["filename\tchunk\tfrom\tto\tweak_labels\ttop_classes"];
  const order = new Int32Array(C);
  for (let r = 0; r < tableRows(table); r += 1) {
    const row = table.probs.subarray(r * C, (r + 1) * C);
    for (let c = 0; c < C; c += 1) order[c] = c;
    const sorted = Array.from(order).sort((a, b) => row[b] - row[a] || a - b).slice(0, top).filter((c) => row[c] >= min);
    lines.push([
      table.filenames[r],
      table.chunkIndex[r],
      table.from[r].toFixed(2),
      table.to[r].toFixed(2),
      table.weak[r].map(name).join(";"),
      sorted.map((c) => `${name(c)}:${row[c].toFixed(3)}`).join(";"),
    ].join("\t"));
  }
  return `${lines.join("\n")}\n`;
}

export function writePslTableTsv(path: string, table: PslTable, options?: Parameters<typeof pslTableToTsv>[1]): void {
  writeFileAtomic(path, pslTableToTsv(table, options));
}
