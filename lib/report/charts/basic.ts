import type { Chart, Series } from "./types";
import { colorOf, round } from "./types";

export interface AxisTitles {
  title?: string;
  xTitle?: string;
  yTitle?: string;
  /** y axis range, e.g. [0, 1] for metrics. */
  yRange?: [number, number];
  /** Dashed horizontal reference lines with a label, e.g. the chance level of an mAP chart. */
  referenceLines?: ReadonlyArray<{ y: number; label: string }>;
  /** Dotted vertical lines with a label at the top, e.g. a step budget on a learning curve. */
  verticalLines?: ReadonlyArray<{ x: number; label: string }>;
}

/** Plotly error_y for a series with intervals (asymmetric, in y units). */
function errorBars(s: Series): Record<string, unknown> {
  if (!s.interval) return {};
  const up = s.y.map((v, i) => (v === null || !s.interval![i] ? 0 : round(Math.max(0, s.interval![i]![1] - v), 4)));
  const down = s.y.map((v, i) => (v === null || !s.interval![i] ? 0 : round(Math.max(0, v - s.interval![i]![0]), 4)));
  return { error_y: { type: "data", symmetric: false, array: up, arrayminus: down, visible: true } };
}

/** Layout shapes + annotations of the reference lines (horizontal: full plot width, dashed; vertical: full height, dotted). */
function referenceLayout(options: AxisTitles): Record<string, unknown> {
  const lines = options.referenceLines ?? [];
  const verticals = options.verticalLines ?? [];
  if (lines.length === 0 && verticals.length === 0) return {};
  return {
    shapes: [
      ...lines.map((l) => ({ type: "line", xref: "paper", x0: 0, x1: 1, y0: round(l.y, 4), y1: round(l.y, 4), line: { dash: "dash", color: "#555", width: 1.5 } })),
      ...verticals.map((l) => ({ type: "line", yref: "paper", y0: 0, y1: 1, x0: l.x, x1: l.x, line: { dash: "dot", color: "#555", width: 1.5 } })),
    ],
    annotations: [
      ...lines.map((l) => ({ xref: "paper", x: 1, xanchor: "right", y: round(l.y, 4), yanchor: "bottom", text: l.label, showarrow: false, font: { size: 11, color: "#555" } })),
      ...verticals.map((l) => ({ yref: "paper", y: 1, yanchor: "bottom", x: l.x, xanchor: "left", text: l.label, showarrow: false, font: { size: 11, color: "#555" } })),
    ],
  };
}

/** Grouped bars: one group per category, one bar per series (e.g. models × metrics). */
export function barChart(categories: ReadonlyArray<string>, series: readonly Series[], options: AxisTitles & { text?: boolean } = {}): Chart {
  return {
    data: series.map((s, i) => ({
      type: "bar",
      name: s.name,
      x: categories.slice(),
      y: s.y.map((v) => (v === null ? null : round(v, 4))),
      marker: { color: s.color ?? colorOf(i), ...(s.style ? { pattern: { shape: s.style } } : {}) },
      ...(options.text ? { text: s.y.map((v) => (v === null ? "" : round(v, 3).toString())), textposition: "outside", cliponaxis: false } : {}),
      ...errorBars(s),
    })),
    layout: {
      title: { text: options.title ?? "" },
      barmode: "group",
      ...referenceLayout(options),
      // automargin: long class names under the bars get the room they need instead of being cut off.
      xaxis: { title: { text: options.xTitle ?? "" }, type: "category", automargin: true },
      yaxis: { title: { text: options.yTitle ?? "" }, ...(options.yRange ? { range: options.yRange } : {}) },
      legend: { orientation: "h", y: -0.2 },
    },
  };
}

function lineX(s: Series): Array<number | string> {
  if (!s.x) throw new TypeError(`lineChart: series "${s.name}" has no x values`);
  if (s.x.length !== s.y.length) throw new TypeError(`lineChart: series "${s.name}" has ${s.x.length} x values and ${s.y.length} y values`);
  return s.x.slice();
}

/** Options of a line chart beyond its titles and reference lines. */
export interface LineChartOptions extends AxisTitles {
  xType?: "linear" | "log" | "category";
  /** x ticks at exactly these values (e.g. the widths measured on a log axis, where Plotly's own ticks fall between). */
  xTickValues?: readonly number[];
  /** Show the legend even for one series (Plotly hides a lone series' legend, and with it what the line is). */
  showLegend?: boolean;
}

/** Lines with markers, one per series (curves over threshold, chunk size, epochs). */
export function lineChart(series: readonly Series[], options: LineChartOptions = {}): Chart {
  return {
    data: series.map((s, i) => ({
      type: "scatter",
      mode: s.mode ?? "lines+markers",
      name: s.name,
      x: lineX(s),
      y: s.y.map((v) => (v === null ? null : round(v, 4))),
      line: { color: s.color ?? colorOf(i), ...(s.style ? { dash: s.style } : {}) },
      ...(s.marker ? { marker: { color: s.color ?? colorOf(i), symbol: s.marker.symbol, size: s.marker.size ?? 12, line: { color: "#222", width: 1 } } } : {}),
      ...(s.text ? { text: s.text.slice(), textposition: "top center" } : {}),
      ...errorBars(s),
    })),
    layout: {
      title: { text: options.title ?? "" },
      ...referenceLayout(options),
      xaxis: {
        title: { text: options.xTitle ?? "" }, ...(options.xType ? { type: options.xType } : {}),
        ...(options.xTickValues ? { tickmode: "array", tickvals: options.xTickValues.slice() } : {}),
      },
      yaxis: { title: { text: options.yTitle ?? "" }, ...(options.yRange ? { range: options.yRange } : {}) },
      legend: { orientation: "h", y: -0.2 },
      ...(options.showLegend ? { showlegend: true } : {}),
    },
  };
}

/**
 * Histogram from values binned here (not by Plotly), so a report holds bin counts instead of every value — the
 * chunk probabilities of a corpus are hundreds of thousands of numbers. Counts are drawn on a log axis when asked.
 */
export function histogramChart(
  series: ReadonlyArray<{ name: string; values: ArrayLike<number> }>,
  options: AxisTitles & { bins?: number; range?: [number, number]; logY?: boolean; normalize?: boolean } = {},
): Chart {
  const bins = options.bins ?? 40;
  const [lo, hi] = options.range ?? [0, 1];
  const width = (hi - lo) / bins;
  const centres = Array.from({ length: bins }, (_, i) => round(lo + (i + 0.5) * width, 4));
  const data = series.map((s, k) => {
    const counts = new Array<number>(bins).fill(0);
    for (let i = 0; i < s.values.length; i++) {
      const v = s.values[i];
      if (!(v >= lo && v <= hi)) continue;
      counts[Math.min(bins - 1, Math.floor((v - lo) / width))] += 1;
    }
    const total = s.values.length || 1;
    return {
      type: "bar",
      name: s.name,
      x: centres,
      y: options.normalize ? counts.map((c) => round(c / total, 6)) : counts,
      width,
      opacity: series.length > 1 ? 0.6 : 1,
      marker: { color: colorOf(k) },
    };
  });
  return {
    data,
    layout: {
      title: { text: options.title ?? "" },
      barmode: "overlay",
      bargap: 0,
      xaxis: { title: { text: options.xTitle ?? "" }, range: [lo, hi] },
      yaxis: { title: { text: options.yTitle ?? (options.normalize ? "fraction" : "count") }, ...(options.logY ? { type: "log" } : {}) },
      legend: { orientation: "h", y: -0.2 },
    },
  };
}

export interface EpochPoint {
  epoch: number;
  /** Optimizer steps at this validation (step-budget runs): then the x axis is steps. */
  step?: number;
  meanLoss: number;
  validationMAP: number;
}

/** Training curve: mean training loss (left axis) and validation mAP (right axis) per epoch, or per step when recorded. */
export function trainingCurveChart(
  history: readonly EpochPoint[],
  options: { title?: string; maxEpochs?: number; maxSteps?: number; chanceMAP?: number; learningRateDecay?: { afterStep: number; factor: number } | null; markSelected?: boolean } = {},
): Chart {
  const bySteps = history.length > 0 && history.every((h) => h.step !== undefined);
  if (bySteps) {
    const steps = history.map((h) => h.step!);
    const decay = options.learningRateDecay ?? null;
    // The checkpoint the loop keeps (best validation mAP, first of equals) — what a student learns from.
    const selected = history.reduce((best, h) => (h.validationMAP > best.validationMAP ? h : best), history[0]);
    return {
      data: [
        { type: "scatter", mode: "lines+markers", name: "training loss", x: steps, y: history.map((h) => round(h.meanLoss, 5)), line: { color: colorOf(0) }, yaxis: "y" },
        { type: "scatter", mode: "lines+markers", name: "validation mAP", x: steps, y: history.map((h) => round(h.validationMAP, 4)), line: { color: colorOf(1) }, yaxis: "y2" },
        ...(options.chanceMAP !== undefined
          ? [{ type: "scatter", mode: "lines", name: `chance mAP (${round(options.chanceMAP, 3)})`, x: [0, Math.max(options.maxSteps ?? 0, ...steps)], y: [round(options.chanceMAP, 4), round(options.chanceMAP, 4)], line: { color: "#555", dash: "dash" }, yaxis: "y2" }]
          : []),
        ...(options.markSelected
          ? [{ type: "scatter", mode: "markers", name: `kept checkpoint (step ${selected.step}, best validation mAP)`, x: [selected.step!], y: [round(selected.validationMAP, 4)], marker: { symbol: "star", size: 14, color: colorOf(1) }, yaxis: "y2" }]
          : []),
        ...(decay !== null
          ? [{ type: "scatter", mode: "lines", name: `learning rate × ${decay.factor} from step ${decay.afterStep}`, x: [decay.afterStep, decay.afterStep], y: [0, 1], line: { color: "#999", dash: "dot" }, yaxis: "y2" }]
          : []),
      ],
      layout: {
        title: { text: options.title ?? "Training curve" },
        xaxis: { title: { text: "optimizer steps" }, range: [0, Math.max(options.maxSteps ?? 0, ...steps) * 1.02] },
        yaxis: { title: { text: "mean BCE loss" }, rangemode: "tozero" },
        yaxis2: { title: { text: "validation mAP" }, overlaying: "y", side: "right", range: [0, 1], automargin: true },
        margin: { t: 48, r: 72, b: 72, l: 64 },
        // Up to five entries wrap to two or three rows: kept clear of the x-axis title.
        legend: { orientation: "h", y: -0.28 },
      },
    };
  }
  const epochs = history.map((h) => h.epoch);
  return {
    data: [
      { type: "scatter", mode: "lines+markers", name: "training loss", x: epochs, y: history.map((h) => round(h.meanLoss, 5)), line: { color: colorOf(0) }, yaxis: "y" },
      { type: "scatter", mode: "lines+markers", name: "validation mAP", x: epochs, y: history.map((h) => round(h.validationMAP, 4)), line: { color: colorOf(1) }, yaxis: "y2" },
    ],
    layout: {
      title: { text: options.title ?? "Training curve" },
      xaxis: { title: { text: "epoch" }, range: [0.5, Math.max(options.maxEpochs ?? 0, epochs.length, 1) + 0.5], dtick: 1 },
      yaxis: { title: { text: "mean BCE loss" }, rangemode: "tozero" },
      yaxis2: { title: { text: "validation mAP" }, overlaying: "y", side: "right", range: [0, 1], automargin: true },
      margin: { t: 48, r: 72, b: 48, l: 64 },
      legend: { orientation: "h", y: -0.2 },
    },
  };
}
