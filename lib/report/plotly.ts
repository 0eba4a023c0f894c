/**
 * Interactive Plotly charts in notebooks and in their offline HTML reports.
 *
 * Where plotly.js (plotly.js-dist-min, ~4.7 MB) comes from, never a CDN and never once per chart:
 * - Reports (the headless runner, and any front-end not started by `npm run jupyter`): the bundle is inlined ONCE per
 *   kernel session, in the first chart's output; later charts carry only their data and a few lines that call
 *   `window.Plotly.newPlot`. Outputs render in document order, so the bundle is defined before any later chart draws.
 * - Live Jupyter pages (`npm run jupyter` sets PSL_PLOTLY=nbextension for its kernels): no chart carries the bundle.
 *   The notebook server serves it as the project-local nbextension `psl-plotly` (<repo>/.jupyter/nbextensions, found
 *   through JUPYTER_PATH), and each chart loads it with the page's require.js, which fetches it once per page. So a
 *   reloaded page, a second tab, or a kernel that already drew charts still draws every chart; once-per-kernel
 *   inlining could not (the page that got the bundle is gone, the kernel does not know). A chart of a report-mode
 *   kernel shown in a classic notebook page falls back to the same nbextension when the page has no Plotly.
 */
import { readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { displayHtml } from "./display";

/** One Plotly trace (`{type: "scatter", x, y, ...}`); see plotly.js reference for the fields. */
export type PlotlyTrace = Record<string, unknown>;
/** Plotly layout (`{title, xaxis: {title}, ...}`). */
export type PlotlyLayout = Record<string, unknown>;
/** Plotly config (`{responsive, displayModeBar, ...}`). */
export type PlotlyConfig = Record<string, unknown>;

export interface PlotOptions {
  /** Force (true) or suppress (false) the inline bundle; default: only for the first chart of the session. */
  includeBundle?: boolean;
  /** CSS height of the chart box (default "420px"). */
  height?: string;
}

/** Marker placed on the bundle's script tag; tests count it to check the bundle appears exactly once. */
export const PLOTLY_BUNDLE_MARKER = "psl-plotly-bundle";

/** The nbextension folder scripts/setup.mjs writes under <repo>/.jupyter/nbextensions, and its require.js module. */
export const PLOTLY_NBEXTENSION = "psl-plotly";
export const PLOTLY_NBEXTENSION_MODULE = `nbextensions/${PLOTLY_NBEXTENSION}/plotly.min`;

/** "nbextension" when the kernel runs under `npm run jupyter` (PSL_PLOTLY=nbextension), else "inline". */
export function plotlySource(env: NodeJS.ProcessEnv = process.env): "inline" | "nbextension" {
  return env.PSL_PLOTLY === "nbextension" ? "nbextension" : "inline";
}

let bundleCache: string | undefined;
let bundleEmitted = false;

/** plotly.js version shipped with the kit (from plotly.js-dist-min's package.json). */
export function plotlyVersion(): string {
  return (JSON.parse(readFileSync(require.resolve("plotly.js-dist-min/package.json"), "utf8")) as { version: string }).version;
}

/** The minified plotly.js bundle, read once from node_modules. */
export function plotlyBundle(): string {
  if (bundleCache === undefined) {
    const source = readFileSync(require.resolve("plotly.js-dist-min/plotly.min.js"), "utf8");
    // A literal "</script" inside a script element would end it early; the bundle has none today,
    // but escaping keeps a future plotly release from silently breaking every report.
    bundleCache = source.replace(/<\/script/gi, "<\\/script");
  }
  return bundleCache;
}

/** What a chart says when it cannot draw (in place of the chart). */
const NBEXTENSION_MISSING =
  "the Jupyter server does not serve plotly.js (nbextension psl-plotly). Run `npm run setup`, then start Jupyter with `npm run jupyter`.";
const NO_PLOTLY =
  "this page has no plotly.js. The kernel sends it once, with its first chart, and this page was opened after that " +
  "(reloaded, or a second tab). Run psl.report.resendPlotlyBundle() and re-run the cell, or use `npm run jupyter`, " +
  "which serves plotly.js to every page.";

/** JSON that is safe inside a <script> element (no "</script>", no HTML comment openers, no JS line separators). */
function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/**
 * The HTML fragment for one chart: a div, optionally the inline bundle, and the script that draws it.
 * Pure (no display); `plot` below shows it.
 */
export function chartHtml(
  data: PlotlyTrace[],
  layout: PlotlyLayout = {},
  config: PlotlyConfig = {},
  options: { includeBundle: boolean; height?: string; id?: string },
): string {
  const id = options.id ?? `psl-plot-${randomBytes(6).toString("hex")}`;
  const spec = scriptSafeJson({
    data,
    layout: { autosize: true, margin: { t: 48, r: 24, b: 48, l: 56 }, ...layout },
    config: { responsive: true, displaylogo: false, ...config },
  });
  const parts = [`<div id="${id}" class="psl-plot" style="width:100%;height:${options.height ?? "420px"};"></div>`];
  if (options.includeBundle) {
    parts.push(`<script type="text/javascript" class="${PLOTLY_BUNDLE_MARKER}">\n${plotlyBundle()}\n</script>`);
  }
  parts.push(
    `<script type="text/javascript">
(function () {
  var spec = ${spec};
  var el = document.getElementById(${JSON.stringify(id)});
  function draw() { window.Plotly.newPlot(el, spec.data, spec.layout, spec.config); }
  function missing(why) { el.style.height = "auto"; el.textContent = "Chart not drawn: " + why; }
  if (window.Plotly) return draw();
  if (typeof window.requirejs === "function") {
    window.requirejs([${JSON.stringify(PLOTLY_NBEXTENSION_MODULE)}], function (P) { window.Plotly = window.Plotly || P; draw(); },
      function () { missing(${JSON.stringify(NBEXTENSION_MISSING)}); });
    return;
  }
  missing(${JSON.stringify(NO_PLOTLY)});
})();
</script>`,
  );
  return parts.join("\n");
}


/**
 * Shows an interactive Plotly chart in the notebook; outside a notebook (CLI, tests) it shows nothing.
 * Returns nothing on purpose: a chart as a cell's last expression must not also print its HTML.
 */
export function plot(data: PlotlyTrace[], layout: PlotlyLayout = {}, config: PlotlyConfig = {}, options: PlotOptions = {}): void {
  const includeBundle = options.includeBundle ?? needsBundle();
  const shown = displayHtml(chartHtml(data, layout, config, { includeBundle, height: options.height }));
  if (shown && includeBundle) bundleEmitted = true;
}

/** Whether the next chart must carry the bundle: inline mode, and not yet sent in this kernel session. */
function needsBundle(): boolean {
  return plotlySource() === "inline" && !bundleEmitted;
}

/**
 * Makes sure plotly.js is defined for charts that never carry it (live charts): in inline mode, shows the bundle as an
 * output of its own, once per kernel session, before them. Returns false outside a notebook.
 */
export function ensurePlotlyBundle(): boolean {
  if (!needsBundle()) return true;
  const shown = displayHtml(`<script type="text/javascript" class="${PLOTLY_BUNDLE_MARKER}">\n${plotlyBundle()}\n</script>`);
  if (shown) bundleEmitted = true;
  return shown;
}

/**
 * The next chart carries the bundle again. For a front-end without the nbextension (JupyterLab, VS Code) after its
 * page was reloaded while the kernel lived on: the new page has no plotly.js until a chart brings it.
 */
export function resendPlotlyBundle(): void {
  bundleEmitted = false;
}
