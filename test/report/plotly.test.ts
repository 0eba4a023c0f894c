/** lib/report/plotly.ts: chart HTML, inline bundle only on request, script-safe data. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { PLOTLY_BUNDLE_MARKER, chartHtml, plot, plotlyBundle, plotlyVersion } from "../../lib/report/plotly";
import { inNotebook } from "../../lib/report/display";

const count = (text: string, needle: string): number => text.split(needle).length - 1;

test("the bundle is plotly.js from node_modules, and only a chart that asks for it carries it", () => {
  const bundle = plotlyBundle();
  assert.ok(bundle.length > 1_000_000, "plotly.min.js is several MB");
  assert.match(bundle.slice(0, 200), new RegExp(`plotly\\.js v${plotlyVersion().replace(/\./g, "\\.")}`));
  const first = chartHtml([{ type: "bar", x: [1], y: [2] }], {}, {}, { includeBundle: true });
  const second = chartHtml([{ type: "bar", x: [1], y: [2] }], {}, {}, { includeBundle: false });
  assert.equal(count(first, PLOTLY_BUNDLE_MARKER), 1);
  assert.equal(count(first, `plotly.js v${plotlyVersion()}`), 1);
  assert.equal(count(second, PLOTLY_BUNDLE_MARKER), 0);
  assert.ok(second.length < 2000, "a chart without the bundle is small");
  assert.doesNotMatch(first + second, /<script[^>]+src=/, "never a script loaded from elsewhere");
});

test("chart data cannot close the script element or inject markup", () => {
  const html = chartHtml([{ type: "scatter", x: [1], y: [2], name: "</script><img src=x onerror=alert(1)>\u2028" }], { title: { text: "<b>" } }, {}, { includeBundle: false, id: "c1" });
  const scripts = html.split("<script").length - 1;
  assert.equal(scripts, 1);
  assert.equal(count(html, "</script>"), 1);
  assert.ok(!html.includes("<img"), "HTML in data is escaped");
  assert.ok(html.includes('id="c1"'));
  // The JSON still decodes to the original strings.
  const json = /var spec = (.*);\n/.exec(html)![1];
  const spec = JSON.parse(json) as { data: { name: string }[]; layout: { title: { text: string } } };
  assert.equal(spec.data[0].name, "</script><img src=x onerror=alert(1)>\u2028");
  assert.equal(spec.layout.title.text, "<b>");
});

test("outside a notebook plot() shows nothing and does not throw", () => {
  assert.equal(inNotebook(), false);
  assert.equal(plot([{ type: "bar", x: [1], y: [1] }]), undefined);
});
