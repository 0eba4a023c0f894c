/** Charts and tables from lib/report drawn by a real (headless, offline) Chromium. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
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
    assert.match((await view.page.locator("#lonely").textContent()) ?? "", /plotly\.js bundle is emitted by the first chart/);
    assert.equal(await view.page.locator("svg.main-svg").count(), 0);
    assert.deepEqual(view.errors, []);
  } finally {
    await view.close();
    rmSync(join(path, ".."), { recursive: true, force: true });
  }
});
