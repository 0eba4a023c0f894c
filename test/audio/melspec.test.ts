// Parity of the log-mel front-end with torchaudio (fixtures from scripts/fixtures/make_melspec_fixtures.py).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readNpy } from "../../lib/io/npy";
import { HOP_LENGTH, N_MELS, framesForSamples, framesForSeconds, SAMPLE_RATE } from "../../lib/audio/frontend";
import { logMel, melFilterbank } from "../../lib/audio/melspec";

const DIR = join(__dirname, "../fixtures/audio/melspec");
const manifest = JSON.parse(readFileSync(join(__dirname, "../fixtures/audio/melspec_manifest.json"), "utf8"));
const NAMES = Object.keys(manifest.melspec);

function load(name: string) {
  const signal = readNpy(join(DIR, `${name}.signal.npy`)).data as Float32Array;
  const torch32 = readNpy(join(DIR, `${name}.logmel.npy`));
  const torch64 = readNpy(join(DIR, `${name}.logmel64.npy`)).data as Float32Array;
  return { signal, torch32: torch32.data as Float32Array, shape: torch32.shape, torch64 };
}

test("fixtures cover chirp, noise, silence, a clamped quiet tail and a non-multiple-of-160 length", () => {
  assert.deepEqual(NAMES.sort(), ["chirp", "harmonic_bursts", "noise", "quiet_tail", "short", "silence"]);
  assert.notEqual(manifest.melspec.noise.samples % HOP_LENGTH, 0);
  // The quiet tail really reaches the top_db floor in torchaudio's output.
  const q = manifest.melspec.quiet_tail;
  assert.ok(Math.abs(q.max_db - 120 - q.min_db) < 1e-3);
});

for (const name of ["chirp", "noise", "silence", "quiet_tail", "harmonic_bursts", "short"]) {
  test(`log-mel matches torchaudio on "${name}"`, () => {
    const { signal, torch32, shape, torch64 } = load(name);
    const mel = logMel(signal);
    assert.equal(mel.frames, framesForSamples(signal.length));
    assert.deepEqual([mel.frames, mel.mels], shape);
    // (1) Against the same torchaudio transform run in float64: every bin within 0.01 dB.
    let max64 = 0;
    for (let i = 0; i < mel.data.length; i++) max64 = Math.max(max64, Math.abs(mel.data[i] - torch64[i]));
    assert.ok(max64 <= 0.01, `max |diff| vs torchaudio float64 = ${max64} dB`);
    // (2) Against the reference's float32 numbers: within 0.01 dB on every bin less than 90 dB under its frame's
    // peak. Deeper bins carry torch's own float32 FFT rounding (up to 0.15 dB on the chirp, where torch's float32
    // and float64 runs differ by just as much), so there the kit may differ from torch32 by no more than torch32
    // differs from torch64, plus 0.01 dB.
    let maxNear = 0;
    for (let t = 0; t < mel.frames; t++) {
      let peak = -Infinity;
      for (let m = 0; m < N_MELS; m++) peak = Math.max(peak, torch32[t * N_MELS + m]);
      for (let m = 0; m < N_MELS; m++) {
        const i = t * N_MELS + m;
        const diff = Math.abs(mel.data[i] - torch32[i]);
        if (torch32[i] > peak - 90) maxNear = Math.max(maxNear, diff);
        else assert.ok(diff <= Math.abs(torch32[i] - torch64[i]) + 0.01, `${name}[${t}, ${m}]: ${mel.data[i]} vs ${torch32[i]}`);
      }
    }
    assert.ok(maxNear <= 0.01, `max |diff| vs torchaudio float32 within 90 dB of the frame peak = ${maxNear} dB`);
  });
}

test("top_db floor is per clip: max − 120 dB, and silence sits at −100 dB", () => {
  const { signal } = load("quiet_tail");
  const mel = logMel(signal);
  let max = -Infinity;
  let min = Infinity;
  for (const v of mel.data) {
    max = Math.max(max, v);
    min = Math.min(min, v);
  }
  assert.ok(Math.abs(min - (max - 120)) < 1e-4);
  const unclamped = logMel(signal, { topDb: null });
  let minRaw = Infinity;
  for (const v of unclamped.data) minRaw = Math.min(minRaw, v);
  assert.equal(minRaw, -100); // the exact-zero end hits amin = 1e-10
  const silence = logMel(new Float32Array(SAMPLE_RATE));
  assert.ok(silence.data.every((v) => v === -100));
});

test("frame counts: 1 + floor(samples / 160)", () => {
  assert.equal(framesForSeconds(10), 1001);
  assert.equal(framesForSeconds(2), 201);
  assert.equal(framesForSeconds(0.5), 51);
  assert.equal(logMel(new Float32Array(159).fill(0.1)).frames, 1);
  assert.equal(logMel(new Float32Array(160).fill(0.1)).frames, 2);
  assert.equal(logMel(new Float32Array(1)).frames, 1); // reflect padding folds repeatedly for tiny clips
  assert.throws(() => logMel(new Float32Array(0)), /empty/);
});

test("a 1 kHz tone peaks in the mel band that contains 1 kHz", () => {
  const tone = Float32Array.from({ length: SAMPLE_RATE }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 1000 * i) / SAMPLE_RATE));
  const mel = logMel(tone);
  const frame = 50;
  const row = Array.from(mel.data.subarray(frame * N_MELS, (frame + 1) * N_MELS));
  const peak = row.indexOf(Math.max(...row));
  const filters = melFilterbank();
  const bin1k = Math.round((1000 / 8000) * 256); // bin 32
  const f = filters[peak];
  assert.ok(bin1k >= f.firstBin && bin1k < f.firstBin + f.weights.length, `peak mel ${peak} does not cover bin ${bin1k}`);
});
