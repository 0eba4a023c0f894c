/** AudioSet's class list (`class_labels_indices.csv`: index,mid,display_name) and lookups between mids and indices. */
import { UserError } from "../errors";
import { field, headerColumns, parseCsv } from "./csv";
import { readTextFile } from "../io/text-file";

export interface AudioSetClass {
  index: number;
  /** Freebase/knowledge-graph id, e.g. "/m/09x0r". */
  mid: string;
  displayName: string;
}

/** Lookups over a class list (mid → index, index → mid/name). */
export interface ClassIndex {
  readonly classes: readonly AudioSetClass[];
  readonly size: number;
  /** Class index of a mid, or undefined when the mid is not one of these classes. */
  indexOf(mid: string): number | undefined;
  midOf(index: number): string;
  nameOf(index: number): string;
  has(mid: string): boolean;
}

/** Parses the text of a class_labels_indices.csv. Indices must be 0 … n−1 (any order); mids unique. */
export function parseClassLabels(text: string, name: string): AudioSetClass[] {
  const records = parseCsv(text, name);
  const columns = headerColumns(records[0], name, ["index", "mid", "display_name"]);
  const classes: AudioSetClass[] = [];
  const seenMids = new Map<string, number>();
  for (const record of records.slice(1)) {
    const indexText = field(record, columns, "index", name);
    const index = Number(indexText);
    if (!Number.isInteger(index) || index < 0) throw new UserError(`${name}:${record.line}: bad class index "${indexText}"`);
    const mid = field(record, columns, "mid", name);
    if (!mid) throw new UserError(`${name}:${record.line}: empty mid`);
    if (seenMids.has(mid)) throw new UserError(`${name}:${record.line}: mid ${mid} repeats line ${seenMids.get(mid)}`);
    seenMids.set(mid, record.line);
    classes.push({ index, mid, displayName: field(record, columns, "display_name", name) });
  }
  classes.sort((a, b) => a.index - b.index);
  classes.forEach((c, position) => {
    if (c.index !== position) throw new UserError(`${name}: class indices must be 0 … ${classes.length - 1}; index ${position} is missing or repeated`);
  });
  return classes;
}

/** Reads AudioSet's class_labels_indices.csv (527 classes in the official file). */
export function readClassLabels(csvPath: string): AudioSetClass[] {
  return parseClassLabels(readTextFile(csvPath), csvPath);
}

export function createClassIndex(classes: readonly AudioSetClass[]): ClassIndex {
  const byMid = new Map(classes.map((c) => [c.mid, c.index]));
  const check = (index: number) => {
    if (!Number.isInteger(index) || index < 0 || index >= classes.length) {
      throw new UserError(`class index ${index} is out of range 0 … ${classes.length - 1}`);
    }
    return classes[index];
  };
  return {
    classes,
    size: classes.length,
    indexOf: (mid) => byMid.get(mid),
    midOf: (index) => check(index).mid,
    nameOf: (index) => check(index).displayName,
    has: (mid) => byMid.has(mid),
  };
}

function isClassIndex(value: readonly AudioSetClass[] | ClassIndex): value is ClassIndex {
  return !Array.isArray(value);
}

/** Accepts either form wherever a class list is needed. */
export function asClassIndex(classes: readonly AudioSetClass[] | ClassIndex): ClassIndex {
  return isClassIndex(classes) ? classes : createClassIndex(classes);
}
