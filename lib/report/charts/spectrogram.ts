import { FRAMES_PER_SECOND } from "../../audio/frontend";
import type { Chart, ClipMarks } from "./types";
import { colorOf, round } from "./types";

export interface SpectrogramInput extends ClipMarks {
  /** Log-mel frames, row-major [frames, bands] (the kit's feature layout). */
  logMel: Float32Array | readonly number[];
  bands: number;
  /** Frames per second (default: the front-end's, FRAMES_PER_SECOND = 100). */
  framesPerSecond?: number;
  /** At most this many time columns are drawn (frames are averaged in groups); keeps reports small. */
  maxColumns?: number;
}

/**
 * Log-mel spectrogram heatmap (time × mel band) with the clip's strong labels as outlined boxes and, in a second
 * panel underneath, a label timeline (one row per class). Without events it is the heatmap alone.
 */
export function spectrogramChart(input: SpectrogramInput): Chart {
  const { logMel, bands } = input;
  const fps = input.framesPerSecond ?? FRAMES_PER_SECOND;
  const frames = Math.floor(logMel.length / bands);
  const group = Math.max(1, Math.ceil(frames / (input.maxColumns ?? 500)));
  const columns = Math.ceil(frames / group);
  const z: number[][] = Array.from({ length: bands }, () => new Array<number>(columns).fill(0));
  for (let c = 0; c < columns; c++) {
    const start = c * group;
    const end = Math.min(frames, start + group);
    for (let b = 0; b < bands; b++) {
      let sum = 0;
      for (let f = start; f < end; f++) sum += logMel[f * bands + b];
      z[b][c] = round(sum / (end - start), 1);
    }
  }
  const x = Array.from({ length: columns }, (_, c) => round(((c + 0.5) * group) / fps, 3));
  const events = input.events ?? [];
  const labels = [...new Set(events.map((e) => e.label))];
  const hasTimeline = labels.length > 0;
  // The timeline panel grows with its rows (about 7 % of the figure each); the spectrogram sits right above it.
  const timelineTop = hasTimeline ? Math.min(0.4, 0.05 + 0.07 * labels.length) : 0;
  const spectrogramBottom = hasTimeline ? timelineTop + 0.08 : 0;
  const data: Chart["data"] = [
    { type: "heatmap", x, y: Array.from({ length: bands }, (_, b) => b), z, colorscale: "Viridis", colorbar: { title: { text: "dB" }, len: 1 - spectrogramBottom, y: (1 + spectrogramBottom) / 2 }, hovertemplate: "%{x:.2f} s · band %{y}: %{z} dB<extra></extra>", xaxis: "x", yaxis: "y" },
  ];
  const shapes: Record<string, unknown>[] = [];
  events.forEach((e) => {
    const color = colorOf(labels.indexOf(e.label));
    shapes.push({ type: "rect", xref: "x", yref: "y", x0: e.onset, x1: e.offset, y0: -0.5, y1: bands - 0.5, line: { color, width: 2 }, fillcolor: "rgba(0,0,0,0)" });
  });
  labels.forEach((label, i) => {
    const spans = events.filter((e) => e.label === label);
    // One trace per class: a thick horizontal line per event (null separates events), hover shows times.
    const xs: Array<number | null> = [];
    const ys: Array<string | null> = [];
    for (const e of spans) xs.push(round(e.onset, 3), round(e.offset, 3), null), ys.push(label, label, null);
    data.push({ type: "scatter", mode: "lines", x: xs, y: ys, line: { color: colorOf(i), width: 12 }, name: label, xaxis: "x", yaxis: "y2", hovertemplate: `${label}: %{x:.2f} s<extra></extra>` });
  });
  for (const edge of input.chunkEdges ?? []) {
    shapes.push({ type: "line", xref: "x", yref: "paper", x0: edge, x1: edge, y0: 0, y1: 1, line: { color: "white", width: 1.5, dash: "dash" } });
  }
  const duration = frames / fps;
  const layout: Chart["layout"] = {
    title: { text: input.title ?? "Log-mel spectrogram" },
    xaxis: { title: { text: "time (s)" }, range: [0, duration], anchor: hasTimeline ? "y2" : "y" },
    yaxis: { title: { text: "mel band" }, domain: [spectrogramBottom, 1] },
    shapes,
    showlegend: false,
  };
  if (hasTimeline) {
    layout.yaxis2 = { domain: [0, timelineTop], type: "category", automargin: true, categoryorder: "array", categoryarray: [...labels].reverse() };
    layout.margin = { t: 48, r: 24, b: 48, l: 140 };
  }
  return { data, layout };
}
