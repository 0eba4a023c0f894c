/**
 * The analyses written as arquero verbs over the tidy PSL table (lib/analysis/tidy.ts; the way notebook 05 writes
 * them) give the same numbers as lib/analysis' own functions: per-class added / unconfirmed counts
 * (perClassMissingCounts), recovery of dropped labels by event length (recoveryByEventAttribute), and the per-class AP
 * change on the second domain (fsdClassDeltas, notebook 06). The PSL table goes
 * through its Arrow encoding and arquero's own Arrow reader, as in the notebook.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as aq from "arquero";
import { encodePslTable, type PslTable } from "../../lib/psl/table";
import { createRng } from "../../lib/data/random";
import {
  binOf, chunkScoresLong, findMissingLabels, fsdClassDeltas, perClassMissingCounts, recoveryByEventAttribute, weakLabelsOfTable,
  type ClipLabelStat, type FsdClassRow,
} from "../../lib/analysis";

const op = aq.op;
const C = 12;

/** 15 clips of 10 s in 2-s chunks, a teacher that is sure of a few classes per clip, weak labels with gaps. */
function example(): { table: PslTable; stats: ClipLabelStat[] } {
  const rng = createRng(7);
  const filenames: string[] = [];
  const weak: number[][] = [];
  const stats: ClipLabelStat[] = [];
  const probs: number[] = [];
  const chunkIndex: number[] = [];
  for (let clip = 0; clip < 15; clip++) {
    const truth = [...new Set([0, 1, 2].map(() => Math.floor(rng.next() * C)))];
    const kept = truth.filter(() => rng.next() < 0.6);
    for (const label of truth) {
      stats.push({ filename: `clip${clip}.wav`, label, activeSeconds: Math.round(rng.next() * 100) / 10, levelDb: 0, dropProbability: 0.4, kept: kept.includes(label) });
    }
    for (let chunk = 0; chunk < 5; chunk++) {
      filenames.push(`clip${clip}.wav`);
      chunkIndex.push(chunk);
      weak.push([...kept].sort((a, b) => a - b));
      // A true class sounds in some chunks only (high there, low elsewhere); other classes are mostly near 0.
      for (let c = 0; c < C; c++) probs.push(truth.includes(c) && rng.next() < 0.3 ? rng.next() : rng.next() ** 6);
    }
  }
  const rows = filenames.length;
  const table: PslTable = {
    numClasses: C, filenames, weak,
    clipIndex: Int32Array.from(filenames, (f) => Number(f.slice(4, -4))),
    chunkIndex: Int32Array.from(chunkIndex),
    from: Float32Array.from(chunkIndex, (i) => 2 * i),
    to: Float32Array.from(chunkIndex, (i) => 2 * i + 2),
    probs: Float32Array.from(probs),
  };
  assert.equal(table.probs.length, rows * C);
  return { table, stats };
}

test("chunkScoresLong reads the kit's table and arquero's Arrow table alike, keeping p ≥ minProbability", () => {
  const { table } = example();
  const fromArrow = aq.fromArrow(encodePslTable(table));
  const a = chunkScoresLong(table, { minProbability: 0.3 }).orderby("filename", "chunk", "class").objects();
  const b = chunkScoresLong(fromArrow, { minProbability: 0.3 }).orderby("filename", "chunk", "class").objects();
  assert.deepEqual(a, b);
  const expected = Array.from(table.probs).filter((p) => p >= 0.3).length;
  assert.equal(a.length, expected);
  assert.ok(a.every((r) => (r as { p: number }).p >= 0.3));
});

test("per-class added / unconfirmed counts: verbs over the tidy table = perClassMissingCounts", () => {
  const { table } = example();
  const threshold = 0.33;
  const chunks = aq.fromArrow(encodePslTable(table));
  // --- as notebook 05 writes it ---
  const said = chunkScoresLong(chunks, { minProbability: threshold }).select("filename", "class").dedupe().derive({ said: () => 1, weak: () => 0 });
  const weak = aq.from(weakLabelsOfTable(table)).unroll("labels").rename({ labels: "class" }).derive({ said: () => 0, weak: () => 1 });
  const perClass = said.concat(weak)
    .groupby("filename", "class").rollup({ said: op.max("said"), weak: op.max("weak") })
    .groupby("class")
    .rollup({
      weakCount: op.sum("weak"), teacherCount: op.sum("said"),
      addedCount: (d: any) => op.sum(d.said * (1 - d.weak)), unconfirmedCount: (d: any) => op.sum(d.weak * (1 - d.said)),
    })
    .orderby(aq.desc("addedCount"), aq.desc("unconfirmedCount"), "class");
  // ---
  const lib = perClassMissingCounts(findMissingLabels(table, weakLabelsOfTable(table), { threshold }))
    .filter((r) => r.weakCount + r.teacherCount > 0)
    .map((r) => ({ class: r.classIndex, weakCount: r.weakCount, teacherCount: r.teacherCount, addedCount: r.addedCount, unconfirmedCount: r.unconfirmedCount }));
  assert.ok(lib.some((r) => r.addedCount > 0) && lib.some((r) => r.unconfirmedCount > 0), "the example exercises both");
  assert.deepEqual(perClass.objects(), lib);
});

test("recovery of dropped labels by event length: verbs over the tidy table = recoveryByEventAttribute", () => {
  const { table, stats } = example();
  const threshold = 0.33;
  const edges = [0, 0.5, 1, 2, 5, 10];
  const chunks = aq.fromArrow(encodePslTable(table));
  // --- as notebook 05 writes it ---
  const said = chunkScoresLong(chunks, { minProbability: threshold }).select("filename", "class").dedupe().derive({ said: () => 1 });
  const key = ["filename", "class"];
  const bin = binOf(edges);
  const byLength = aq.from(stats).rename({ label: "class" })
    .join_left(said, [key, key])
    .derive({ bin: aq.escape((d: { activeSeconds: number }) => bin(d.activeSeconds)), said: (d: any) => d.said ?? 0 })
    .filter((d: any) => d.bin !== null)
    .groupby("bin")
    .rollup({
      lo: op.min("activeSeconds"),
      dropped: (d: any) => op.sum(d.kept ? 0 : 1), recovered: (d: any) => op.sum(d.kept ? 0 : d.said),
      kept: (d: any) => op.sum(d.kept ? 1 : 0), confirmed: (d: any) => op.sum(d.kept ? d.said : 0),
    })
    .orderby("lo")
    .select(aq.not("lo"));
  // ---
  const lib = recoveryByEventAttribute(table, stats, { threshold, attribute: "activeSeconds", edges })
    .filter((r) => r.dropped + r.kept > 0)
    .map((r) => ({ bin: r.bin, dropped: r.dropped, recovered: r.recovered, kept: r.kept, confirmed: r.confirmed }));
  assert.ok(lib.length >= 3 && lib.some((r) => r.recovered > 0), "the example fills several bins and recovers something");
  assert.deepEqual(byLength.objects(), lib);
});

test("binOf bins like recoveryByEventAttribute: half-open bins, the last one closed, outside = null", () => {
  const bin = binOf([0, 0.5, 1, 10]);
  assert.deepEqual([0, 0.49, 0.5, 1, 9.99, 10, 10.01, -1].map(bin), ["[0, 0.5)", "[0, 0.5)", "[0.5, 1)", "[1, 10]", "[1, 10]", "[1, 10]", null, null]);
  assert.throws(() => binOf([1, 1]), /strictly ascending/);
});

test("per-class AP change on the second domain: a pivot over the per-class rows = fsdClassDeltas", () => {
  const rng = createRng(3);
  const labels = ["Bark", "Meow", "Rain", "Siren", "Knock"];
  const perClass: FsdClassRow[] = ["weak", "psl-10s", "psl-2s"].flatMap((model) => labels.map((fsdLabel, fsdIndex) => ({
    dataset: "demo", model, fsdIndex, fsdLabel, audioSetIndex: 10 + fsdIndex, audioSetName: fsdLabel, positives: fsdIndex === 4 ? 0 : 3,
    ap: fsdIndex === 4 ? null : Math.round(rng.next() * 1000) / 1000, auc: null,
  })));
  // --- as notebook 06 writes it ---
  const deltas = aq.from(perClass)
    .groupby("fsdLabel", "audioSetName", "positives").pivot("model", "ap")
    .filter((d: any) => d.weak != null && d["psl-2s"] != null)
    .derive({ delta: (d: any) => d["psl-2s"] - d.weak })
    .orderby(aq.desc("delta"), "fsdLabel");
  // ---
  const lib = fsdClassDeltas(perClass, "weak", "psl-2s");
  assert.equal(deltas.numRows(), 4, "the class without positives has no AP");
  assert.deepEqual(deltas.array("fsdLabel"), lib.rows.map((r) => r.fsdLabel));
  assert.deepEqual(deltas.array("delta"), lib.rows.map((r) => r.delta));
  assert.equal(deltas.filter((d: any) => d.delta > 0).numRows(), lib.improved);
});
