/**
 * liveChart (lib/report/charts/show.ts): one output redrawn in place through tslab's display, found the way the kernel
 * exposes it (a loaded `tslab/dist/jupyter.js` with `public.js` beside it). A stand-in tslab records every redraw
 * (`drawn`, newDisplay().html) and every plain output (`shown`, display.html: where the plotly bundle goes).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { liveChart, showChart, trainingCurveChart } from "../../lib/report/charts";
import { PLOTLY_BUNDLE_MARKER, resendPlotlyBundle } from "../../lib/report/plotly";

/** Loads a stand-in tslab whose newDisplay() records html() calls (and throws on "fail"), as a running kernel would. */
async function withFakeTslab(run: (drawn: string[], shown: string[]) => void | Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "psl-tslab-"));
  const dist = join(dir, "tslab", "dist");
  mkdirSync(dist, { recursive: true });
  writeFileSync(join(dist, "jupyter.js"), "module.exports = {};\n");
  writeFileSync(
    join(dist, "public.js"),
    `const drawn = [];
const shown = [];
module.exports = { drawn, shown, display: { html(s) { shown.push(s); }, text() {} },
  newDisplay() { return { html(s) { if (s.includes("fail")) throw new Error("Not ready"); drawn.push(s); } }; } };\n`,
  );
  const jupyter = join(dist, "jupyter.js");
  const publicJs = join(dist, "public.js");
  require(jupyter);
  resendPlotlyBundle(); // a fresh kernel session: no bundle sent yet
  try {
    const fake = require(publicJs) as { drawn: string[]; shown: string[] };
    await run(fake.drawn, fake.shown);
  } finally {
    delete require.cache[require.resolve(jupyter)];
    delete require.cache[require.resolve(publicJs)];
    rmSync(dir, { recursive: true, force: true });
  }
}

const curve = (epochs: number, title = "teacher") =>
  trainingCurveChart(Array.from({ length: epochs }, (_, i) => ({ epoch: i + 1, meanLoss: 1 / (i + 1), validationMAP: 0.1 * i })), { title, maxEpochs: 5 });

test("outside a notebook a live chart draws nothing and never throws", () => {
  const chart = liveChart();
  assert.doesNotThrow(() => chart.update(curve(2)));
});

test("in a notebook every update redraws the same element, without the plotly bundle, at the requested height", async () => {
  await withFakeTslab((drawn) => {
    const chart = liveChart({ height: "360px" });
    chart.update(curve(1));
    chart.update(curve(3));
    assert.equal(drawn.length, 2);
    const ids = drawn.map((html) => /<div id="([^"]+)" class="psl-plot" style="width:100%;height:360px;">/.exec(html)?.[1]);
    assert.ok(ids[0]?.startsWith("psl-live-"), drawn[0].slice(0, 120));
    assert.equal(ids[0], ids[1], "one output, redrawn in place");
    for (const html of drawn) assert.ok(!html.includes(PLOTLY_BUNDLE_MARKER), "a live update must not carry the 4.7 MB bundle");
    // The second draw holds the newer figure: three epochs of training loss.
    const spec = JSON.parse(/var spec = (\{.*\});/.exec(drawn[1])![1]) as { data: { x: number[] }[] };
    assert.deepEqual(spec.data[0].x, [1, 2, 3]);
    // A second live chart is a separate output.
    liveChart().update(curve(1));
    assert.notEqual(/<div id="([^"]+)"/.exec(drawn[2])![1], ids[0]);
  });
});

const epochsOf = (html: string): number[] => (JSON.parse(/var spec = (\{.*\});/.exec(html)![1]) as { data: { x: number[] }[] }).data[0].x;

test("updates closer together than minIntervalMs are held back; finish() draws the final figure at once", async () => {
  await withFakeTslab((drawn) => {
    const chart = liveChart({ minIntervalMs: 60_000 });
    chart.update(curve(1));
    chart.update(curve(2));
    chart.update(curve(3));
    assert.equal(drawn.length, 1, "throttled to the first update within the interval");
    chart.finish(curve(4));
    assert.equal(drawn.length, 2, "the final figure is never throttled away");
    assert.deepEqual(epochsOf(drawn[1]), [1, 2, 3, 4]);
    const failing = liveChart();
    assert.doesNotThrow(() => failing.update(curve(2, "fail")), "tslab's 'Not ready' outside an execute request is not an error");
    assert.equal(drawn.length, 2);
  });
});

test("a held-back update is drawn once the interval has passed, and finish() without a figure draws it", async () => {
  await withFakeTslab(async (drawn) => {
    const chart = liveChart({ minIntervalMs: 40 });
    chart.update(curve(1));
    chart.update(curve(2));
    chart.update(curve(3));
    assert.equal(drawn.length, 1);
    await new Promise((resolve) => setTimeout(resolve, 120));
    assert.equal(drawn.length, 2, "the newest held-back figure lands without another update");
    assert.deepEqual(epochsOf(drawn[1]), [1, 2, 3]);
    const other = liveChart({ minIntervalMs: 60_000 });
    other.update(curve(1));
    other.update(curve(5));
    other.finish();
    assert.deepEqual(epochsOf(drawn.at(-1)!), [1, 2, 3, 4, 5], "finish() draws what was held back");
  });
});

test("report mode: the first live chart of a session brings the plotly bundle in an output of its own, once", async () => {
  await withFakeTslab((drawn, shown) => {
    liveChart().update(curve(1));
    liveChart().update(curve(2));
    assert.equal(shown.length, 1, "one bundle output before the first live chart");
    assert.equal(shown[0].split(`class="${PLOTLY_BUNDLE_MARKER}"`).length - 1, 1);
    assert.equal(drawn.length, 2);
    for (const html of drawn) assert.ok(!html.includes(PLOTLY_BUNDLE_MARKER));
  });
});

test("live Jupyter (PSL_PLOTLY=nbextension): no chart and no live chart carries the bundle", async () => {
  process.env.PSL_PLOTLY = "nbextension";
  try {
    await withFakeTslab((drawn, shown) => {
      liveChart().update(curve(1));
      showChart(curve(2));
      assert.equal(shown.length, 1, "the finished chart");
      assert.ok(!shown[0].includes(PLOTLY_BUNDLE_MARKER));
      assert.match(shown[0], /nbextensions\/psl-plotly\/plotly\.min/, "it loads plotly.js through the page's require.js");
      assert.ok(!drawn[0].includes(PLOTLY_BUNDLE_MARKER));
    });
  } finally {
    delete process.env.PSL_PLOTLY;
  }
});
