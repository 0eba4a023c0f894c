import { test } from "node:test";
import assert from "node:assert/strict";
import {
  evaluateOnFsd,
  fsdClassDeltas,
  fsdClipKey,
  fsdComparison,
  fsdTargets,
  fsdPairedBootstrap,
  mapFsdToAudioSet,
  pairedBootstrap,
  type FsdEvalClip,
  type ModelClipScores,
} from "../../lib/analysis";
import { createRng, mulberry32 } from "../../lib/data/random";
import { dPrimeFromAuc, evaluateScores } from "../../lib/evaluation/metrics";
import { UserError } from "../../lib/errors";

// A 5-class "AudioSet" and a 4-class FSD vocabulary; Oboe's mid is in no AudioSet output (like the real Oboe).
const AUDIOSET = [
  { index: 0, mid: "/m/a", displayName: "Speech" },
  { index: 1, mid: "/m/b", displayName: "Dog" },
  { index: 2, mid: "/m/c", displayName: "Rain" },
  { index: 3, mid: "/m/d", displayName: "Music" },
  { index: 4, mid: "/m/e", displayName: "Bark" },
];
const VOCABULARY = [
  { index: 0, label: "Bark", mid: "/m/e" },
  { index: 1, label: "Rain", mid: "/m/c" },
  { index: 2, label: "Oboe", mid: "/m/zz" },
  { index: 3, label: "Speech", mid: "/m/a" },
];
const CLIPS: FsdEvalClip[] = [
  { fname: "x1", labels: ["Bark"] },
  { fname: "x2", labels: ["Rain", "Oboe"] },
  { fname: "x3", labels: ["Speech"] },
  { fname: "x4", labels: ["Oboe"] }, // only an unmapped label: a negative for every mapped class
  { fname: "x5", labels: ["/m/e"] }, // labels may be mids, as FSD50K's eval.csv `mids` column gives them
];

/** AudioSet-space scores; rows in a different order than CLIPS plus one extra clip, to test alignment by name. */
function model(name: string, barkX5: number): ModelClipScores {
  //            Speech Dog  Rain Music Bark
  const rows: Record<string, number[]> = {
    extra: [0.99, 0.99, 0.99, 0.99, 0.99],
    x5: [0.2, 0.5, 0.2, 0.5, barkX5],
    x4: [0.1, 0.5, 0.3, 0.5, 0.3],
    x3: [0.6, 0.5, 0.1, 0.5, 0.1],
    x2: [0.3, 0.5, 0.8, 0.5, 0.5],
    x1: [0.7, 0.5, 0.4, 0.5, 0.9],
  };
  return { model: name, filenames: Object.keys(rows), numClasses: 5, scores: Float32Array.from(Object.values(rows).flat()) };
}

test("mapping through mids: mapped in FSD order, unmapped reported with the reason", () => {
  const mapping = mapFsdToAudioSet(VOCABULARY, AUDIOSET);
  assert.deepEqual(
    mapping.mapped.map((m) => [m.fsdIndex, m.fsdLabel, m.audioSetIndex, m.audioSetName]),
    [
      [0, "Bark", 4, "Bark"],
      [1, "Rain", 2, "Rain"],
      [3, "Speech", 0, "Speech"],
    ],
  );
  assert.deepEqual(mapping.unmapped, [{ fsdIndex: 2, fsdLabel: "Oboe", mid: "/m/zz", reason: "mid not among the 5 AudioSet classes" }]);
  assert.throws(() => mapFsdToAudioSet([...VOCABULARY, { index: 9, label: "Bark2", mid: "/m/e" }], AUDIOSET), /mid \/m\/e appears twice/);
  assert.throws(() => mapFsdToAudioSet([...VOCABULARY, { index: 9, label: "Bark", mid: "/m/q" }], AUDIOSET), UserError);
});

test("targets: mapped labels only, by name or mid; unknown labels are errors", () => {
  const mapping = mapFsdToAudioSet(VOCABULARY, AUDIOSET);
  // columns Bark, Rain, Speech
  assert.deepEqual([...fsdTargets(mapping, CLIPS)], [1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0]);
  assert.throws(() => fsdTargets(mapping, [{ fname: "y", labels: ["Cowbell"] }]), /clip y has label Cowbell/);
});

test("weak vs PSL side by side on hand-computed AP / AUC / d′", () => {
  const mapping = mapFsdToAudioSet(VOCABULARY, AUDIOSET);
  const result = evaluateOnFsd(mapping, CLIPS, [model("weak", 0.2), model("psl-2s", 0.95)], { dataset: "toy" });
  // weak — Bark: ranking x1+ x2 x4 x5+ x3 → AP = ½·1 + ½·(2/4) = 0.75, AUC = 4/6; Rain: x2 on top → AP 1, AUC 1;
  // Speech: x1 .7 > x3+ .6 → AP ½, AUC ¾.
  const [weak, psl] = result.summary;
  assert.equal(weak.model, "weak");
  assert.equal(weak.clips, 5);
  assert.equal(weak.classesMapped, 3);
  assert.equal(weak.classesEvaluated, 3);
  assert.ok(Math.abs(weak.mAP - 0.75) < 1e-12);
  assert.ok(Math.abs(weak.meanAUC - 29 / 36) < 1e-12);
  assert.ok(Math.abs(weak.dPrime - dPrimeFromAuc(29 / 36)) < 1e-12);
  // psl — x5's Bark score 0.95 puts both Bark positives on top: Bark AP 1, AUC 1.
  assert.ok(Math.abs(psl.mAP - 2.5 / 3) < 1e-12);
  assert.ok(Math.abs(psl.meanAUC - 2.75 / 3) < 1e-12);
  const bark = result.perClass.filter((r) => r.fsdLabel === "Bark");
  assert.deepEqual(bark.map((r) => [r.model, r.positives, r.audioSetName]), [["weak", 2, "Bark"], ["psl-2s", 2, "Bark"]]);
  assert.ok(Math.abs(bark[0].ap! - 0.75) < 1e-12);
  const comparison = fsdComparison(result.summary);
  assert.deepEqual(Object.keys(comparison), ["weak", "psl-2s"]);
  assert.ok(Math.abs(comparison["psl-2s"].mAP! - 2.5 / 3) < 1e-12);
  const deltas = fsdClassDeltas(result.perClass, "weak", "psl-2s");
  assert.deepEqual([deltas.improved, deltas.worse], [1, 0]);
  assert.equal(deltas.rows[0].fsdLabel, "Bark");
  assert.ok(Math.abs(deltas.rows[0].delta - 0.25) < 1e-12);
});

test("a clip without scores, a duplicate model name or a class without positives are handled explicitly", () => {
  const mapping = mapFsdToAudioSet(VOCABULARY, AUDIOSET);
  const partial = model("weak", 0.2);
  const dropped = { ...partial, filenames: partial.filenames.slice(0, 5), scores: (partial.scores as Float32Array).slice(0, 25) };
  assert.throws(() => evaluateOnFsd(mapping, CLIPS, [dropped]), /no scores for clip x1/);
  assert.throws(() => evaluateOnFsd(mapping, CLIPS, [model("weak", 0.2), model("weak", 0.3)]), /given twice/);
  // Without x3, Speech has no positive clip: it is left out of mAP and its AP is null.
  const result = evaluateOnFsd(mapping, CLIPS.filter((c) => c.fname !== "x3"), [model("weak", 0.2)]);
  assert.equal(result.summary[0].classesEvaluated, 2);
  assert.equal(result.perClass.find((r) => r.fsdLabel === "Speech")!.ap, null);
});

test("score rows match FSD clip ids by base name without extension; ambiguous keys are errors", () => {
  assert.equal(fsdClipKey("audio/eval/37199.wav"), "37199");
  assert.equal(fsdClipKey("00044347.wav"), "00044347");
  assert.equal(fsdClipKey("37199"), "37199");
  const mapping = mapFsdToAudioSet(VOCABULARY, AUDIOSET);
  const m = model("weak", 0.2);
  const renamed = { ...m, filenames: m.filenames.map((f) => `eval_audio/${f}.wav`) };
  const byKey = evaluateOnFsd(mapping, CLIPS, [renamed]);
  assert.ok(Math.abs(byKey.summary[0].mAP - 0.75) < 1e-12);
  const twice = { ...renamed, filenames: renamed.filenames.map((f) => f.replace("x2.wav", "x1.flac")) };
  assert.throws(() => evaluateOnFsd(mapping, CLIPS, [twice]), /several score rows match clip x1/);
});

test("paired bootstrap: identical models never differ; an oracle beats noise on every resample; seeded", () => {
  const rand = mulberry32(3);
  const n = 60;
  const K = 4;
  const targets = Array.from({ length: n * K }, () => (rand() < 0.3 ? 1 : 0));
  const noise = targets.map(() => rand());
  const oracle = targets.map((t, i) => t * 0.5 + noise[i] * 0.5); // positives ≥ 0.5 > … mostly on top
  const same = pairedBootstrap(targets, noise, noise, K, { resamples: 50, seed: 1 });
  assert.deepEqual([same.observedMapDelta, same.mapDeltaLow, same.mapDeltaHigh, same.probabilityComparedBetter], [0, 0, 0, 0]);
  const result = pairedBootstrap(targets, noise, oracle, K, { resamples: 100, seed: 1, baseline: "noise", compared: "oracle" });
  assert.ok(result.observedMapDelta > 0.3);
  assert.ok(result.mapDeltaLow > 0 && result.mapDeltaLow <= result.observedMapDelta && result.observedMapDelta <= result.mapDeltaHigh);
  assert.equal(result.probabilityComparedBetter, 1);
  assert.deepEqual(pairedBootstrap(targets, noise, oracle, K, { resamples: 100, seed: 1 }).mapDeltaLow, result.mapDeltaLow);
  assert.notEqual(pairedBootstrap(targets, noise, oracle, K, { resamples: 100, seed: 2 }).mapDeltaLow, result.mapDeltaLow);
  // One resample: the same clips are drawn for both models (replayed here with the same seeded generator).
  const rng = createRng(9);
  const rows = Array.from({ length: n }, () => rng.int(n));
  const take = (m: number[]) => rows.flatMap((r) => m.slice(r * K, (r + 1) * K));
  const expected = evaluateScores(take(targets), take(oracle), K).mAP - evaluateScores(take(targets), take(noise), K).mAP;
  const one = pairedBootstrap(targets, noise, oracle, K, { resamples: 1, seed: 9 });
  assert.ok(Math.abs(one.mapDeltaLow - expected) < 1e-12);
  // The FSD wrapper restricts to mapped classes first.
  const mapping = mapFsdToAudioSet(VOCABULARY, AUDIOSET);
  const fsd = fsdPairedBootstrap(mapping, CLIPS, model("weak", 0.2), model("psl-2s", 0.95), { resamples: 20 });
  assert.ok(Math.abs(fsd.observedMapDelta - (2.5 / 3 - 0.75)) < 1e-12);
  assert.deepEqual([fsd.baseline, fsd.compared], ["weak", "psl-2s"]);
});

