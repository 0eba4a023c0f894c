/**
 * The whole notebook series (00–06) run once with --quick through `npm run reproduce`'s code path into a temp reports
 * folder; then every report and summary.json is checked, and each report is opened offline in headless Chromium.
 * Trained models and PSL tables come from the repository's cache (.cache/psl/series-demo-quick) when present, so a
 * second run only evaluates; a cold run (fresh checkout: demo corpus, features, teacher, five students) takes a few
 * minutes on 2 cores.
 */
import { before, after, test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { jupyterMissing, readNotebook, runRunner, REPO, text, type RunResult } from "./runner";
import { chromiumMissing, openOffline } from "../report/chromium";
import { PLOTLY_BUNDLE_MARKER } from "../../lib/report/plotly";

const skip = jupyterMissing();
const skipBrowser = skip ?? chromiumMissing();
const NOTEBOOKS = readdirSync(join(REPO, "notebooks")).filter((f) => /^0[1-6]-.*\.ipynb$/.test(f)).map((f) => f.replace(/\.ipynb$/, ""));
let run: RunResult;
let seconds = 0;

before(() => {
  if (skip) return;
  const started = Date.now();
  run = runRunner(["--quick"], { build: true, timeoutMs: 15 * 60_000 });
  seconds = (Date.now() - started) / 1000;
  console.log(`# series --quick: ${seconds.toFixed(0)} s`);
});

after(() => {
  if (run) rmSync(run.outDir, { recursive: true, force: true });
});

const count = (haystack: string, needle: string): number => haystack.split(needle).length - 1;
const inUnit = (value: unknown): boolean => typeof value === "number" && value >= 0 && value <= 1;

test("the series has notebooks 01–06 and every one executes without a cell error", { skip }, () => {
  assert.deepEqual(NOTEBOOKS.map((n) => n.slice(0, 2)), ["01", "02", "03", "04", "05", "06"]);
  assert.equal(run.status, 0, `runner failed:\n${run.stdout.slice(-4000)}\n${run.stderr.slice(-4000)}`);
  for (const name of NOTEBOOKS) {
    const nb = readNotebook(join(run.outDir, `${name}.ipynb`));
    for (const cell of nb.cells.filter((c) => c.cell_type === "code")) {
      assert.notEqual(cell.execution_count, null, `${name}: a cell did not run: ${text(cell.source).slice(0, 60)}`);
      assert.ok(!(cell.outputs ?? []).some((o) => o.output_type === "error"), `${name}: cell error in ${text(cell.source).slice(0, 60)}`);
    }
  }
});

test("summary.json holds teacher, students, missingLabels, fsd and the issue-13 targets; 04 draws the step curves", { skip }, () => {
  const summary = JSON.parse(readFileSync(join(run.outDir, "summary.json"), "utf8"));
  assert.equal(summary.status, "ok");
  assert.equal(summary.profile, "quick");
  const results = summary.results;
  const checkTriple = (where: string, m: { mAP: unknown; meanAUC: unknown; dPrime: unknown }) => {
    assert.ok(inUnit(m.mAP), `${where}.mAP = ${m.mAP}`);
    assert.ok(inUnit(m.meanAUC), `${where}.meanAUC = ${m.meanAUC}`);
    assert.ok(typeof m.dPrime === "number" && Number.isFinite(m.dPrime), `${where}.dPrime = ${m.dPrime}`);
  };
  checkTriple("teacher", results.teacher);
  for (const student of ["weak", "psl-10s", "psl-5s", "psl-2s", "ts-2s"]) {
    const s = results.students[student];
    checkTriple(`students.${student}`, s);
    assert.ok(Array.isArray(s.mAPCI) && s.mAPCI.length === 2 && s.mAPCI.every(inUnit) && s.mAPCI[0] <= s.mAPCI[1], `students.${student}.mAPCI = ${s.mAPCI}`);
    assert.ok(Array.isArray(s.seeds) && s.seeds.length >= 1, `students.${student}.seeds`);
    assert.equal(s.steps, 20, `students.${student}.steps: every student gets the quick budget`);
  }
  assert.equal(results.students.weak.seeds.length, 2, "the headline pair trains over the quick profile's 2 seeds");
  assert.equal(results.students["psl-2s"].seeds.length, 2);
  assert.ok(inUnit(results.chanceMAP) && results.chanceMAP > 0, `chanceMAP = ${results.chanceMAP}`);
  assert.equal(results.evalLabels, "truth");
  const diff = results.pairedDifference["psl-2s"];
  assert.equal(diff.vs, "weak");
  assert.ok(typeof diff.mAP === "number" && diff.ci95.length === 2 && diff.ci95[0] <= diff.ci95[1], `pairedDifference = ${JSON.stringify(diff)}`);
  const missing = results.missingLabels;
  assert.equal(typeof missing.threshold, "number");
  assert.equal(missing.chunkSeconds, 2);
  assert.ok(inUnit(missing.addedPrecision), `missingLabels.addedPrecision = ${missing.addedPrecision}`);
  assert.ok(inUnit(missing.addedRecall), `missingLabels.addedRecall = ${missing.addedRecall}`);
  checkTriple("fsd.weak", results.fsd.weak);
  checkTriple("fsd.psl-2s", results.fsd["psl-2s"]);
  for (const name of NOTEBOOKS) assert.equal(summary.notebooks[name]?.status, "ok", `${name} in summary.json`);
  // Issue 13's targets, computed by the runner from the results above: every input recorded, none met by a quick run.
  const targets = results.targets as { id: string; measured: number | null; met: boolean; evidence: string; whyNotMet: string | null }[];
  assert.deepEqual(targets.map((t) => t.id), ["teacher-mAP", "weak-AUC", "psl2s-over-weak", "paired-difference-CI", "chunk-ordering", "added-label-precision", "run-time"]);
  for (const t of targets) assert.ok(typeof t.measured === "number" && t.evidence.length > 0, `targets.${t.id}: ${JSON.stringify(t)}`);
  assert.equal(targets.find((t) => t.id === "teacher-mAP")!.measured, results.teacher.mAP);
  // The quick profile's own run-time target (≤ 5 min), timed from reproduce.mjs's start: at least the notebooks' time.
  const runTime = targets.find((t) => t.id === "run-time")!;
  assert.ok(runTime.measured! * 60 >= summary.wallSeconds - 1 && runTime.measured! * 60 <= seconds + 1, `run-time ${runTime.measured} min, notebooks ${summary.wallSeconds} s, test ${seconds} s`);
  assert.match(runTime.evidence, /from the command's start .* on \d+ cores?/);
  assert.ok(summary.cores >= 1 && typeof summary.cachesAtStart.demoCorpora === "number", "summary.json says on what machine and caches the run started");
  assert.ok(summary.cpuModel === null || (typeof summary.cpuModel === "string" && summary.cpuModel.length > 0), "summary.json names the CPU model when the machine says it");
  const index = readFileSync(join(run.outDir, "index.html"), "utf8");
  assert.match(index, /<h2>Issue 13 targets<\/h2>.*this run's profile is <code>quick<\/code>.*its run-time target is its own/s);
  assert.match(index, /<td>wall time of npm run reproduce -- --quick \(minutes\)<\/td><td class='num'>≤ 5<\/td>/);
  // The teacher target is missed by a quick run's tiny teacher: summary.json points to the default run's measurement of
  // why, and the quick index leaves it out (the reasons are the default profile's, not this run's).
  const teacherTarget = targets.find((t) => t.id === "teacher-mAP")!;
  assert.equal(teacherTarget.met, false);
  assert.match(teacherTarget.whyNotMet ?? "", /^02 · /);
  assert.doesNotMatch(index, /Why, measured/);
  // The quick profile's 30 eval clips bias mAP upwards: 04 records the caveat, the index and the reports say it.
  assert.match(results.evalNote, /^Quick profile: these mAPs are measured on \d+ eval clips, and AP on so few clips is biased upwards/);
  assert.match(index, /<b>Small eval split\.<\/b> Quick profile:/);
  for (const name of ["02-teacher", "04-students", "05-missing-labels"]) {
    assert.match(readFileSync(join(run.outDir, `${name}.html`), "utf8"), /Small eval split<\/b> · Quick profile:/, `${name} says it`);
  }
  // weak and psl-2s over the profile's 2 seeds, the other students over the first: each row shows its seeds.
  assert.match(index, /<td>weak<\/td>.*?<td class='num'>42, 43<\/td>/);
  assert.match(index, /Rows differ in seeds: weak, psl-2s ran 2 seeds \(42, 43\); psl-10s, psl-5s, ts-2s ran one seed only, 42 \(the others&#x27; first\)/);
  assert.match(readFileSync(join(run.outDir, "04-students.html"), "utf8"), /default budget: 450 steps/, "04 draws the committed step curves");
});

test("each report inlines the plotly bundle exactly once and has charts", { skip }, () => {
  for (const name of NOTEBOOKS) {
    const html = readFileSync(join(run.outDir, `${name}.html`), "utf8");
    assert.equal(count(html, `class="${PLOTLY_BUNDLE_MARKER}"`), 1, `${name}: plotly bundle count`);
    assert.ok(count(html, 'class="psl-plot"') >= 1, `${name}: no chart`);
    assert.doesNotMatch(html, /<script[^>]*\ssrc=/i, `${name}: external script`);
  }
});

test("Chromium draws every chart of every report offline, without console errors", { skip: skipBrowser }, async () => {
  for (const name of NOTEBOOKS) {
    const html = readFileSync(join(run.outDir, `${name}.html`), "utf8");
    const charts = count(html, 'class="psl-plot"');
    const view = await openOffline(join(run.outDir, `${name}.html`));
    try {
      // A string predicate: it runs in the page (the test's TypeScript has no DOM types).
      await view.page.waitForFunction('[...document.querySelectorAll(".psl-plot")].every((el) => el.querySelector("svg.main-svg"))', undefined, { timeout: 60_000 });
      const drawn = await view.page.locator(".psl-plot").evaluateAll((els) => els.filter((el) => el.querySelector("svg.main-svg")).length);
      assert.equal(drawn, charts, `${name}: ${drawn} of ${charts} charts drawn`);
      assert.deepEqual(view.blocked, [], `${name}: network requests`);
      assert.deepEqual(view.errors, [], `${name}: console errors`);
    } finally {
      await view.close();
    }
  }
});
