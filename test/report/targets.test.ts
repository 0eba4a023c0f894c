/**
 * lib/report/targets.ts: issue 13's targets computed from recorded results — met, not met, and inputs a notebook did
 * not record (measured null, never met) — and recordedResults, which gives a notebook the run's earlier fragments.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { issueTargets, targetRows, type TargetResult } from "../../lib/report/targets";
import { recordSummary, recordedResults } from "../../lib/report/summary";
import type { SummaryValue } from "../../lib/report/summary";
import { repoPath, repoRoot } from "../../lib/io/repo-root";
import { readJsonFile } from "../../lib/io/json-file";
import { committedPslOracleTeacher, committedWeakOnTrueLabels } from "../../lib/analysis/training-targets-check";
import { committedOracleByChunkSize } from "../../lib/analysis/oracle-by-chunk-size";
import { committedTrainingClipsCurves, demoTeacherPoint } from "../../lib/analysis/training-clips-curve";
import { committedModelWidthCurve, ratioByWidth } from "../../lib/analysis/model-width-curve";
import { chosenRateStepCurvesPath, readStepCurves } from "../../lib/analysis/step-curves";

const byId = (targets: TargetResult[]) => Object.fromEntries(targets.map((t) => [t.id, t]));
const IDS = ["teacher-mAP", "weak-AUC", "psl2s-over-weak", "paired-difference-CI", "chunk-ordering", "added-label-precision"];

/** Results shaped as notebooks 02, 04 and 05 record them. */
function recorded(overrides: { teacher?: number; weakAUC?: number; maps?: Record<string, number>; ci?: [number, number]; precision?: number; threshold?: number } = {}): Record<string, SummaryValue> {
  const maps = { weak: 0.1, "psl-10s": 0.12, "psl-5s": 0.14, "psl-2s": 0.16, "ts-2s": 0.15, ...overrides.maps };
  return {
    teacher: { mAP: overrides.teacher ?? 0.45, meanAUC: 0.9, dPrime: 1.8, evalLabels: "truth", origin: "shipped" },
    students: Object.fromEntries(Object.entries(maps).map(([name, mAP]) => [name, { mAP, mAPCI: [mAP - 0.01, mAP + 0.01], meanAUC: name === "weak" ? overrides.weakAUC ?? 0.88 : 0.9, dPrime: 1.5, seeds: [42, 43, 44], steps: 300 }])),
    chanceMAP: 0.05,
    evalLabels: "truth",
    pairedDifference: { "psl-2s": { vs: "weak", mAP: 0.06, ci95: overrides.ci ?? [0.02, 0.09], probabilityBetter: 1 } },
    missingLabels: { threshold: overrides.threshold ?? 0.5, chunkSeconds: 2, addedPrecision: overrides.precision ?? 0.62, addedRecall: 0.4 },
  };
}

test("every target met: one entry per issue-13 target, in the issue's order, with its measured value", () => {
  const targets = issueTargets(recorded());
  assert.deepEqual(targets.map((t) => t.id), IDS);
  const t = byId(targets);
  assert.ok(targets.every((x) => x.met), JSON.stringify(targets.filter((x) => !x.met)));
  assert.equal(t["teacher-mAP"].measured, 0.45);
  assert.equal(t["weak-AUC"].measured, 0.88);
  assert.equal(t["psl2s-over-weak"].measured, 1.6);
  assert.equal(t["paired-difference-CI"].measured, 0.02);
  assert.equal(t["chunk-ordering"].measured, 0.02); // min(0.16 − 0.14, 0.14 − 0.12)
  assert.equal(t["added-label-precision"].measured, 0.62);
  assert.equal(byId(issueTargets(recorded({ precision: 1 / 31 })))["added-label-precision"].measured, 0.0323, "measured values rounded to 4 decimals");
  for (const x of targets) assert.ok(x.what && x.target && x.evidence, `${x.id}: what, target and evidence are stated`);
  assert.match(t["added-label-precision"].evidence, /2 s chunks, threshold 0\.5 \(the default\)/);
  assert.ok(targets.every((x) => x.whyNotMet === null), "a met target needs no reason");
});

test("targets missed — today's default-run figures — are not met, and boundaries follow the issue's wording", () => {
  const t = byId(issueTargets(recorded({ teacher: 0.236, weakAUC: 0.65, maps: { weak: 0.16, "psl-2s": 0.19, "psl-5s": 0.2, "psl-10s": 0.17 }, ci: [-0.01, 0.05], precision: 0.106 })));
  for (const id of IDS) assert.equal(t[id].met, false, id);
  // Every missed target but the paired interval (missed by this run alone, nothing committed explains it) points to the
  // report section whose measurement says why.
  assert.deepEqual(IDS.filter((id) => t[id].whyNotMet !== null), IDS.filter((id) => id !== "paired-difference-CI"));
  assert.match(t["teacher-mAP"].whyNotMet!, /^02 · .*student-by-teacher\.json/);
  assert.match(t["weak-AUC"].whyNotMet!, /^04 · /);
  assert.match(t["added-label-precision"].whyNotMet!, /^05 · /);
  assert.deepEqual(targetRows(issueTargets(recorded({ teacher: 0.3 }))).map((r) => r.whyNotMet === ""), [false, true, true, true, true, true]);
  assert.equal(t["psl2s-over-weak"].measured, 1.1875);
  assert.equal(t["chunk-ordering"].measured, -0.01, "PSL-5s above PSL-2s breaks the ordering");
  assert.equal(t["paired-difference-CI"].measured, -0.01);
  // Exactly on the line: "≥" targets are met, "> 0" is not.
  const edge = byId(issueTargets(recorded({ teacher: 0.4, weakAUC: 0.85, maps: { weak: 0.1, "psl-2s": 0.15, "psl-5s": 0.15, "psl-10s": 0.15 }, ci: [0, 0.1], precision: 0.5 })));
  assert.deepEqual(IDS.map((id) => edge[id].met), [true, true, true, false, true, true]);
});

test("inputs not recorded give measured null and met false, naming what is missing", () => {
  const none = issueTargets({});
  assert.deepEqual(none.map((t) => [t.measured, t.met, t.whyNotMet]), IDS.map(() => [null, false, null]), "nothing measured, nothing to explain");
  assert.ok(none.every((t) => /not recorded/.test(t.evidence)), "the evidence says the value was not recorded");
  // Only 04 ran (no teacher, no missing labels), and only the headline pair: no ordering either.
  const partial = recorded();
  delete partial.teacher;
  delete partial.missingLabels;
  partial.students = { weak: (partial.students as Record<string, SummaryValue>).weak, "psl-2s": (partial.students as Record<string, SummaryValue>)["psl-2s"] };
  const t = byId(issueTargets(partial));
  assert.equal(t["teacher-mAP"].measured, null);
  assert.equal(t["added-label-precision"].measured, null);
  assert.equal(t["chunk-ordering"].measured, null);
  assert.match(t["chunk-ordering"].evidence, /psl-5s not recorded/);
  assert.equal(t["psl2s-over-weak"].met, true);
  // Malformed values (a string, a non-finite number's null, a short interval) count as not recorded.
  const odd = byId(issueTargets({ teacher: { mAP: "0.5" }, students: { weak: { mAP: 0, meanAUC: null } }, pairedDifference: { "psl-2s": { ci95: [] } } }));
  assert.equal(odd["teacher-mAP"].measured, null);
  assert.equal(odd["weak-AUC"].measured, null);
  assert.equal(odd["paired-difference-CI"].measured, null);
  assert.equal(odd["psl2s-over-weak"].measured, null, "no ratio over a weak mAP of 0");
});

test("a teacher trained on another demo corpus (02's corpus check) never counts for the teacher target", () => {
  for (const [status, why] of [["other-corpus", /another eval split than its own/], ["leak", /3 eval recordings it was trained on/], ["unchecked", /cannot be checked/]] as const) {
    const results = recorded({ teacher: 0.42 });
    (results.teacher as Record<string, SummaryValue>).corpusCheck = { status, teacherCorpus: "3f073de26d6fef60", seriesCorpus: "345c13e62082c01f", sharedRecordings: status === "leak" ? 3 : 0, evalRecordings: 49 };
    const t = byId(issueTargets(results))["teacher-mAP"];
    assert.equal(t.measured, 0.42);
    assert.equal(t.met, false, status);
    assert.match(t.evidence, /NOT counted: the teacher was trained on demo corpus 3f073de26d6fef60/);
    assert.match(t.evidence, why);
  }
  const own = recorded({ teacher: 0.42 });
  (own.teacher as Record<string, SummaryValue>).corpusCheck = null;
  assert.equal(byId(issueTargets(own))["teacher-mAP"].met, true, "no note: the series' own corpus");
});

test("a precision measured at another threshold says so; table rows say 'not recorded'", () => {
  const t = byId(issueTargets(recorded({ threshold: 0.2 })));
  assert.match(t["added-label-precision"].evidence, /threshold 0\.2 \(NOT the default 0\.5\)/);
  const rows = targetRows(issueTargets({ teacher: { mAP: 0.3 } }));
  assert.equal(rows[0].measured, 0.3);
  assert.equal(rows[0].met, "no");
  assert.equal(rows[1].measured, "–");
  assert.equal(rows[1].met, "not recorded");
});

test("recordedResults merges the run's fragments in name order, then this kernel's own values", () => {
  const dir = mkdtempSync(join(tmpdir(), "psl-targets-"));
  mkdirSync(join(dir, ".summary"));
  writeFileSync(join(dir, ".summary", "02-teacher.json"), JSON.stringify({ teacher: { mAP: 0.3 }, shared: "02" }));
  writeFileSync(join(dir, ".summary", "04-students.json"), JSON.stringify({ students: { weak: { mAP: 0.1 } }, shared: "04" }));
  process.env.PSL_REPORT_DIR = dir;
  process.env.PSL_NOTEBOOK = "05-missing-labels";
  try {
    recordSummary("missingLabels", { addedPrecision: 0.55, threshold: 0.5, chunkSeconds: 2 });
    const merged = recordedResults();
    assert.deepEqual(merged.teacher, { mAP: 0.3 });
    assert.equal(merged.shared, "04", "later notebooks win, as in the runner's merge");
    assert.equal((merged.missingLabels as { addedPrecision: number }).addedPrecision, 0.55);
    assert.equal(byId(issueTargets(merged))["added-label-precision"].met, true);
    writeFileSync(join(dir, ".summary", "03-broken.json"), "{");
    assert.throws(() => recordedResults(), /recordedResults: the results fragment .*03-broken\.json: not valid JSON \(/);
  } finally {
    delete process.env.PSL_REPORT_DIR;
    delete process.env.PSL_NOTEBOOK;
    rmSync(dir, { recursive: true, force: true });
  }
  // Interactive (no report folder): this kernel's values only.
  assert.equal((recordedResults({}).missingLabels as { addedPrecision: number }).addedPrecision, 0.55);
});

test("the runner's helper computes the same targets from results on stdin", () => {
  const r = spawnSync(process.execPath, ["--import", "tsx", join(repoRoot(), "scripts", "summary-targets.ts")], { cwd: repoRoot(), input: JSON.stringify({ results: recorded({ teacher: 0.2 }) }), encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), issueTargets(recorded({ teacher: 0.2 })));
});

test("the reasons quote the committed measurements they point to (a re-measurement that changes them fails here)", () => {
  const missed = byId(issueTargets(recorded({ teacher: 0.3, weakAUC: 0.6, maps: { weak: 0.2, "psl-2s": 0.21, "psl-5s": 0.2, "psl-10s": 0.22 }, precision: 0.1 })));
  const augmented = readJsonFile(repoPath("data-manifests", "demo", "teacher-augmented", "eval.json")) as { truth: { mAP: number } };
  const shipped = readJsonFile(repoPath("data-manifests", "demo", "teacher", "eval.json")) as { truth: { mAP: number } };
  assert.ok(missed["teacher-mAP"].whyNotMet!.includes(augmented.truth.mAP.toFixed(3)), "the augmented teacher's eval mAP");
  assert.ok(missed["teacher-mAP"].whyNotMet!.includes(shipped.truth.mAP.toFixed(3)), "the shipped teacher's eval mAP");
  const [noisy, truth] = committedWeakOnTrueLabels();
  assert.ok(missed["weak-AUC"].whyNotMet!.includes(`AUC of ${truth.meanEvalAUC.toFixed(2)}`) && missed["weak-AUC"].whyNotMet!.includes(`noisy labels: ${noisy.meanEvalAUC.toFixed(2)}`));
  const [byClips, byClipsLonger] = committedTrainingClipsCurves();
  const teacherPoint = demoTeacherPoint("teacher")!;
  const [fewest, all] = [byClips.points[0], byClips.points.at(-1)!];
  const longerAll = byClipsLonger.points.find((p) => p.targets === all.targets)!;
  const quotedByClips = `from ${fewest.meanEvalAUC.toFixed(2)} on ${fewest.targets} of the teacher's clips to ` +
    `${all.meanEvalAUC.toFixed(2)} on all ${all.targets.toLocaleString("en")} (${all.seeds.length} seeds), ` +
    `${longerAll.meanEvalAUC.toFixed(2)} with ${byClipsLonger.steps.toLocaleString("en")} steps (seed ${longerAll.seeds.join(", ")};`;
  assert.ok(missed["weak-AUC"].whyNotMet!.includes(quotedByClips), quotedByClips);
  assert.ok(missed["weak-AUC"].whyNotMet!.includes(`${teacherPoint.steps.toLocaleString("en")} steps, the shipped teacher, reaches ${teacherPoint.evalMeanAUC.toFixed(2)}`));
  const byWidth = committedModelWidthCurve("weak").points;
  const quotedByWidth = `${byWidth.map((p) => p.meanEvalAUC.toFixed(3)).join(" / ")} at widths ${byWidth.map((p) => p.targets.toFixed(2)).join(" / ")} ` +
    `(seeds ${byWidth[0].seeds.join(", ")}`;
  assert.ok(byWidth.every((p) => p.seeds.join() === byWidth[0].seeds.join()), "every width over the same seeds");
  assert.ok(missed["weak-AUC"].whyNotMet!.includes(quotedByWidth), quotedByWidth);
  const longerFewest = byClipsLonger.points.find((p) => p.targets === fewest.targets)!;
  assert.deepEqual(longerFewest.evalMeanAUC, fewest.evalMeanAUC.slice(0, longerFewest.seeds.length), "on 500 clips the longer run keeps the same checkpoint");
  // The headline pair over the full profile's 1,200 steps (the --compare block of the chosen-rate step curves).
  const longer = readStepCurves(chosenRateStepCurvesPath()).comparison!.widths["w0.25"];
  const [weakLonger, pslLonger] = [longer.best.students.weak, longer.best.students["psl-2s"]];
  assert.deepEqual(longer.seeds, [42, 43, 44]);
  const quotedLonger = `the ratio reaches ${(pslLonger.evalMAP.truth / weakLonger.evalMAP.truth).toFixed(2)} at the checkpoints ` +
    `validation selects (weak ${weakLonger.evalMAP.truth.toFixed(3)}, PSL-2s ${pslLonger.evalMAP.truth.toFixed(3)}; per seed ` +
    `${pslLonger.perSeed.map((s, i) => (s.evalMAP.truth / weakLonger.perSeed[i].evalMAP.truth).toFixed(2)).join(" / ")}; ` +
    `${(longer.last.students["psl-2s"].evalMAP.truth / longer.last.students.weak.evalMAP.truth).toFixed(2)} at the last checkpoints)`;
  assert.ok(missed["psl2s-over-weak"].whyNotMet!.includes(quotedLonger), quotedLonger);
  assert.ok(missed["weak-AUC"].whyNotMet!.includes(`its mean AUC is ${weakLonger.evalMeanAUC.truth.toFixed(3)} at the checkpoints validation selects`));
  const [teacher, chunkTruth, coverage] = committedPslOracleTeacher();
  assert.ok(missed["psl2s-over-weak"].whyNotMet!.includes(`hard (${chunkTruth.meanEvalMAP.toFixed(3)} against ${teacher.meanEvalMAP.toFixed(3)})`));
  assert.ok(missed["psl2s-over-weak"].whyNotMet!.includes(`soft (${coverage.meanEvalMAP.toFixed(3)};`));
  const ratios = ratioByWidth(committedModelWidthCurve("psl-2s"), committedModelWidthCurve("weak"));
  assert.ok(ratios.every((r) => r.seeds.join() === "42,43,44"), "every width's ratio over seeds 42–44");
  const widest = ratios.at(-1)!;
  const quotedRatios = `the ratio is ${ratios.map((r) => r.ratioOfMeans.toFixed(2)).join(" / ")} at widths ` +
    `${ratios.map((r) => r.widthMult.toFixed(2)).join(" / ")} (seeds 42–44; curves/psl-2s-by-model-width.json), above 1.5 ` +
    `only at the paper's width, where the untuned weak student falls (mAP ${widest.denominatorMAP.toFixed(3)}) while PSL-2s ` +
    `holds (${widest.numeratorMAP.toFixed(3)})`;
  assert.ok(missed["psl2s-over-weak"].whyNotMet!.includes(quotedRatios), quotedRatios);
  assert.deepEqual(ratios.map((r) => [r.widthMult, r.ratioOfMeans >= 1.5]), [[0.25, false], [0.5, false], [1, true]], "the quoted reading");
  // Every student over 3 seeds: at the default budget, and the full profile's run (1,200 steps).
  for (const [file, steps] of [["default-otherseeds3-2026-11-30-edbc8b0-warm.summary.json", 450], ["full-2026-11-30-049a70d-warm.summary.json", 1200]] as const) {
    const threeSeeds = readJsonFile(repoPath("data-manifests", "demo", "runs", file)) as
      { results: { students: Record<string, { mAP: number; mAPCI: number[]; seeds: number[]; steps: number }> } };
    assert.ok(missed["chunk-ordering"].whyNotMet!.includes(`runs/${file}`), file);
    for (const name of ["psl-10s", "psl-5s", "psl-2s"]) {
      const student = threeSeeds.results.students[name];
      assert.deepEqual([student.seeds, student.steps], [[42, 43, 44], steps], `${file}: ${name}`);
      const quoted = `${name.replace("psl", "PSL")} ${student.mAP.toFixed(3)} [${student.mAPCI.map((v) => v.toFixed(3)).join(", ")}]`;
      assert.ok(missed["chunk-ordering"].whyNotMet!.includes(quoted), `${file}: ${quoted} in the ordering's reason`);
    }
  }
  const perfect = committedOracleByChunkSize().curves.find((c) => c.annotator === "perfect (chunk truth)" && c.learningRate === 4e-3)!;
  const perfectSeeds = perfect.points[0].seeds;
  assert.ok(perfect.points.every((p) => p.seeds.join() === "42,43,44"), "every chunk size over seeds 42–44");
  const quotedPerfect = `(one rate, 4e-3; seeds ${perfectSeeds[0]}–${perfectSeeds.at(-1)}; ` +
    `curves/psl-oracle-teacher.json) the students give ${perfect.points.map((p) => `PSL-${p.targets}s ${p.meanEvalMAP.toFixed(3)}`).join(", ")}`;
  assert.ok(missed["chunk-ordering"].whyNotMet!.includes(quotedPerfect), quotedPerfect);
  const [p10, p5, p2] = perfect.points.map((p) => p.meanEvalMAP);
  assert.ok(p2 < p5 && p2 < p10, "the quoted reading: PSL-2s lowest under the perfect annotator");
});
