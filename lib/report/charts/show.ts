/**
 * Displaying the figures built here: `showChart` for a finished figure, `liveChart` for one redrawn in place while
 * something runs (a training curve). A live chart's final state is what the saved notebook and its report keep.
 */
import { dirname, join } from "node:path";
import { chartHtml, plot, type PlotOptions } from "../plotly";
import type { Chart } from "./types";

/** Shows a figure (the plotly bundle rides along with the session's first chart). */
export function showChart(chart: Chart, options: PlotOptions = {}): void {
  plot(chart.data, chart.layout, {}, options);
}

interface InPlaceDisplay {
  html(s: string): void;
}

/** tslab's `newDisplay()` (one output updated in place) when running in a tslab kernel, else undefined. */
function newDisplay(): InPlaceDisplay | undefined {
  const jupyterModule = Object.keys(require.cache).find((id) => /[\\/]tslab[\\/]dist[\\/]jupyter\.js$/.test(id));
  if (!jupyterModule) return undefined;
  try {
    // The kernel's own tslab instance (see report/progress.ts for why it is not `require("tslab")`).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require(join(dirname(jupyterModule), "public.js")) as { newDisplay(): InPlaceDisplay }).newDisplay();
  } catch {
    return undefined;
  }
}

export interface LiveChart {
  /** Redraws the chart with a new figure (no-op outside a notebook). */
  update(chart: Chart): void;
}

/**
 * A chart output that `update` redraws in place. It never carries the plotly bundle (re-sending 4.7 MB per update
 * would bloat the notebook): show any chart with `showChart` earlier in the session so the bundle is defined.
 * Updates are throttled to one per `minIntervalMs` (the last one always lands via `update` after the loop ends).
 */
export function liveChart(options: { height?: string; minIntervalMs?: number } = {}): LiveChart {
  const display = newDisplay();
  const id = `psl-live-${Math.random().toString(36).slice(2, 10)}`;
  let last = 0;
  return {
    update(chart: Chart) {
      if (!display) return;
      const now = Date.now();
      if (now - last < (options.minIntervalMs ?? 0)) return;
      last = now;
      try {
        display.html(chartHtml(chart.data, chart.layout, {}, { includeBundle: false, height: options.height, id }));
      } catch {
        // tslab throws "Not ready" outside an execute request; a live chart is a convenience, never an error.
      }
    },
  };
}
