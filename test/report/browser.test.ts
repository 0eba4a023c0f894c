/** Charts and tables from lib/report drawn by a real (headless, offline) Chromium. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { chartHtml } from "../../lib/report/plotly";
import { tableHtml } from "../../lib/report/tables";
import { chromiumMissing, openOffline } from "./chromium";

const skip = chromiumMissing();

function page(body: string): string {
  const dir = mkdtempSync(join(tmpdir(), "psl-browser-"));
  const path = join(dir, "page.html");
  writeFileSync(path, `<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>${body}</body></html>`);
  return path;
}

test("two charts, one bundle: the second chart draws with the first one's plotly.js, offline", { skip }, async () => {
  const path = page(
    chartHtml([{ type: "scatter", x: [1, 2, 3], y: [3, 1, 2] }], { title: { text: "first" } }, {}, { includeBundle: true, id: "a" }) +
      tableHtml([{ cls: "Speech", ap: 0.61 }]) +
      chartHtml([{ type: "bar", x: ["</script>", "b"], y: [1, 2] }], {}, {}, { includeBundle: false, id: "b" }),
  );
  const view = await openOffline(path);
  try {
    await view.page.waitForSelector("#b svg.main-svg", { timeout: 30_000 });
    assert.equal(await view.page.locator("#a svg.main-svg").count() > 0, true);
    assert.equal(await view.page.locator("table td").first().textContent(), "Speech");
    assert.deepEqual(view.blocked, []);
    assert.deepEqual(view.errors, []);
  } finally {
    await view.close();
    rmSync(join(path, ".."), { recursive: true, force: true });
  }
});

test("a chart whose bundle is missing says so instead of failing silently", { skip }, async () => {
  const path = page(chartHtml([{ type: "bar", x: [1], y: [1] }], {}, {}, { includeBundle: false, id: "lonely" }));
  const view = await openOffline(path);
  try {
    assert.match((await view.page.locator("#lonely").textContent()) ?? "", /^Chart not drawn: this page has no plotly\.js\. The kernel sends it once, with its first chart/);
    assert.equal(await view.page.locator("svg.main-svg").count(), 0);
    assert.deepEqual(view.errors, []);
  } finally {
    await view.close();
    rmSync(join(path, ".."), { recursive: true, force: true });
  }
});

/** A page with a require.js-like loader (the classic notebook's), serving `nbextensions/…` from the page's folder. */
function pageWithRequire(body: string, withNbextension: boolean): string {
  const path = page(
    `<script>window.requirejs = function (modules, ok, fail) {
  var s = document.createElement("script"); s.src = "./" + modules[0] + ".js";
  s.onload = function () { ok(undefined); }; s.onerror = fail; document.head.appendChild(s);
};</script>${body}`,
  );
  if (withNbextension) {
    mkdirSync(join(path, "..", "nbextensions", "psl-plotly"), { recursive: true });
    copyFileSync(require.resolve("plotly.js-dist-min/plotly.min.js"), join(path, "..", "nbextensions", "psl-plotly", "plotly.min.js"));
  }
  return path;
}

test("in a live notebook page, charts without the bundle load plotly.js once through require.js (the nbextension)", { skip }, async () => {
  const body = ["one", "two"].map((id) => chartHtml([{ type: "bar", x: [1], y: [1] }], {}, {}, { includeBundle: false, id })).join("");
  const served = pageWithRequire(body, true);
  const view = await openOffline(served);
  try {
    await view.page.waitForSelector("#two svg.main-svg", { timeout: 30_000 });
    assert.equal(await view.page.locator("#one svg.main-svg").count() > 0, true);
    assert.deepEqual(view.errors, []);
  } finally {
    await view.close();
    rmSync(join(served, ".."), { recursive: true, force: true });
  }
  const notServed = pageWithRequire(body, false);
  const broken = await openOffline(notServed);
  try {
    await broken.page.waitForFunction('document.getElementById("one").textContent.startsWith("Chart not drawn")', undefined, { timeout: 30_000 });
    assert.match((await broken.page.locator("#one").textContent()) ?? "", /does not serve plotly\.js \(nbextension psl-plotly\)\. Run `npm run setup`/);
  } finally {
    await broken.close();
    rmSync(join(notServed, ".."), { recursive: true, force: true });
  }
});
