import { test } from "node:test";
import assert from "node:assert/strict";
import {
  addedLabelCurve,
  addedLabelCurves,
  apByMissingRate,
  chunkLevelCurve,
  chunkTruth,
  coverageTeacher,
  inheritedLabelQuality,
  missingLabelsHeadline,
  missingRateFromTruth,
  parseClipLabelStats,
  parseStrongLabels,
  recoveryByEventAttribute,
  perClassRecovery,
  type ChunkScores,
  type LabelledClip,
} from "../../lib/analysis";
import { UserError } from "../../lib/errors";
import { chunkTable, mulberry32, TOY_NAMES, TOY_STRONG, TOY_TRUTH, TOY_WEAK, toyChunks } from "./toy";

const pick = <T extends object, K extends keyof T>(rows: T[], ...keys: K[]) => rows.map((r) => keys.map((k) => r[k]));

test("added-label precision/recall on the 3-clip toy truth, by hand", () => {
  const rows = addedLabelCurve(toyChunks(), TOY_WEAK, TOY_TRUTH, { thresholds: [0.9, 0.25, 0.375, 0.5, 0.75, 0.875] });
  // Truly missing: A's c1 and C's c2 → 2.
  assert.deepEqual(pick(rows, "threshold", "trulyMissing", "added", "correct", "addedPrecision", "addedRecall", "unconfirmed"), [
    [0.25, 2, 4, 2, 0.5, 1, 0], // A c1 ✓, C c2 ✓, B c0 ✗, B c1 ✗ (0.25 ≥ 0.25)
    [0.375, 2, 3, 2, 2 / 3, 1, 1], // B c1 drops out; B's weak c2 (0.25) is no longer confirmed
    [0.5, 2, 2, 1, 0.5, 0.5, 1], // C c2 (0.375) drops out
    [0.75, 2, 1, 1, 1, 0.5, 1], // only A c1 (0.75) stays
    [0.875, 2, 0, 0, NaN, 0, 1], // nothing added: precision undefined
    [0.9, 2, 0, 0, NaN, 0, 3], // no weak label confirmed either
  ]);
  const at05 = rows[2];
  assert.equal(at05.weakRecall, 3 / 5); // |W ∩ T| / |T| = 3 / 5
  assert.equal(at05.augmentedRecall, 4 / 5);
  assert.equal(at05.augmentedPrecision, 4 / 5); // weak 3 + added 2 = 5 labels, 4 true
  assert.equal(at05.falseWeak, 0);
});

test("a wrong weak label the teacher does not confirm counts as rightly unconfirmed", () => {
  const chunks = chunkTable({ D: [[0.125, 0, 0.75], [0.125, 0, 0.5]] }, 5);
  const rows = addedLabelCurve(chunks, [{ filename: "D", labels: [0, 2] }], [{ filename: "D", labels: [2] }], { thresholds: [0.5] });
  assert.equal(rows[0].falseWeak, 1);
  assert.equal(rows[0].unconfirmed, 1);
  assert.equal(rows[0].rightlyUnconfirmed, 1);
  assert.ok(Number.isNaN(rows[0].addedRecall)); // nothing truly missing
});

/** Random table + labels, for property tests. */
function randomCase(seed: number, clips = 40, chunksPerClip = 5, C = 12) {
  const rand = mulberry32(seed);
  const scores: Record<string, number[][]> = {};
  const weak: LabelledClip[] = [];
  const truth: LabelledClip[] = [];
  for (let i = 0; i < clips; i++) {
    const name = `clip${i}`;
    const t = [...Array(C).keys()].filter(() => rand() < 0.25);
    const w = t.filter(() => rand() < 0.6).concat(rand() < 0.2 ? [Math.floor(rand() * C)] : []);
    truth.push({ filename: name, labels: t });
    weak.push({ filename: name, labels: [...new Set(w)] });
    scores[name] = Array.from({ length: chunksPerClip }, () =>
      Array.from({ length: C }, (_, c) => Math.min(1, rand() * (t.includes(c) ? 1.3 : 0.7))),
    );
  }
  return { chunks: chunkTable(scores, 2), weak, truth };
}

test("threshold curves are monotone where they must be, and agree with a brute-force scan", () => {
  const { chunks, weak, truth } = randomCase(7);
  const grid = Array.from({ length: 41 }, (_, i) => i / 40);
  const rows = addedLabelCurve(chunks, weak, truth, { thresholds: grid });
  for (let i = 1; i < rows.length; i++) {
    assert.ok(rows[i].added <= rows[i - 1].added);
    assert.ok(rows[i].correct <= rows[i - 1].correct);
    assert.ok(rows[i].addedRecall <= rows[i - 1].addedRecall);
    assert.ok(rows[i].augmentedRecall <= rows[i - 1].augmentedRecall);
    assert.ok(rows[i].unconfirmed >= rows[i - 1].unconfirmed);
  }
  // Brute force: per clip, per class max over chunks, straight from the definitions.
  const C = chunks.numClasses;
  for (const row of [rows[0], rows[13], rows[20], rows[33], rows[40]]) {
    let added = 0;
    let correct = 0;
    let missing = 0;
    for (const w of weak) {
      const t = new Set(truth.find((x) => x.filename === w.filename)!.labels);
      const ws = new Set(w.labels);
      for (let c = 0; c < C; c++) {
        let max = -Infinity;
        chunks.filenames.forEach((f, r) => {
          if (f === w.filename) max = Math.max(max, chunks.probs[r * C + c]);
        });
        if (!ws.has(c) && t.has(c)) missing++;
        if (!ws.has(c) && max >= row.threshold) {
          added++;
          if (t.has(c)) correct++;
        }
      }
    }
    assert.deepEqual([row.added, row.correct, row.trulyMissing], [added, correct, missing], `threshold ${row.threshold}`);
  }
});

test("shorter chunks recover at least as many dropped labels as one mean-pooled long chunk", () => {
  // When the long chunk's score is the mean of its short chunks (a mean-pooled model's view), max ≥ mean means the
  // short-chunk table says every class the long one does: its added recall can never be lower.
  const { chunks: short, weak, truth } = randomCase(11, 30, 5, 10);
  const C = short.numClasses;
  const names = [...new Set(short.filenames)];
  const long: ChunkScores = {
    filenames: names,
    chunkIndex: new Int32Array(names.length),
    from: new Float32Array(names.length),
    to: new Float32Array(names.length).fill(10),
    numClasses: C,
    probs: new Float32Array(names.length * C),
  };
  names.forEach((name, i) => {
    const rows = short.filenames.flatMap((f, r) => (f === name ? [r] : []));
    for (let c = 0; c < C; c++) long.probs[i * C + c] = rows.reduce((s, r) => s + short.probs[r * C + c], 0) / rows.length;
  });
  const table = addedLabelCurves([{ chunkSeconds: 10, chunks: long }, { chunkSeconds: 2, chunks: short }], weak, truth);
  const tenS = table.filter((r) => r.chunkSeconds === 10);
  const twoS = table.filter((r) => r.chunkSeconds === 2);
  assert.equal(tenS.length, 19);
  assert.equal(twoS.length, 19);
  tenS.forEach((r, i) => {
    assert.equal(twoS[i].threshold, r.threshold);
    assert.ok(twoS[i].correct >= r.correct, `threshold ${r.threshold}`);
    assert.ok(twoS[i].addedRecall >= r.addedRecall);
  });
  assert.ok(twoS.some((r, i) => r.correct > tenS[i].correct), "the toy should show a strict gain somewhere");
});

test("chunk-level truth: overlap, not touching, marks a chunk", () => {
  const truthPerRow = chunkTruth(toyChunks(), TOY_STRONG);
  // Rows: A0 A1 A2 B0 B1 B2 C0 C1 C2
  assert.deepEqual(truthPerRow.map((s) => [...s].sort()), [[0], [0], [1], [2], [2], [2], [1], [1, 2], [1]]);
  // With a 0.75-s minimum overlap, C's 0.5-s c2 event no longer marks chunk 1.
  assert.deepEqual([...chunkTruth(toyChunks(), TOY_STRONG, 0.75)[7]], [1]);
});

test("chunk-level precision/recall of teacher, added and inherited labels, by hand", () => {
  const [row] = chunkLevelCurve(toyChunks(), TOY_WEAK, TOY_STRONG, { thresholds: [0.5] });
  assert.equal(row.chunks, 9);
  assert.equal(row.truePairs, 10);
  assert.equal(row.teacherPrecision, 6 / 7);
  assert.equal(row.teacherRecall, 6 / 10);
  assert.deepEqual([row.added, row.correct, row.addedPrecision, row.addedRecall], [2, 1, 0.5, 0.5]);
  // Inherited weak labels: A's c0 is wrong in chunk 2 → 8 of 9 inherited labels true, 8 of 10 true pairs covered.
  assert.equal(row.inheritedPrecision, 8 / 9);
  assert.equal(row.inheritedRecall, 8 / 10);
});

test("per-class recovery and missing rates from the truth", () => {
  assert.deepEqual(
    pick(perClassRecovery(toyChunks(), TOY_WEAK, TOY_TRUTH, { threshold: 0.5, classNames: TOY_NAMES }), "name", "trulyMissing", "added", "correct"),
    [
      ["Dog", 1, 1, 1],
      ["Rain", 1, 0, 0],
      ["Speech", 0, 1, 0],
    ],
  );
  assert.deepEqual(pick(missingRateFromTruth(TOY_WEAK, TOY_TRUTH, 3), "classIndex", "trueCount", "missingCount", "missingRate"), [
    [0, 1, 0, 0],
    [1, 2, 1, 0.5],
    [2, 2, 1, 0.5],
  ]);
});

test("student AP on classes with many vs few missing labels", () => {
  const rates = [
    { classIndex: 0, rate: 0 },
    { classIndex: 1, rate: 0.5 },
    { classIndex: 2, rate: 0.5 },
    { classIndex: 3, rate: NaN }, // never occurs: left out
  ];
  const models = [
    { model: "weak", perClass: [0.8, 0.2, 0.3, 0.9].map((ap, index) => ({ index, ap })) },
    { model: "psl-2s", perClass: [0.8, 0.5, 0.6, 0.9].map((ap, index) => ({ index, ap })) },
  ];
  const result = apByMissingRate(rates, models);
  assert.equal(result.splitRate, 0.5);
  assert.equal(result.rule, ">="); // the median is the top rate, so ">" would leave "many" empty
  assert.equal(result.classes, 3);
  const mean = (model: string, group: string) => result.groups.find((g) => g.model === model && g.group === group)!;
  assert.equal(mean("weak", "many").meanAP, 0.25);
  assert.equal(mean("psl-2s", "many").meanAP, 0.55);
  assert.equal(mean("weak", "few").meanAP, 0.8);
  assert.equal(mean("weak", "few").classes, 1);
  const explicit = apByMissingRate(rates, models, { splitRate: 0.25 });
  assert.equal(explicit.rule, ">");
  assert.equal(explicit.groups.find((g) => g.model === "weak" && g.group === "many")!.classes, 2);
  assert.throws(() => apByMissingRate(rates, []), UserError);
  // A class without positives in one model's eval (evaluateScores gives ap: null) is left out for every model.
  const withNull = [models[0], { model: "psl-5s", perClass: [0.8, null, 0.6, 0.9].map((ap, index) => ({ index, ap })) }];
  const nullResult = apByMissingRate(rates, withNull);
  assert.equal(nullResult.classes, 2);
  assert.deepEqual(nullResult.perClass.filter((r) => r.model === "weak").map((r) => r.classIndex), [0, 2]);
});

test("headline object for reports/summary.json", () => {
  assert.deepEqual(missingLabelsHeadline(toyChunks(), TOY_WEAK, TOY_TRUTH, { threshold: 0.5, chunkSeconds: 2 }), {
    threshold: 0.5,
    chunkSeconds: 2,
    addedPrecision: 0.5,
    addedRecall: 0.5,
  });
  // Undefined precision becomes null (JSON has no NaN).
  assert.equal(missingLabelsHeadline(toyChunks(), TOY_WEAK, TOY_TRUTH, { threshold: 0.9, chunkSeconds: 2 }).addedPrecision, null);
});

test("strong-label TSV reader", () => {
  const events = parseStrongLabels("filename\tonset\toffset\tlabel\nA.wav\t0.5\t2.25\t7\n\nB.wav\t0\t10\t0\n");
  assert.deepEqual(events, [
    { filename: "A.wav", onset: 0.5, offset: 2.25, label: 7 },
    { filename: "B.wav", onset: 0, offset: 10, label: 0 },
  ]);
  assert.throws(() => parseStrongLabels("A.wav\t2\t1\t7\n", "s.tsv"), /s\.tsv:1: bad offset/);
  assert.throws(() => parseStrongLabels("A.wav\t0\t1\t-1\n", "s.tsv"), /bad label index/);
  assert.throws(() => parseStrongLabels("A.wav\t0\t1\n", "s.tsv"), /expected 4/);
});

test("recovery of dropped labels by event activity, from the demo's clip_labels.tsv format", () => {
  const stats = parseClipLabelStats(
    [
      "filename\tlabel\tactive_seconds\tlevel_db\tdrop_probability\tkept",
      "A\t0\t4.00\t0.0\t0.050\t1",
      "A\t1\t1.00\t-10.0\t0.300\t0", // dropped, teacher max 0.75 → recovered
      "B\t2\t6.00\t-20.0\t0.500\t1", // kept, teacher max 0.25 → not confirmed
      "C\t1\t10.00\t0.0\t0.050\t1", // exactly at the top edge: in the last (closed) bin
      "C\t2\t0.50\t-15.0\t0.600\t0", // dropped, teacher max 0.375 → not recovered
      "Z\t2\t0.50\t-15.0\t0.600\t0", // clip not in the chunk table: ignored
      "",
    ].join("\n"),
  );
  assert.equal(stats.length, 6);
  const rows = recoveryByEventAttribute(toyChunks(), stats, { threshold: 0.5, attribute: "activeSeconds", edges: [0, 2, 10] });
  assert.deepEqual(pick(rows, "bin", "dropped", "recovered", "recoveryRate", "kept", "confirmed"), [
    ["[0, 2)", 2, 1, 0.5, 0, 0],
    ["[2, 10]", 0, 0, NaN, 3, 2],
  ]);
  const byLevel = recoveryByEventAttribute(toyChunks(), stats, { threshold: 0.5, attribute: "levelDb", edges: [-30, -12, 0] });
  assert.deepEqual(pick(byLevel, "dropped", "recovered", "kept", "confirmed"), [
    [1, 0, 1, 0], // C c2 (−15, dropped), B c2 (−20, kept)
    [1, 1, 2, 2], // A c1 (−10, dropped), A c0 and C c1 (0 dB, kept)
  ]);
  assert.throws(() => parseClipLabelStats("filename\tlabel\n"), /missing column "active_seconds"/);
  assert.throws(() => recoveryByEventAttribute(toyChunks(), stats, { threshold: 0.5, attribute: "levelDb", edges: [0, 0] }), UserError);
});

test("inherited weak chunk labels get worse as chunks shrink (strong labels as chunk truth)", () => {
  const clips = TOY_WEAK.map((w) => ({ filename: w.filename, labels: [...w.labels], duration: 6 }));
  const rows = inheritedLabelQuality(clips, TOY_STRONG, [6, 2]);
  // 6 s: one chunk per clip, all 3 weak labels have an event in the clip; true pairs = 5 (A c0 c1, B c2, C c1 c2).
  assert.deepEqual(pick(rows, "chunkSeconds", "chunks", "inheritedLabels", "correct", "truePairs", "chunksWithWrongLabel"), [
    [6, 3, 3, 3, 5, 0],
    [2, 9, 9, 8, 10, 1 / 9], // A's "Speech" (c0, 0–4 s) is wrong for A's chunk 4–6 s
  ]);
  assert.equal(rows[1].precision, 8 / 9);
  assert.equal(rows[1].recall, 8 / 10);
  // Agrees with the inherited columns of chunkLevelCurve on the same 2-s chunks.
  const [curve] = chunkLevelCurve(toyChunks(), TOY_WEAK, TOY_STRONG, { thresholds: [0.5] });
  assert.deepEqual([curve.inheritedPrecision, curve.inheritedRecall], [rows[1].precision, rows[1].recall]);
});

test("coverage teacher: scores are the share of the chunk the class's events cover (overlaps counted once)", () => {
  const clips = [{ filename: "A", duration: 6 }, { filename: "C", duration: 5 }];
  const strong = [...TOY_STRONG, { filename: "A", onset: 1, offset: 3, label: 0 }]; // overlaps A's 0–4 s c0 event
  const six = coverageTeacher(clips, strong, { chunkSeconds: 6, numClasses: 3 });
  assert.deepEqual([...six.filenames], ["A", "C"]);
  assert.deepEqual([...six.to], [6, 5]); // the last chunk ends at the clip's duration
  const close = (got: Float32Array, want: number[]) => want.forEach((w, i) => assert.ok(Math.abs(got[i] - w) < 1e-6, `${i}: ${got[i]} vs ${w}`));
  close(six.probs, [4 / 6, 1 / 6, 0, 0, 5 / 5, 0.5 / 5]);
  const two = coverageTeacher(clips, strong, { chunkSeconds: 2, numClasses: 3 });
  assert.deepEqual([...two.chunkIndex], [0, 1, 2, 0, 1, 2]);
  close(two.probs.subarray(0, 9), [1, 0, 0, 1, 0, 0, 0, 0.5, 0]);
  close(two.probs.subarray(15, 18), [0, 1, 0]); // C's last chunk is 4–5 s, fully covered by the 0–6 s c1 event
  // At threshold 0.25 both dropped labels (A's 1-s c1, C's 0.5-s c2) are recovered with 2-s chunks (coverage 0.5 and
  // 0.25) but neither with one chunk per clip (1/6 and 0.1).
  const truthAC = TOY_TRUTH.filter((t) => t.filename !== "B");
  const weakAC = TOY_WEAK.filter((t) => t.filename !== "B");
  const curves = addedLabelCurves([{ chunkSeconds: 6, chunks: six }, { chunkSeconds: 2, chunks: two }], weakAC, truthAC, { thresholds: [0.25] });
  assert.deepEqual(pick(curves, "chunkSeconds", "correct", "trulyMissing", "addedPrecision"), [
    [6, 0, 2, NaN],
    [2, 2, 2, 1],
  ]);
});
