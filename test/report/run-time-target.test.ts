/**
 * Issue 13's run-time targets (lib/report/run-time-target.ts): the profile's limit against the wall time the runner
 * measured, what the evidence says about cores and caches, no measurement for partial or failed runs; and the runner's
 * side (scripts/run_notebooks.py): what it finds cached at the start and which start the wall time counts from.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { RUN_TIME_TARGET_MINUTES, runTimeTarget, type RunFacts } from "../../lib/report/run-time-target";
import { issueTargets } from "../../lib/report/targets";
import { repoRoot } from "../../lib/io/repo-root";
import { SERIES_PROFILES } from "../../lib/series/settings";

const PYTHON = process.env.PSL_PYTHON ?? "/usr/bin/python3";

function facts(overrides: Partial<RunFacts> = {}): RunFacts {
  return { profile: "quick", status: "ok", wholeRun: true, wallSeconds: 254, wallFrom: "command", cores: 2, loadAverageAtStart: 2.04,
    cachesAtStart: { demoCorpora: 0, seriesCaches: [] }, ...overrides };
}

test("the issue's limits: quick ≤ 5 min, default ≤ 40 min, none for full", () => {
  assert.deepEqual(RUN_TIME_TARGET_MINUTES, { quick: 5, default: 40 });
  assert.equal(runTimeTarget(facts({ profile: "full" })), null);
  assert.equal(runTimeTarget(facts({ profile: null })), null);
});

test("a whole quick run: measured in minutes, met at the limit and not above it, evidence names cores, load and caches", () => {
  const quick = runTimeTarget(facts())!;
  assert.deepEqual({ ...quick, evidence: undefined }, { id: "run-time", what: "wall time of npm run reproduce -- --quick (minutes)", target: "≤ 5", measured: 4.23, met: true, evidence: undefined, whyNotMet: null });
  assert.match(quick.evidence, /4 min 14 s from the command's start \(setup, lib build and every notebook\) on 2 cores, load average 2\.0 at the start; caches cold/);
  assert.equal(runTimeTarget(facts({ wallSeconds: 300 }))!.met, true, "5 min exactly is within ≤ 5");
  assert.equal(runTimeTarget(facts({ wallSeconds: 301 }))!.met, false);
  const slowDefault = runTimeTarget(facts({ profile: "default", wallSeconds: 46 * 60 + 5, wallFrom: "notebooks", cores: 16, loadAverageAtStart: null }))!;
  assert.equal(slowDefault.what, "wall time of npm run reproduce (minutes)");
  assert.equal(slowDefault.target, "≤ 40");
  assert.equal(slowDefault.measured, 46.08);
  assert.equal(slowDefault.met, false);
  assert.match(slowDefault.whyNotMet!, /^README · Benchmarks/, "a missed run time points to the CPU measurement");
  assert.match(slowDefault.evidence, /46 min 05 s from the first notebook's start \(setup and lib build not included\) on 16 cores; caches cold/);
});

test("warm caches are said in the evidence, unknown facts are not invented", () => {
  const warm = runTimeTarget(facts({ cachesAtStart: { demoCorpora: 2, seriesCaches: ["series-demo-quick"] } }))!;
  assert.equal(warm.met, true);
  assert.match(warm.evidence, /caches WARM at the start \(2 demo corpora, \.cache\/psl\/series-demo-quick\): a fresh clone also generates them/);
  const named = runTimeTarget(facts({ cpuModel: "Intel(R) Xeon(R) Processor" }))!;
  assert.match(named.evidence, /on 2 cores \(Intel\(R\) Xeon\(R\) Processor\), load average 2\.0/, "the CPU model is named when known");
  const unknown = runTimeTarget(facts({ cores: null, cpuModel: null, loadAverageAtStart: null, cachesAtStart: null }))!;
  assert.match(unknown.evidence, /on cores unknown \(the issue/);
  assert.doesNotMatch(unknown.evidence, /caches|load/);
});

test("a partial or failed run measures nothing: measured null, never met", () => {
  for (const run of [facts({ wholeRun: false }), facts({ status: "failed" })]) {
    const t = runTimeTarget(run)!;
    assert.equal(t.measured, null);
    assert.equal(t.met, false);
    assert.match(t.evidence, run.wholeRun ? /failed before its last notebook/ : /only some notebooks/);
  }
});

test("scripts/summary-targets.ts appends the run-time entry after the notebooks' targets, and none without run facts", () => {
  const results = { teacher: { mAP: 0.2 } };
  const helper = (input: unknown) => {
    const r = spawnSync(process.execPath, ["--import", "tsx", join(repoRoot(), "scripts", "summary-targets.ts")], { cwd: repoRoot(), input: JSON.stringify(input), encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout);
  };
  assert.deepEqual(helper({ results, run: facts() }), [...issueTargets(results), runTimeTarget(facts())]);
  assert.deepEqual(helper({ results }), issueTargets(results));
  assert.deepEqual(helper({ results, run: facts({ profile: "full" }) }), issueTargets(results));
});

test("the runner: caches found at the start and the start the wall time counts from", (t) => {
  if (spawnSync(PYTHON, ["-c", "import nbclient, nbformat"], { stdio: "ignore" }).status !== 0) {
    if (process.env.CI === "true") throw new Error(`CI: ${PYTHON} cannot import nbclient`);
    return t.skip(`${PYTHON} cannot import nbclient (npm run setup installs it)`);
  }
  const dir = mkdtempSync(join(tmpdir(), "psl-run-time-"));
  try {
    const corpora = join(dir, "demo-corpus");
    const psl = join(dir, "psl");
    mkdirSync(join(corpora, "sources"), { recursive: true }); // the sound sources: not a corpus
    mkdirSync(join(corpora, "aaaa"));
    writeFileSync(join(corpora, "aaaa", "corpus.json"), "{}");
    mkdirSync(join(corpora, "bbbb")); // interrupted generation: no corpus.json
    mkdirSync(join(psl, "series-demo-quick", "features"), { recursive: true });
    mkdirSync(join(psl, "series-demo-default")); // empty: cold
    // The full profile trains on the default corpus, so its cache is the default's (not a series-demo-full).
    const shared = join(dir, "psl-shared");
    mkdirSync(join(shared, "series-demo-default", "student"), { recursive: true });
    mkdirSync(join(shared, "series-demo-full"));
    const script = `
import json, sys
from pathlib import Path
sys.path.insert(0, ${JSON.stringify(join(repoRoot(), "scripts"))})
import run_notebooks as r
d = Path(${JSON.stringify(dir)})
print(json.dumps([
  r.caches_at_start(d / "psl", d / "demo-corpus", "quick"),
  r.caches_at_start(d / "psl", d / "demo-corpus", "default"),
  r.caches_at_start(d / "nothing", d / "nothing", None),
  r.caches_at_start(d / "psl-shared", d / "demo-corpus", "full"),
  r.DEMO_CORPUS_OF_PROFILE,
  r.command_wall({r.COMMAND_STARTED_ENV: "1000000"}, 1030.0, 1300.0),
  r.command_wall({}, 1030.0, 1300.0),
  r.command_wall({r.COMMAND_STARTED_ENV: "2000000"}, 1030.0, 1300.0),
  r.command_wall({r.COMMAND_STARTED_ENV: "soon"}, 1030.0, 1300.0),
  r.usable_cores() >= 1,
]))`;
    const out = spawnSync(PYTHON, ["-c", script], { encoding: "utf8" });
    assert.equal(out.status, 0, out.stderr);
    assert.deepEqual(JSON.parse(out.stdout), [
      { demoCorpora: 1, seriesCaches: ["series-demo-quick"] },
      { demoCorpora: 1, seriesCaches: [] },
      { demoCorpora: 0, seriesCaches: [] },
      { demoCorpora: 1, seriesCaches: ["series-demo-default"] },
      Object.fromEntries(Object.entries(SERIES_PROFILES).map(([name, profile]) => [name, profile.demoProfile])),
      [300, "command"],
      [270, "notebooks"],
      [270, "notebooks"], // a command start after the notebooks' start is not believed
      [270, "notebooks"],
      true,
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
