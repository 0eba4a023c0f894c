/**
 * Charts straight from tables, by column name: the wiring a notebook cell would otherwise spell out (category lists,
 * one `y: rows.map(…)` per series, models picked by position). A table is anything showTable takes — an arquero
 * table, a danfo DataFrame, row objects — so regrouping a table with a verb and charting it are one line each.
 */
import { toArquero, type TableLike } from "../tables";
import { barChart, lineChart, type AxisTitles } from "./basic";
import type { Chart, Series } from "./types";
import { colorOf } from "./types";

/** Value columns: one name, several, or {legend label: column}. */
export type ValueColumns = string | readonly string[] | Readonly<Record<string, string>>;

function valueColumns(y: ValueColumns): Array<[label: string, column: string]> {
  if (typeof y === "string") return [[y, y]];
  if (Array.isArray(y)) return (y as readonly string[]).map((c) => [c, c]);
  return Object.entries(y as Record<string, string>);
}

function rowsOf(table: TableLike, needed: readonly string[]): Record<string, unknown>[] {
  const t = toArquero(table);
  const names = t.columnNames();
  const missing = needed.filter((n) => !names.includes(n));
  if (missing.length) throw new TypeError(`chart: no column ${missing.map((m) => `"${m}"`).join(", ")} (columns: ${names.join(", ")})`);
  return t.objects() as Record<string, unknown>[];
}

const numberOrNull = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

export interface BarsOptions extends AxisTitles {
  /** Column whose values name the bar groups (a model, a class, a bin). */
  x: string;
  /** Columns drawn as bars, one series each. */
  y: ValueColumns;
  /** Value labels on the bars. */
  text?: boolean;
  /** Bar pattern per series label, e.g. {"paper (AudioSet)": "/"}. */
  styles?: Readonly<Record<string, string>>;
}

/** Grouped bars: one group per row, one series per value column. */
export function barsOf(table: TableLike, options: BarsOptions): Chart {
  const columns = valueColumns(options.y);
  const rows = rowsOf(table, [options.x, ...columns.map(([, c]) => c)]);
  const series: Series[] = columns.map(([label, column]) => ({
    name: label,
    y: rows.map((r) => numberOrNull(r[column])),
    style: options.styles?.[label],
  }));
  return barChart(rows.map((r) => String(r[options.x])), series, options);
}

export interface LinesOptions extends AxisTitles {
  x: string;
  y: ValueColumns;
  /** One line per distinct value of this column (a long table), e.g. "chunkSeconds". */
  by?: string;
  /** Legend name of a line: default "<label>" or "<label>, <by value>". */
  name?: (label: string, group: unknown) => string;
  /** Dash style per value column label (e.g. {recall: "dash"}): the colour then tells the groups apart. */
  styles?: Readonly<Record<string, string>>;
  xType?: "linear" | "log" | "category";
}

/** Lines with markers: per value column, and per group of `by` when given (rows in table order along x). */
export function linesOf(table: TableLike, options: LinesOptions): Chart {
  const columns = valueColumns(options.y);
  const rows = rowsOf(table, [options.x, ...columns.map(([, c]) => c), ...(options.by ? [options.by] : [])]);
  const groups = options.by ? [...new Set(rows.map((r) => r[options.by!]))] : [undefined];
  const name = options.name ?? ((label: string, group: unknown) => (group === undefined ? label : `${label}, ${String(group)}`));
  const series: Series[] = [];
  columns.forEach(([label, column], k) => {
    groups.forEach((group, g) => {
      const inGroup = options.by ? rows.filter((r) => r[options.by!] === group) : rows;
      series.push({
        name: name(label, group),
        x: inGroup.map((r) => r[options.x] as number | string),
        y: inGroup.map((r) => numberOrNull(r[column])),
        style: options.styles?.[label],
        // Groups keep their colour across value columns (precision and recall of 2 s chunks: one colour, two dashes).
        color: colorOf(options.by ? g : k),
      });
    });
  });
  return lineChart(series, options);
}

/** The item called `name` (a student, a model, a class), or an error that lists the names there are. */
export function byName<T>(items: readonly T[], name: string, key: (item: T) => string = (item) => (item as { name: string }).name): T {
  const found = items.find((item) => key(item) === name);
  if (found === undefined) throw new TypeError(`no "${name}" here (there are: ${items.map(key).join(", ")})`);
  return found;
}
