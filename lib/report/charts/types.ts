/**
 * Chart builders for the notebook series: small pure functions that return a Plotly figure ({data, layout}).
 * They compute nothing but the figure, so they are testable without a browser; `showChart` displays one.
 */
import type { PlotlyLayout, PlotlyTrace } from "../plotly";

export interface Chart {
  data: PlotlyTrace[];
  layout: PlotlyLayout;
}

/** A labelled time span (a strong label, a chunk) in seconds. */
export interface TimeSpan {
  onset: number;
  offset: number;
  label: string;
}

/** What a time-axis chart of one clip (waveform, spectrogram) draws over it. */
export interface ClipMarks {
  /** Strong labels, drawn over the clip with their class name. */
  events?: readonly TimeSpan[];
  /** Chunk boundaries (seconds) drawn as dashed vertical lines. */
  chunkEdges?: readonly number[];
  title?: string;
}

/** One series of numbers for bar and line charts. */
export interface Series {
  name: string;
  /** x values of a line; bars take theirs from the chart's categories, so a bar series leaves it out. */
  x?: Array<number | string>;
  /** null = no value (Plotly leaves a gap, e.g. a paper number that does not exist). */
  y: Array<number | null>;
  /** Plotly dash style for lines ("dash", "dot") or a bar pattern ("/" hatch) for bars. */
  style?: string;
  /** Colour (default: the palette by series position), e.g. to give related series one colour. */
  color?: string;
  /** Interval per point, drawn as an (asymmetric) error bar: [low, high] in y units, null = none. */
  interval?: Array<[number, number] | null>;
  /** Line charts: "lines+markers" (default), "lines", "markers" (e.g. marked points over curves), "markers+text". */
  mode?: "lines+markers" | "lines" | "markers" | "markers+text";
  /** Line charts: marker look (Plotly symbol name, size in px), e.g. to mark selected points. */
  marker?: { symbol: string; size?: number };
  /** Line charts: text per point (shown with mode "markers+text"; also on hover). */
  text?: string[];
}

/** Plotly's default qualitative colours, so a class keeps its colour across charts that use `colorOf`. */
export const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

/** A stable colour for the i-th distinct label of a chart. */
export function colorOf(i: number): string {
  return PALETTE[((i % PALETTE.length) + PALETTE.length) % PALETTE.length];
}

/** Rounds to `digits` decimals, keeping chart JSON (and so the report) small. */
export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
