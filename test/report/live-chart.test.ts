/**
 * liveChart (lib/report/charts/show.ts): one output redrawn in place through tslab's display, found the way the kernel
 * exposes it (a loaded `tslab/dist/jupyter.js` with `public.js` beside it). A stand-in tslab records every redraw.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { liveChart, trainingCurveChart } from "../../lib/report/charts";
import { PLOTLY_BUNDLE_MARKER } from "../../lib/report/plotly";

/** Loads a stand-in tslab whose newDisplay() records html() calls (and throws on "fail"), as a running kernel would. */
function withFakeTslab(run: (drawn: string[]) => void): void {
  const dir = mkdtempSync(join(tmpdir(), "psl-tslab-"));
  const dist = join(dir, "tslab", "dist");
  mkdirSync(dist, { recursive: true });
  writeFileSync(join(dist, "jupyter.js"), "module.exports = {};\n");
  writeFileSync(
    join(dist, "public.js"),
    `const drawn = [];
module.exports = { drawn, newDisplay() { return { html(s) { if (s.includes("fail")) throw new Error("Not ready"); drawn.push(s); } }; } };\n`,
  );
  const jupyter = join(dist, "jupyter.js");
  const publicJs = join(dist, "public.js");
  require(jupyter);
  try {
    run((require(publicJs) as { drawn: string[] }).drawn);
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

test("in a notebook every update redraws the same element, without the plotly bundle, at the requested height", () => {
  withFakeTslab((drawn) => {
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

test("updates closer together than minIntervalMs are dropped; a display error is swallowed", () => {
  withFakeTslab((drawn) => {
    const chart = liveChart({ minIntervalMs: 60_000 });
    chart.update(curve(1));
    chart.update(curve(2));
    chart.update(curve(3));
    assert.equal(drawn.length, 1, "throttled to the first update within the interval");
    const failing = liveChart();
    assert.doesNotThrow(() => failing.update(curve(2, "fail")), "tslab's 'Not ready' outside an execute request is not an error");
    assert.equal(drawn.length, 1);
  });
});
