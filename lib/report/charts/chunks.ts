import type { Chart, TimeSpan } from "./types";
import { colorOf, round } from "./types";

export interface ChunkCutInput {
  duration: number;
  chunkSeconds: number;
  /** Hop between chunk starts (default chunkSeconds, as the reference). */
  hopSeconds?: number;
  /** True events of the clip (when known): shows what each chunk actually contains. */
  events?: readonly TimeSpan[];
  /** The clip's weak labels: every chunk inherits all of them, whatever it contains. */
  weakLabels?: readonly string[];
  title?: string;
}

/** Chunk ranges as the reference cuts a clip: from = 0, hop, 2·hop, … < duration; to = min(from + chunk, duration). */
export function chunkRanges(duration: number, chunkSeconds: number, hopSeconds = chunkSeconds): Array<{ from: number; to: number }> {
  const out: Array<{ from: number; to: number }> = [];
  for (let i = 0; ; i++) {
    const from = round(i * hopSeconds, 6);
    if (from >= duration - 1e-9) break;
    out.push({ from, to: round(Math.min(from + chunkSeconds, duration), 6) });
  }
  return out;
}

/**
 * How a chunk size cuts a clip: the chunks as a row of boxes, the clip's true events underneath (when known), and
 * in each chunk's hover which events overlap it versus the weak labels it would inherit from the clip.
 */
export function chunkCutChart(input: ChunkCutInput): Chart {
  const chunks = chunkRanges(input.duration, input.chunkSeconds, input.hopSeconds);
  const events = input.events ?? [];
  const labels = [...new Set(events.map((e) => e.label))];
  const chunkRow = `${input.chunkSeconds} s chunks`;
  const inherited = input.weakLabels?.length ? input.weakLabels.join(", ") : "(none)";
  const data: Chart["data"] = [
    {
      type: "bar",
      orientation: "h",
      name: "chunks",
      y: chunks.map(() => chunkRow),
      x: chunks.map((c) => round(c.to - c.from, 3)),
      base: chunks.map((c) => c.from),
      marker: { color: chunks.map((_, i) => (i % 2 ? "#9ecae1" : "#3182bd")), line: { color: "white", width: 2 } },
      text: chunks.map((_, i) => `#${i}`),
      textposition: "inside",
      customdata: chunks.map((c) => {
        const inside = [...new Set(events.filter((e) => e.onset < c.to && e.offset > c.from).map((e) => e.label))];
        return [c.from, c.to, inside.length ? inside.join(", ") : "(nothing labelled)", inherited];
      }),
      hovertemplate: "chunk %{customdata[0]}–%{customdata[1]} s<br>contains: %{customdata[2]}<br>inherits weak: %{customdata[3]}<extra></extra>",
    },
  ];
  labels.forEach((label, i) => {
    const spans = events.filter((e) => e.label === label);
    data.push({
      type: "bar",
      orientation: "h",
      name: label,
      y: spans.map(() => label),
      x: spans.map((e) => round(e.offset - e.onset, 3)),
      base: spans.map((e) => round(e.onset, 3)),
      marker: { color: colorOf(i) },
      hovertemplate: `${label}: from %{base:.2f} s, %{x:.2f} s long<extra></extra>`,
    });
  });
  const shapes = chunks.slice(1).map((c) => ({ type: "line", xref: "x", yref: "paper", x0: c.from, x1: c.from, y0: 0, y1: 1, line: { color: "#555", width: 1, dash: "dot" } }));
  return {
    data,
    layout: {
      title: { text: input.title ?? `A ${input.duration.toFixed(1)} s clip cut into ${chunks.length} chunks of ${input.chunkSeconds} s` },
      barmode: "overlay",
      xaxis: { title: { text: "time (s)" }, range: [0, input.duration] },
      yaxis: { type: "category", automargin: true, categoryorder: "array", categoryarray: [...labels].reverse().concat(chunkRow) },
      shapes,
      showlegend: false,
    },
  };
}

export interface HeatmapRow {
  /** Class name shown on the y axis. */
  name: string;
  /** One probability per chunk. */
  values: readonly number[];
  /** In the clip's weak labels. */
  weak?: boolean;
  /** In the clip's true labels (demo corpus only). */
  truth?: boolean;
}

/**
 * Classes × chunks heatmap of teacher probabilities for one clip, the y labels marking each class as a weak label
 * (W) and/or a true label (T): a bright cell on a class without W is a label the teacher adds.
 */
export function chunkHeatmapChart(rows: readonly HeatmapRow[], chunks: ReadonlyArray<{ from: number; to: number }>, options: { title?: string } = {}): Chart {
  const names = rows.map((r) => {
    const marks = [r.weak ? "W" : "", r.truth === undefined ? "" : r.truth ? "T" : ""].filter(Boolean).join("");
    return `${r.name} ${marks ? `[${marks}]` : "[ ]"}`;
  });
  const x = chunks.map((c) => `${round(c.from, 2)}–${round(c.to, 2)} s`);
  const z = rows.map((r) => r.values.map((v) => round(v, 3)));
  return {
    data: [
      {
        type: "heatmap",
        x,
        y: names,
        z,
        zmin: 0,
        zmax: 1,
        colorscale: "YlOrRd",
        reversescale: false,
        colorbar: { title: { text: "p" } },
        text: z.map((row) => row.map((v) => v.toFixed(2))),
        texttemplate: "%{text}",
        hovertemplate: "%{y}<br>%{x}: p = %{z:.3f}<extra></extra>",
      },
    ],
    layout: {
      title: { text: options.title ?? "Teacher probabilities per chunk" },
      xaxis: { title: { text: "chunk" }, type: "category" },
      yaxis: { automargin: true, type: "category", autorange: "reversed" },
      margin: { t: 48, r: 24, b: 56, l: 200 },
    },
  };
}
