/**
 * Tables as HTML in notebooks (and so in the exported reports).
 *
 * Accepts the three shapes the kit's notebooks hold: an arquero table, a danfo DataFrame, or plain
 * row objects. Everything is rendered through arquero's `toHTML` (it escapes cell text and aligns
 * numbers), so all tables in a report look alike. danfo is recognised by shape, never imported:
 * loading it costs seconds (it loads tfjs).
 */
import * as aq from "arquero";
import type { ColumnTable } from "arquero";
import { displayHtml, escapeHtml } from "./display";

/** The parts of a danfo DataFrame that are read here (danfo's own types are not needed for that). */
export interface DataFrameLike {
  columns: string[];
  values: unknown[][] | unknown[];
  index: Array<string | number>;
  shape: number[];
}

// Rows may be any objects (interfaces included: they have no index signature, and spreading each row just to satisfy
// the type would be noise in a notebook).
export type TableLike = ColumnTable | DataFrameLike | ReadonlyArray<object>;

export interface TableOptions {
  /** Rows shown (default 20); the caption says how many were left out. */
  maxRows?: number;
  /** Significant digits for non-integer numbers (default 4). */
  digits?: number;
  /** A caption above the table. */
  caption?: string;
}

function isArqueroTable(value: unknown): value is ColumnTable {
  return typeof (value as ColumnTable)?.toHTML === "function" && typeof (value as ColumnTable)?.numRows === "function";
}

function isDataFrame(value: unknown): value is DataFrameLike {
  const v = value as DataFrameLike;
  return !Array.isArray(value) && Array.isArray(v?.columns) && Array.isArray(v?.index) && Array.isArray(v?.shape) && v?.values !== undefined;
}

/** Any supported table as an arquero table (danfo's index becomes a first column unless it is 0..n-1). */
export function toArquero(input: TableLike): ColumnTable {
  if (isArqueroTable(input)) return input;
  if (isDataFrame(input)) {
    const rows = (input.shape.length === 1 || input.columns.length === 1) && !Array.isArray(input.values[0])
      ? (input.values as unknown[]).map((v) => [v])
      : (input.values as unknown[][]);
    const columns: Record<string, unknown[]> = {};
    const defaultIndex = input.index.every((label, i) => label === i);
    if (!defaultIndex) columns[input.columns.includes("index") ? "(index)" : "index"] = [...input.index];
    input.columns.forEach((name, j) => {
      columns[name] = rows.map((row) => row[j]);
    });
    return aq.table(columns);
  }
  if (Array.isArray(input)) return aq.from(input as Record<string, unknown>[]);
  throw new TypeError("showTable expects an arquero table, a danfo DataFrame or an array of row objects");
}

function formatter(digits: number): (value: unknown) => string {
  return (value) => {
    if (typeof value === "number" && Number.isFinite(value) && !Number.isInteger(value)) return String(Number(value.toPrecision(digits)));
    if (value === null || value === undefined) return "";
    if (value instanceof Date) return value.toISOString();
    return typeof value === "object" ? JSON.stringify(value) : String(value);
  };
}

/** The HTML for a table (pure; `showTable` displays it). */
export function tableHtml(input: TableLike, options: TableOptions = {}): string {
  const table = toArquero(input);
  const maxRows = options.maxRows ?? 20;
  const format = formatter(options.digits ?? 4);
  const formats = Object.fromEntries(table.columnNames().map((name) => [name, format]));
  const total = table.numRows();
  const note = total > maxRows ? `showing ${maxRows} of ${total} rows` : `${total} row${total === 1 ? "" : "s"}`;
  const caption = [options.caption, note].filter(Boolean).map((s) => escapeHtml(String(s))).join(" · ");
  return `<div class="psl-table"><div style="font-size:90%;color:#555;margin-bottom:4px">${caption}</div>${table.toHTML({ limit: maxRows, format: formats })}</div>`;
}

/**
 * Shows a table as HTML in the notebook; outside a notebook prints it as Markdown text instead.
 * Returns nothing, so a table as a cell's last expression is not printed twice.
 */
export function showTable(input: TableLike, options: TableOptions = {}): void {
  if (displayHtml(tableHtml(input, options))) return;
  const table = toArquero(input);
  const maxRows = options.maxRows ?? 20;
  const format = formatter(options.digits ?? 4);
  if (options.caption) console.log(options.caption);
  console.log(table.toMarkdown({ limit: maxRows, format: Object.fromEntries(table.columnNames().map((n) => [n, format])) }));
  if (table.numRows() > maxRows) console.log(`(showing ${maxRows} of ${table.numRows()} rows)`);
}
