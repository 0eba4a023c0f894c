/**
 * Parity of lib/evaluation with sklearn 1.2 / scipy (fixtures from scripts/fixtures/make_metrics_fixtures.py): per-class AP and
 * AUC, their means, d′, Recall@0.2 to 1e-6 (in practice ~1e-15); Φ⁻¹ to 1e-9 against scipy.stats.norm.ppf.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { evaluateScores, normalCdf, normalQuantile, perClassCsv, writeMetricsJson, writePerClassCsv } from "../../lib/evaluation";
import { UserError } from "../../lib/errors";

interface Fixture {
  cases: {
    name: string;
    targets: number[][];
    scores: number[][];
    expected: {
      mAP: number | null;
      meanAUC: number | null;
      dPrime: number | null;
      recallAt02: number | null;
      numClips: number;
      numClassesEvaluated: number;
      perClass: { index: number; ap: number | null; auc: number | null; positives: number }[];
    };
  }[];
  ppf: { p: number; x: number }[];
}

const fixture = JSON.parse(readFileSync(join(__dirname, "../fixtures/eval/metrics.json"), "utf8")) as Fixture;
const TOL = 1e-6;

function close(actual: number | null, expected: number | null, what: string): void {
  if (expected === null) {
    assert.ok(actual === null || !Number.isFinite(actual), `${what}: expected undefined, got ${actual}`);
    return;
  }
  assert.ok(actual !== null && Math.abs(actual - expected) <= TOL, `${what}: ${actual} vs sklearn ${expected}`);
}

for (const c of fixture.cases) {
  test(`metrics match sklearn: ${c.name}`, () => {
    const numClasses = c.targets[0].length;
    const m = evaluateScores(c.targets, c.scores, numClasses);
    close(m.mAP, c.expected.mAP, "mAP");
    close(m.meanAUC, c.expected.meanAUC, "meanAUC");
    close(m.dPrime, c.expected.dPrime, "dPrime");
    close(m.recallAt02, c.expected.recallAt02, "recallAt02");
    assert.equal(m.numClips, c.expected.numClips);
    assert.equal(m.numClassesEvaluated, c.expected.numClassesEvaluated);
    c.expected.perClass.forEach((e, k) => {
      close(m.perClass[k].ap, e.ap, `class ${k} AP`);
      close(m.perClass[k].auc, e.auc, `class ${k} AUC`);
      assert.equal(m.perClass[k].positives, e.positives);
    });
    // The flat row-major Float32Array form gives the same answer when scores are float32-exact.
    if (c.name === "random-float32") {
      const flatTargets = Float32Array.from(c.targets.flat());
      const flatScores = Float32Array.from(c.scores.flat());
      const f = evaluateScores(flatTargets, flatScores, numClasses);
      close(f.mAP, c.expected.mAP, "flat mAP");
      close(f.meanAUC, c.expected.meanAUC, "flat meanAUC");
    }
  });
}

test("normalQuantile matches scipy.stats.norm.ppf to 1e-9 and inverts normalCdf", () => {
  for (const { p, x } of fixture.ppf) {
    const got = normalQuantile(p);
    assert.ok(Math.abs(got - x) <= 1e-9, `ppf(${p}) = ${got}, scipy ${x}`);
    assert.ok(Math.abs(normalCdf(got) - p) <= 1e-12 * Math.max(1, p / 1e-3), `cdf(ppf(${p}))`);
  }
  assert.equal(normalQuantile(0), -Infinity);
  assert.equal(normalQuantile(1), Infinity);
  assert.ok(Number.isNaN(normalQuantile(1.5)));
});

test("sklearn's documented AP example gives 0.8333…", () => {
  const m = evaluateScores([[0], [0], [1], [1]], [[0.1], [0.4], [0.35], [0.8]], 1);
  assert.ok(Math.abs(m.mAP - 0.8333333333333333) < 1e-12);
  assert.ok(Math.abs(m.meanAUC - 0.75) < 1e-12);
});

test("bad inputs are user errors naming the problem", () => {
  assert.throws(() => evaluateScores([[0, 2]], [[0.1, 0.2]], 2), (e: unknown) => e instanceof UserError && /targets must be 0 or 1/.test(e.message));
  assert.throws(() => evaluateScores([[0, 1]], [[0.1, NaN]], 2), (e: unknown) => e instanceof UserError && /NaN/.test(e.message));
  assert.throws(() => evaluateScores([[0, 1]], [[0.1, 0.2], [0.3, 0.4]], 2), /1 clips but scores have 2/);
  assert.throws(() => evaluateScores(new Float32Array(5), new Float32Array(5), 2), /whole number of rows/);
});

test("JSON and per-class CSV writers: fractions, nulls for undefined, quoted names", () => {
  const m = evaluateScores(
    [[1, 0, 1], [0, 0, 1], [1, 0, 1]],
    [[0.9, 0.1, 0.3], [0.2, 0.5, 0.1], [0.7, 0.2, 0.8]],
    3,
    ["Speech", "Male speech, man speaking", 'Say "hi"'],
  );
  const dir = mkdtempSync(join(tmpdir(), "psl-eval-"));
  writeMetricsJson(join(dir, "m.json"), m, { extra: { split: "eval" }, perClass: true });
  const json = JSON.parse(readFileSync(join(dir, "m.json"), "utf8"));
  assert.equal(json.mAP, 1); // class 0 ranked perfectly, class 2 all positive → AP 1
  assert.equal(json.meanAUC, 1); // only class 0 has both positives and negatives
  assert.equal(json.dPrime, null); // Φ⁻¹(1) = ∞
  assert.equal(json.split, "eval");
  assert.equal(json.perClass[1].ap, null);
  assert.equal(json.perClass[2].auc, null);
  writePerClassCsv(join(dir, "c.csv"), m);
  const csv = readFileSync(join(dir, "c.csv"), "utf8");
  assert.equal(csv, perClassCsv(m));
  const lines = csv.trim().split("\n");
  assert.equal(lines[0], "index,name,ap,auc,positives");
  assert.equal(lines[1], "0,Speech,1,1,2");
  assert.equal(lines[2], '1,"Male speech, man speaking",,,0');
  assert.equal(lines[3], '2,"Say ""hi""",1,,3');
});
