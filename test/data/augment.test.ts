/** lib/data/augment.ts: mixup in the power domain and SpecAugment masks, on real log-mels of the front-end fixtures. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { readNpy } from "../../lib/io/npy";
import { logMel } from "../../lib/audio/melspec";
import { N_MELS } from "../../lib/audio/frontend";
import { augmentBatch, betaSymmetric, describeAugmentation, NO_AUGMENTATION } from "../../lib/data/augment";
import { createRng } from "../../lib/data/random";
import { resolveConfig } from "../../lib/psl/config";

const DIR = join(__dirname, "../fixtures/audio/melspec");
const signal = (name: string) => readNpy(join(DIR, `${name}.signal.npy`)).data as Float32Array;
// Two real test signals of one length: a chirp and noise (uncorrelated, so the mix's cross term averages out).
const LENGTH = 36_837;
const chirp = signal("chirp").slice(0, LENGTH);
const noise = signal("noise").slice(0, LENGTH);
const melChirp = logMel(chirp);
const melNoise = logMel(noise);
const FRAMES = melChirp.frames;
const CLASSES = 3;

function pairBatch() {
  const input = new Float32Array(2 * FRAMES * N_MELS);
  input.set(melChirp.data, 0);
  input.set(melNoise.data, FRAMES * N_MELS);
  // One-hot targets on different classes: after mixup, item i's own class holds its λ.
  const targets = Float32Array.from([1, 0, 0, 0, 1, 0]);
  return { input, frames: FRAMES, targets };
}

test("mixup mixes in the power domain: the result is the log-mel of the mixed waveforms, up to their cross term", () => {
  const batch = pairBatch();
  const before = new Float32Array(batch.input);
  const out = augmentBatch(batch, { ...NO_AUGMENTATION, mixupAlpha: 0.5 }, N_MELS, createRng(3));
  assert.deepEqual(batch.input, before, "the batch given is left as it was");
  const lambda = out.targets[0];
  assert.ok(lambda > 0.5 && lambda < 1, `λ = ${lambda} is folded into (0.5, 1)`);
  assert.ok(Math.abs(out.targets[1] - (1 - lambda)) < 1e-6, "the partner's class gets 1 − λ");
  assert.equal(out.targets[2], 0, "a class neither item has stays 0");
  const mixed = Float32Array.from(chirp, (a, k) => Math.sqrt(lambda) * a + Math.sqrt(1 - lambda) * noise[k]);
  const reference = logMel(mixed).data;
  // Compare where the mix is audible (within 60 dB of its loudest bin); the dB mean of the two inputs is the wrong
  // answer this guards against (it multiplies the spectra).
  const top = Math.max(...reference);
  let ours = 0;
  let naive = 0;
  let bins = 0;
  for (let k = 0; k < FRAMES * N_MELS; k += 1) {
    if (reference[k] < top - 60) continue;
    ours += Math.abs(out.input[k] - reference[k]);
    naive += Math.abs(lambda * melChirp.data[k] + (1 - lambda) * melNoise.data[k] - reference[k]);
    bins += 1;
  }
  assert.ok(bins > 1000, `${bins} audible bins`);
  assert.ok(ours / bins < 0.2, `mean |power-domain mix − log-mel of the mixed waveform| = ${(ours / bins).toFixed(3)} dB`);
  assert.ok(naive / bins > 3 * (ours / bins), `the dB-domain mix is off by ${(naive / bins).toFixed(2)} dB on average`);
});

test("SpecAugment masks: bands of at most the set width, filled with the item's mean, targets untouched", () => {
  const batch = pairBatch();
  const settings = { ...NO_AUGMENTATION, timeMasks: 2, timeMaskFrames: 30, freqMasks: 2, freqMaskBins: 8 };
  const out = augmentBatch(batch, settings, N_MELS, createRng(11));
  assert.deepEqual(out.targets, batch.targets);
  for (let item = 0; item < 2; item += 1) {
    const original = item === 0 ? melChirp.data : melNoise.data;
    const mean = original.reduce((s, v) => s + v, 0) / original.length;
    const got = out.input.subarray(item * FRAMES * N_MELS, (item + 1) * FRAMES * N_MELS);
    const changed = (t: number, f: number) => got[t * N_MELS + f] !== original[t * N_MELS + f];
    for (let k = 0; k < got.length; k += 1) if (got[k] !== original[k]) assert.ok(Math.abs(got[k] - mean) < 1e-3, "a changed bin holds the mean");
    // Masked frames are those changed at (nearly) every bin, masked bins those changed at (nearly) every frame.
    const maskedFrames = Array.from({ length: FRAMES }, (_, t) => t).filter((t) => Array.from({ length: N_MELS }, (_, f) => changed(t, f)).filter(Boolean).length > N_MELS - 3);
    const maskedBins = Array.from({ length: N_MELS }, (_, f) => f).filter((f) => Array.from({ length: FRAMES }, (_, t) => changed(t, f)).filter(Boolean).length > FRAMES - 3);
    assert.ok(maskedFrames.length > 0 && maskedFrames.length <= 2 * 30, `item ${item}: ${maskedFrames.length} masked frames`);
    assert.ok(maskedBins.length > 0 && maskedBins.length <= 2 * 8, `item ${item}: ${maskedBins.length} masked bins`);
    let unchanged = 0;
    for (let k = 0; k < got.length; k += 1) if (got[k] === original[k]) unchanged += 1;
    assert.ok(unchanged > 0.6 * got.length, "most of the item is left as it was");
  }
});

test("augmentation is a pure function of the generator's seed; with every field off it is a copy", () => {
  const settings = { mixupAlpha: 1, timeMasks: 1, timeMaskFrames: 20, freqMasks: 1, freqMaskBins: 6 };
  const a = augmentBatch(pairBatch(), settings, N_MELS, createRng(7));
  const b = augmentBatch(pairBatch(), settings, N_MELS, createRng(7));
  const c = augmentBatch(pairBatch(), settings, N_MELS, createRng(8));
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.input, c.input);
  const off = augmentBatch(pairBatch(), NO_AUGMENTATION, N_MELS, createRng(7));
  assert.deepEqual(off, pairBatch());
});

test("Beta(α, α) draws have the mean 1/2 and variance 1/(4(2α + 1)), also for α < 1", () => {
  for (const alpha of [0.2, 0.5, 2]) {
    const rng = createRng(100 + alpha * 10);
    const draws = Array.from({ length: 20_000 }, () => betaSymmetric(alpha, rng));
    assert.ok(draws.every((x) => x >= 0 && x <= 1));
    const mean = draws.reduce((s, x) => s + x, 0) / draws.length;
    const variance = draws.reduce((s, x) => s + (x - mean) ** 2, 0) / draws.length;
    const expected = 1 / (4 * (2 * alpha + 1));
    assert.ok(Math.abs(mean - 0.5) < 0.01, `α ${alpha}: mean ${mean}`);
    assert.ok(Math.abs(variance - expected) < 0.05 * expected, `α ${alpha}: variance ${variance} vs ${expected}`);
  }
});

test("config: augmentation is off by default; a partial object switches the rest off; bad fields are named", () => {
  assert.equal(resolveConfig().teacher.augmentation, null);
  const config = resolveConfig({}, ["teacher.augmentation.mixupAlpha=0.5", "teacher.augmentation.timeMasks=2"]);
  assert.deepEqual(config.teacher.augmentation, { ...NO_AUGMENTATION, mixupAlpha: 0.5, timeMasks: 2 });
  assert.equal(config.student.augmentation, null);
  const fromFile = resolveConfig({ student: { augmentation: { freqMasks: 1, freqMaskBins: 8 } } });
  assert.deepEqual(fromFile.student.augmentation, { ...NO_AUGMENTATION, freqMasks: 1, freqMaskBins: 8 });
  assert.throws(() => resolveConfig({}, ["teacher.augmentation.mixupAlpha=-1"]), /teacher\.augmentation\.mixupAlpha must be a number ≥ 0/);
  assert.throws(() => resolveConfig({}, ["student.augmentation.timeMasks=1.5"]), /student\.augmentation\.timeMasks must be an integer ≥ 0/);
  assert.throws(() => resolveConfig({}, ["teacher.augmentation.specMasks=2"]), /unknown config field "teacher\.augmentation\.specMasks"/);
  assert.throws(() => resolveConfig({}, ["teacher.augmentation=3"]), /teacher\.augmentation must be null or an object/);
});

test("describeAugmentation names what is on, for notebook 02's recipe table", () => {
  assert.equal(describeAugmentation(null), "none");
  assert.equal(describeAugmentation(NO_AUGMENTATION), "none");
  assert.equal(describeAugmentation({ ...NO_AUGMENTATION, timeMasks: 2 }), "none", "masks of width 0 do nothing");
  assert.equal(
    describeAugmentation({ mixupAlpha: 1, timeMasks: 2, timeMaskFrames: 64, freqMasks: 1, freqMaskBins: 8 }),
    "mixup α 1; 2 time masks ≤ 64 frames; 1 frequency mask ≤ 8 bins",
  );
});
