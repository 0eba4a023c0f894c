/**
 * notebooks/00-environment.ipynb executed headless through `npm run reproduce`'s code path, with parameter
 * overrides and --no-input; then the report is opened in offline headless Chromium.
 */
import { before, after, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { allOutputText, jupyterMissing, readNotebook, runRunner, text, type RunResult } from "./runner";
import { chromiumMissing, openOffline } from "../report/chromium";
import { PLOTLY_BUNDLE_MARKER, plotlyVersion } from "../../lib/report/plotly";

const skip = jupyterMissing();
const skipBrowser = skip ?? chromiumMissing();
const NOTE = "override-check-42";
let run: RunResult;

before(() => {
  if (skip) return;
  run = runRunner(["notebooks/00-environment.ipynb", "--quick", "--set", `note=${NOTE}`, "--set", "melBands=16", "--no-input"], { build: true });
});

after(() => {
  if (run) rmSync(run.outDir, { recursive: true, force: true });
});

const count = (haystack: string, needle: string): number => haystack.split(needle).length - 1;

test("the runner builds lib, executes the notebook and exits 0", { skip }, () => {
  assert.equal(run.status, 0, `runner failed:\n${run.stdout}\n${run.stderr}`);
  assert.match(run.stdout, /\[1\/1\] 00-environment/);
  for (const file of ["00-environment.ipynb", "00-environment.html", "index.html", "summary.json"]) {
    assert.ok(existsSync(join(run.outDir, file)), `${file} written`);
  }
});

test("overrides are injected after the parameters cell and take effect", { skip }, () => {
  const nb = readNotebook(join(run.outDir, "00-environment.ipynb"));
  const at = nb.cells.findIndex((c) => c.metadata.tags?.includes("parameters"));
  const injected = nb.cells[at + 1];
  assert.deepEqual(injected.metadata.tags, ["injected-parameters"]);
  assert.match(text(injected.source), /^profile = "quick";$/m);
  assert.match(text(injected.source), new RegExp(`^note = "${NOTE}";$`, "m"));
  assert.match(text(injected.source), /^melBands = 16;$/m);
  for (const cell of nb.cells.filter((c) => c.cell_type === "code")) {
    assert.notEqual(cell.execution_count, null, `every code cell ran: ${text(cell.source).slice(0, 60)}`);
    assert.ok(!(cell.outputs ?? []).some((o) => o.output_type === "error"));
  }
  const outputs = allOutputText(nb);
  assert.match(outputs, new RegExp(`profile: quick · note: ${NOTE}`));
  assert.match(outputs, /16 mel band centres/, "melBands override reached the table caption");
  assert.match(outputs, /128×128 matMul on (wasm|cpu|tensorflow)/, "quick profile shrank the benchmark");
  assert.match(outputs, /environment ok: \w[\w-]* backend, 16 mel bands, profile quick/);
});

test("the HTML report is self-contained: plotly.js inlined exactly once, nothing loaded from elsewhere", { skip }, () => {
  const html = readFileSync(join(run.outDir, "00-environment.html"), "utf8");
  assert.equal(count(html, `class="${PLOTLY_BUNDLE_MARKER}"`), 1);
  assert.equal(count(html, `plotly.js v${plotlyVersion()}`), 1);
  assert.doesNotMatch(html, /<script[^>]*\ssrc=/i, "no external scripts (require.js / MathJax CDN removed)");
  assert.doesNotMatch(html, /<link[^>]*\shref=["']?https?:/i, "no external stylesheets");
  // --no-input: code hidden, parameters (defaults and injected) shown.
  assert.ok(html.includes("benchmarkSize") && html.includes(NOTE), "parameters cells are visible");
  assert.ok(!html.includes("randomUniform"), "other code cells are hidden");
});

test("summary.json and index.html describe the run", { skip }, () => {
  const summary = JSON.parse(readFileSync(join(run.outDir, "summary.json"), "utf8"));
  assert.equal(summary.status, "ok");
  assert.equal(summary.profile, "quick");
  assert.deepEqual(summary.parameters, { note: NOTE, melBands: 16, profile: "quick" });
  assert.ok(summary.wallSeconds > 0 && Number.isFinite(Date.parse(summary.date)));
  assert.equal(summary.notebooks["00-environment"].status, "ok");
  assert.ok(summary.notebooks["00-environment"].wallSeconds > 0);
  assert.equal(summary.results["environment.note"], NOTE);
  assert.equal(summary.results["environment.melBands"], 16);
  assert.match(summary.results["environment.backend"], /^(wasm|cpu|tensorflow|tensorflow-gpu)$/);
  assert.equal(summary.results["environment.versions"]["plotly.js-dist-min"], plotlyVersion());
  const index = readFileSync(join(run.outDir, "index.html"), "utf8");
  assert.match(index, /href='00-environment\.html'/);
  assert.ok(index.includes(NOTE) && index.includes("environment.matMulMs"));
});

test("Chromium draws the chart from the exported report without any network request or console error", { skip: skipBrowser }, async () => {
  const view = await openOffline(join(run.outDir, "00-environment.html"));
  try {
    await view.page.waitForSelector("svg.main-svg", { timeout: 30_000 });
    assert.ok((await view.page.locator(".psl-plot svg.main-svg").count()) >= 1);
    assert.ok((await view.page.locator(".psl-table table").count()) >= 3, "backend, versions and band tables");
    assert.deepEqual(view.blocked, [], "the report asked for network resources");
    assert.deepEqual(view.errors, []);
  } finally {
    await view.close();
  }
  const index = await openOffline(join(run.outDir, "index.html"));
  try {
    assert.equal(await index.page.locator("a[href='00-environment.html']").count(), 1);
    assert.deepEqual(index.blocked, []);
    assert.deepEqual(index.errors, []);
  } finally {
    await index.close();
  }
});
