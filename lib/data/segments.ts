/**
 * Google's AudioSet segment lists (balanced_train_segments.csv, eval_segments.csv, unbalanced_train_segments.csv):
 * '#' comment lines, then `YTID, start_seconds, end_seconds, "mid,mid,…"`. Every mid must be a known class: an
 * unknown one is a UserError naming file:line and the mid (silently dropping labels would bias training).
 */
import { UserError } from "../errors";
import { asClassIndex, type AudioSetClass, type ClassIndex } from "./classes";
import { parseCsv } from "./csv";
import { readTextFile } from "../io/text-file";

export interface SegmentRow {
  ytid: string;
  start: number;
  end: number;
  /** start/end exactly as written in the list ("30.000"), as download tools put them in file names. */
  startText: string;
  endText: string;
  mids: string[];
  /** Class indices of `mids`, same order. */
  labels: number[];
  /** 1-based line in the source file. */
  line: number;
}

export function parseSegments(text: string, name: string, classes: readonly AudioSetClass[] | ClassIndex): SegmentRow[] {
  const index = asClassIndex(classes);
  const rows: SegmentRow[] = [];
  for (const record of parseCsv(text, name, { commentHash: true })) {
    if (record.fields.length !== 4) {
      throw new UserError(`${name}:${record.line}: expected 4 fields (YTID, start, end, "labels"), found ${record.fields.length}`);
    }
    const [ytid, startText, endText, labelText] = record.fields;
    const start = Number(startText);
    const end = Number(endText);
    if (!ytid) throw new UserError(`${name}:${record.line}: empty YTID`);
    if (startText === "" || !Number.isFinite(start) || start < 0) throw new UserError(`${name}:${record.line}: bad start_seconds "${startText}"`);
    if (endText === "" || !Number.isFinite(end) || end <= start) throw new UserError(`${name}:${record.line}: bad end_seconds "${endText}"`);
    const mids = labelText.split(",").map((m) => m.trim()).filter((m) => m.length > 0);
    if (mids.length === 0) throw new UserError(`${name}:${record.line}: no labels for ${ytid}`);
    const labels = mids.map((mid) => {
      const label = index.indexOf(mid);
      if (label === undefined) throw new UserError(`${name}:${record.line}: unknown mid ${mid} (not in the class list)`);
      return label;
    });
    rows.push({ ytid, start, end, startText, endText, mids, labels, line: record.line });
  }
  return rows;
}

/** Reads a Google segment CSV; labels are indices into `classes`. */
export function readSegments(csvPath: string, classes: readonly AudioSetClass[] | ClassIndex): SegmentRow[] {
  return parseSegments(readTextFile(csvPath), csvPath, classes);
}
