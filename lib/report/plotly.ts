/**
 * Interactive Plotly charts in notebooks and in their offline HTML reports.
 *
 * Reports must open without network, so the plotly.js bundle (plotly.js-dist-min, ~4.7 MB) is inlined,
 * and only ONCE per notebook: the first chart shown in a kernel session carries the bundle in its own
 * output, later charts only carry their data and a few lines that call `window.Plotly.newPlot`.
 * Outputs render in document order (in the exported HTML and when Jupyter reloads a saved notebook),
 * so the bundle is defined before any later chart draws. A CDN, or one bundle per chart, is never used.
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
  if (window.Plotly) { window.Plotly.newPlot(el, spec.data, spec.layout, spec.config); return; }
  el.style.height = "auto";
  el.textContent = "Chart not drawn: the plotly.js bundle is emitted by the first chart of a kernel session; re-run that cell (or call psl.report.plot with {includeBundle: true}).";
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
  const includeBundle = options.includeBundle ?? !bundleEmitted;
  const shown = displayHtml(chartHtml(data, layout, config, { includeBundle, height: options.height }));
  if (shown && includeBundle) bundleEmitted = true;
}
