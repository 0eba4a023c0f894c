/**
 * A report a reader can share: TeX typeset when the report is written (KaTeX, fonts inlined, nothing fetched when it
 * opens), the library's `[psl] …` log lines folded into one collapsed block per cell instead of pink stderr (other
 * stderr stays visible), and index.html's headline table with the recorded confidence intervals and the issue-13 targets.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { REPO, jupyterMissing, readNotebook, runRunner, text } from "./runner";
import { chromiumMissing, openOffline } from "../report/chromium";

const skip = jupyterMissing();
const skipBrowser = skip ?? chromiumMissing();

test("TeX typeset offline, [psl] logs folded, headline table with intervals, issue-13 targets", { skip }, async () => {
  const run = runRunner([join(REPO, "test", "fixtures", "notebooks", "shared-report.ipynb")]);
  try {
    assert.equal(run.status, 0, run.stdout + run.stderr);
    const html = readFileSync(join(run.outDir, "shared-report.html"), "utf8");
    // TeX: rendered by KaTeX (HTML + MathML), the source gone from the prose, code and prices untouched.
    assert.equal(html.split('class="katex"').length - 1, 2, "two formulas typeset");
    assert.match(html, /class="katex-display"/);
    assert.match(html, /<annotation encoding="application\/x-tex">d&#x27; = \\sqrt\{2\}/);
    assert.ok(!html.includes("$\\alpha"), "no TeX source left in the prose");
    assert.match(html, /let price = \$5;/);
    assert.match(html, /prices like \$5 and \$6/);
    assert.match(html, /<style class="psl-katex">/);
    assert.doesNotMatch(html, /url\((?!data:)[^)]*\.woff/, "KaTeX fonts are inlined");
    // Logs: one folded block with the three [psl] lines; the warning stays a stderr output; the .ipynb keeps stderr as is.
    assert.equal(html.split("<details class='psl-log'>").length - 1, 1);
    assert.match(html, /\[psl\] log · 4 lines: student epoch 3\/3  8\/8 steps \(100\.0%\)/);
    assert.match(html, /\[psl\] teacher epoch 3: loss 0\.333\n\[psl\] student epoch 3\/3/, "log lines and the progress display's final state, in order");
    assert.match(html, /warning: something a reader must see/);
    const stderr = html.split('data-mime-type="application/vnd.jupyter.stderr"').slice(1).join("");
    assert.ok(!stderr.includes("[psl] teacher epoch 1"), "no [psl] line left in a stderr block");
    const cell = readNotebook(join(run.outDir, "shared-report.ipynb")).cells[2];
    assert.match(text(cell.outputs!.find((o) => o.name === "stderr")!.text), /\[psl\] teacher epoch 1: loss 1\.000\n/);
    // index.html: the headline table.
    const index = readFileSync(join(run.outDir, "index.html"), "utf8");
    assert.match(index, /<td>weak<\/td><td class='num'>10\.0 <span class='muted'>\[8\.0, 12\.0\]<\/span><\/td><td class='num'>0\.800<\/td><td class='num'>1\.190<\/td><td class='num'>42, 43, 44<\/td><td class='num'>300<\/td>/);
    // Seeds: each row's own, and one sentence because the rows mix 3-seed and 1-seed students.
    assert.match(index, /<td>psl-5s<\/td>.*?<td class='num'>42<\/td><td class='num'>300<\/td>/);
    assert.match(index, /Rows differ in seeds: weak, psl-2s ran 3 seeds \(42, 43, 44\); psl-5s ran one seed only, 42 \(the others&#x27; first\)\. A one-seed row&#x27;s interval covers eval-clip variation only/);
    // The quick profile's small-eval caveat that notebook 04 records, escaped, under the table.
    assert.match(index, /<b>Small eval split\.<\/b> Quick profile: these mAPs are measured on 30 eval clips &lt;and biased upwards&gt;\./);
    assert.match(index, /<td>chance \(random scores\)<\/td><td class='num'>4\.3<\/td>/);
    assert.match(index, /against the eval clips&#x27; true labels/);
    assert.match(index, /Paired difference psl-2s − weak: ΔmAP 5\.2 \[3\.1, 7\.4\], P\(psl-2s better\) = 1\.00/);
    assert.match(index, /added labels are 61\.0 % correct/);
    // Issue 13's targets, computed from the same recorded results (lib/report/targets.ts), in summary.json and on the page.
    const targets = JSON.parse(readFileSync(join(run.outDir, "summary.json"), "utf8")).results.targets as { id: string; measured: number | null; met: boolean }[];
    assert.deepEqual(targets.map((t) => [t.id, t.measured, t.met]), [
      ["teacher-mAP", 0.31, false], ["weak-AUC", 0.8, false], ["psl2s-over-weak", 1.52, true], ["paired-difference-CI", 0.031, true],
      ["chunk-ordering", null, false], ["added-label-precision", 0.61, true],
    ]);
    assert.match(index, /<h2>Issue 13 targets<\/h2>/);
    assert.match(index, /<td>PSL-2s mAP \/ weak mAP \(means over seeds, true eval labels\)<\/td><td class='num'>≥ 1\.5<\/td><td class='num'>1\.52<\/td><td><b style='color:#1a7f37'>met<\/b><\/td>/);
    assert.match(index, /<td class='num'>≥ 0\.40<\/td><td class='num'>0\.31<\/td><td><b style='color:#b00'>not met<\/b><\/td>/);
    assert.match(index, /<td class='num'>–<\/td><td><span class='muted'>not recorded<\/span><\/td>/);
    assert.match(index, /The targets are stated for the default profile/);

    if (skipBrowser) return;
    const view = await openOffline(join(run.outDir, "shared-report.html"));
    try {
      const box = await view.page.locator(".katex-display .katex-html").boundingBox();
      assert.ok(box && box.width > 40 && box.height > 10, `the display formula is laid out (${JSON.stringify(box)})`);
      assert.equal(await view.page.locator("details.psl-log[open]").count(), 0, "the log block starts collapsed");
      assert.deepEqual(view.blocked, [], "nothing fetched");
      assert.deepEqual(view.errors, []);
    } finally {
      await view.close();
    }
  } finally {
    rmSync(run.outDir, { recursive: true, force: true });
  }
});
