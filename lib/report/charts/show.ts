/**
 * Displaying the figures built here: `showChart` for a finished figure, `liveChart` for one redrawn in place while
 * something runs (a training curve). A live chart's final state is what the saved notebook and its report keep.
 */
import { dirname, join } from "node:path";
import { chartHtml, ensurePlotlyBundle, plot, type PlotOptions } from "../plotly";
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
  /**
   * Redraws the chart with a new figure (no-op outside a notebook). Within `minIntervalMs` of the last draw the figure
   * is kept instead and drawn when the interval has passed, so the newest figure always lands.
   */
  update(chart: Chart): void;
  /** Draws `chart` (or the kept figure) now, whatever the throttle: the state the saved notebook keeps. */
  finish(chart?: Chart): void;
}

/**
 * A chart output that `update` redraws in place. Updates never carry the plotly bundle (re-sending 4.7 MB per update
 * would bloat the notebook); when the page needs it (report mode, first chart of the kernel session), the bundle is
 * shown once as an output of its own before the live chart (`ensurePlotlyBundle`).
 * Updates are throttled to one per `minIntervalMs`; a dropped one is drawn by a timer once the interval has passed,
 * and `finish` draws the final figure at once (call it when the loop ends, while the cell is still running).
 */
export function liveChart(options: { height?: string; minIntervalMs?: number } = {}): LiveChart {
  const display = newDisplay();
  if (display) ensurePlotlyBundle();
  const id = `psl-live-${Math.random().toString(36).slice(2, 10)}`;
  const minIntervalMs = options.minIntervalMs ?? 0;
  let last = -Infinity;
  let pending: Chart | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const draw = (chart: Chart) => {
    pending = undefined;
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    last = Date.now();
    try {
      display!.html(chartHtml(chart.data, chart.layout, {}, { includeBundle: false, height: options.height, id }));
    } catch {
      // tslab throws "Not ready" outside an execute request; a live chart is a convenience, never an error.
    }
  };
  return {
    update(chart: Chart) {
      if (!display) return;
      const wait = last + minIntervalMs - Date.now();
      if (wait <= 0) return draw(chart);
      pending = chart;
      if (timer === undefined) {
        timer = setTimeout(() => pending && draw(pending), wait);
        // A pending redraw must not keep a CLI process (or a test) alive.
        timer.unref?.();
      }
    },
    finish(chart?: Chart) {
      if (!display) return;
      const final = chart ?? pending;
      if (final) draw(final);
    },
  };
}
