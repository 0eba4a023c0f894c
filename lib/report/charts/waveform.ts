import { SAMPLE_RATE } from "../../audio/frontend";
import type { Chart, ClipMarks } from "./types";
import { colorOf, round } from "./types";

export interface WaveformInput extends ClipMarks {
  /** Mono samples in [-1, 1]. */
  samples: Float32Array | readonly number[];
  /** Samples per second (default: the front-end's 16 kHz). */
  sampleRate?: number;
  /** Columns of the min/max envelope (default 800): a 10-s clip is 160,000 samples, a report needs a few hundred. */
  columns?: number;
}

/**
 * The waveform as the eye reads it: per column the lowest and highest sample (an envelope, so short clicks stay
 * visible, unlike plain decimation), with the strong labels and chunk edges over it.
 */
export function waveformChart(input: WaveformInput): Chart {
  const { samples } = input;
  const rate = input.sampleRate ?? SAMPLE_RATE;
  const columns = Math.max(1, Math.min(input.columns ?? 800, samples.length));
  const per = samples.length / columns;
  const x: number[] = [];
  const low: number[] = [];
  const high: number[] = [];
  for (let c = 0; c < columns; c++) {
    const start = Math.floor(c * per);
    const end = Math.max(start + 1, Math.floor((c + 1) * per));
    let min = Infinity;
    let max = -Infinity;
    for (let i = start; i < end && i < samples.length; i++) {
      min = Math.min(min, samples[i]);
      max = Math.max(max, samples[i]);
    }
    x.push(round((start + end) / 2 / rate, 4));
    low.push(round(min, 4));
    high.push(round(max, 4));
  }
  const events = input.events ?? [];
  const labels = [...new Set(events.map((e) => e.label))];
  const shapes: Record<string, unknown>[] = events.map((e) => ({
    type: "rect", xref: "x", yref: "paper", x0: e.onset, x1: e.offset, y0: 0, y1: 1, line: { width: 0 },
    fillcolor: colorOf(labels.indexOf(e.label)), opacity: 0.15, layer: "below",
  }));
  for (const edge of input.chunkEdges ?? []) {
    shapes.push({ type: "line", xref: "x", yref: "paper", x0: edge, x1: edge, y0: 0, y1: 1, line: { color: "#444", width: 1, dash: "dash" } });
  }
  const annotations = events.map((e) => ({
    xref: "x", yref: "paper", x: (e.onset + e.offset) / 2, y: 1, yanchor: "bottom", showarrow: false, text: e.label,
    font: { size: 10, color: colorOf(labels.indexOf(e.label)) },
  }));
  return {
    data: [
      { type: "scatter", mode: "lines", name: "max", x, y: high, line: { color: "#1f77b4", width: 0.5 }, hoverinfo: "skip", showlegend: false },
      { type: "scatter", mode: "lines", name: "min", x, y: low, line: { color: "#1f77b4", width: 0.5 }, fill: "tonexty", fillcolor: "rgba(31,119,180,0.6)", showlegend: false, hovertemplate: "%{x:.2f} s<extra></extra>" },
    ],
    layout: {
      title: { text: input.title ?? "Waveform" },
      xaxis: { title: { text: "time (s)" }, range: [0, samples.length / rate] },
      yaxis: { title: { text: "amplitude" }, range: [-1, 1] },
      shapes,
      annotations,
      margin: { t: 64, r: 24, b: 48, l: 56 },
    },
  };
}
