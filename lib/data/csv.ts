/**
 * Minimal CSV/TSV reading for the metadata files the kit consumes (AudioSet, FSD50K, FSDKaggle). Handles RFC 4180
 * quoting (commas inside quotes, doubled quotes) and the ", " separators of Google's segment lists. Each record keeps
 * its 1-based line number so that errors can name file:line. Hand-written because these files are simple, the
 * records must carry line numbers, and the kit's other table library (arquero) would hide both.
 */
import { UserError } from "../errors";

export interface CsvRecord {
  /** 1-based line number of the record's first line in the file. */
  line: number;
  fields: string[];
}

export interface CsvOptions {
  delimiter?: string;
  /** Skip lines whose first non-blank character is '#' (Google's segment lists). */
  commentHash?: boolean;
}

/** Parses delimited text into records (blank lines skipped). Whitespace around unquoted fields is trimmed. */
export function parseCsv(text: string, name: string, options: CsvOptions = {}): CsvRecord[] {
  const delimiter = options.delimiter ?? ",";
  const records: CsvRecord[] = [];
  // Drop a UTF-8 BOM; line endings to "\n": Windows' CR LF, and the classic-Mac lone CR (an editor or spreadsheet
  // export may still write it; read as one line, it ended in a misleading "unexpected text after a quoted field").
  const source = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).replace(/\r\n?/g, "\n");
  let i = 0;
  let line = 1;
  const n = source.length;
  while (i < n) {
    const startLine = line;
    // Comment or blank line.
    let j = i;
    while (j < n && (source[j] === " " || source[j] === "\t") && source[j] !== delimiter) j++;
    if (source[j] === "\n" || source[j] === "\r" || j >= n || (options.commentHash && source[j] === "#")) {
      while (j < n && source[j] !== "\n") j++;
      i = j + 1;
      line++;
      continue;
    }
    const fields: string[] = [];
    for (;;) {
      // One field.
      while (i < n && source[i] === " " && delimiter !== " ") i++;
      let value = "";
      if (source[i] === '"') {
        i++;
        let closed = false;
        while (i < n) {
          const c = source[i];
          if (c === '"') {
            if (source[i + 1] === '"') {
              value += '"';
              i += 2;
              continue;
            }
            i++;
            closed = true;
            break;
          }
          if (c === "\n") line++;
          value += c;
          i++;
        }
        if (!closed) throw new UserError(`${name}:${startLine}: unterminated quoted field`);
        while (i < n && (source[i] === " " || source[i] === "\t") && source[i] !== delimiter) i++;
      } else {
        const start = i;
        while (i < n && source[i] !== delimiter && source[i] !== "\n" && source[i] !== "\r") i++;
        value = source.slice(start, i).trim();
      }
      fields.push(value);
      if (i < n && source[i] === delimiter) {
        i++;
        continue;
      }
      if (source[i] === "\r") i++;
      if (i < n && source[i] !== "\n") throw new UserError(`${name}:${line}: unexpected text after a quoted field`);
      i++;
      line++;
      break;
    }
    records.push({ line: startLine, fields });
  }
  return records;
}

/** Splits a header + records table and checks that `required` columns exist. Returns column positions. */
export function headerColumns(record: CsvRecord | undefined, name: string, required: string[]): Map<string, number> {
  if (!record) throw new UserError(`${name}: empty file (expected a header with ${required.join(", ")})`);
  const columns = new Map(record.fields.map((field, index) => [field.trim(), index] as [string, number]));
  const missing = required.filter((c) => !columns.has(c));
  if (missing.length > 0) {
    throw new UserError(`${name}:${record.line}: header lacks column(s) ${missing.join(", ")} (found: ${record.fields.join(", ")})`);
  }
  return columns;
}

/** Field `column` of a record, or a UserError naming file:line when the record is too short. */
export function field(record: CsvRecord, columns: Map<string, number>, column: string, name: string): string {
  const value = record.fields[columns.get(column)!];
  if (value === undefined) throw new UserError(`${name}:${record.line}: missing field "${column}"`);
  return value;
}
