/**
 * Minimal RFC 4180 CSV reader for the curated demo tables (display names such as "Chicken, rooster" are quoted).
 * Hand-written because it is a dozen lines and the kit's other CSV readers live in other concerns; it rejects
 * unterminated quotes so a hand-edit mistake is reported with its line instead of silently shifting columns.
 */
import { UserError } from "../errors";

export function parseCsv(text: string, nameForErrors: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  let line = 1;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (ch === "\n") line++;
        field += ch;
      }
    } else if (ch === '"' && field === "") quoted = true;
    else if (ch === ",") {
      row.push(field);
      field = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      field = "";
      if (row.length > 1 || row[0] !== "") rows.push(row);
      row = [];
      line++;
    } else field += ch;
  }
  if (quoted) throw new UserError(`${nameForErrors}: line ${line}: unterminated quoted field`);
  if (field !== "" || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** Quotes a field when it contains a comma, quote or newline. */
export function csvField(value: string | number): string {
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
