// Reading the reference's prepared data (int16 waveforms in HDF5 + label TSV), fixture written by h5py:
// scripts/fixtures/make_reference_hdf5_fixture.py.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openWaveformHdf5 } from "../../lib/data/reference-hdf5";
import { readManifest } from "../../lib/data/manifest";
import { buildFeatureCache } from "../../lib/data/feature-cache";
import { readNpy } from "../../lib/io/npy";

const DIR = join(__dirname, "../fixtures/data/reference-hdf5");
const CLIP0 = "--PJHxphWEs_30.000_40.000.wav";
const CLIP1 = "--ZhevVpy1s_50.000_60.000.wav";

test("int16 datasets read back as int16 / 32768, whole or sliced", async () => {
  const store = await openWaveformHdf5(join(DIR, "balanced.h5"));
  try {
    assert.deepEqual(store.keys().sort(), [CLIP0, CLIP1]);
    assert.equal(store.length(CLIP0), 9600);
    assert.equal(store.length(CLIP1), 5637);
    const whole = store.read(CLIP0);
    // First sample is 0 (sin 0); the signal is 0.4·sin(2π·700·t)·e^(−3t) quantised to int16.
    const expected = Math.trunc(0.4 * Math.sin((2 * Math.PI * 700 * 100) / 16000) * Math.exp((-3 * 100) / 16000) * 32768) / 32768;
    assert.equal(whole[0], 0);
    assert.equal(whole[100], Math.fround(expected));
    assert.deepEqual(store.read(CLIP0, 100, 110), whole.subarray(100, 110));
    assert.throws(() => store.read("nope.wav"), /no dataset "nope\.wav"/);
    assert.throws(() => store.read(CLIP0, 9600, 9700), /out of range/);
  } finally {
    store.close();
  }
  await assert.rejects(openWaveformHdf5(join(DIR, "missing.h5")), /missing\.h5: HDF5 waveform file not found/);
  await assert.rejects(openWaveformHdf5(join(DIR, "balanced.tsv")), /balanced\.tsv: cannot open as HDF5/);
});

test("the reference's label TSV + HDF5 feed the feature cache; log-mels match torchaudio", async () => {
  const rows = readManifest(join(DIR, "balanced.tsv"));
  assert.deepEqual(rows.map((r) => [r.labels, r.duration, r.hdf5path]), [
    [[0, 451], 0.6, join(DIR, "balanced.h5")],
    [[137], 0.4, join(DIR, "balanced.h5")],
  ]);
  const cacheDir = mkdtempSync(join(tmpdir(), "psl-h5cache-"));
  try {
    const cache = await buildFeatureCache(rows, cacheDir, { strict: true });
    for (const [i, row] of rows.entries()) {
      const expected = readNpy(join(DIR, `clip${i}.logmel.npy`));
      const expected64 = readNpy(join(DIR, `clip${i}.logmel64.npy`)).data as Float32Array;
      assert.equal(cache.clipFrames(row.filename), expected.shape[0]);
      const mine = cache.readClip(row.filename);
      // Same criterion as test/audio/melspec.test.ts: ≤ 0.01 dB against torchaudio in float64 everywhere (the
      // float32 run differs from it by up to 0.03 dB in bins > 100 dB under a frame's peak: torch's own rounding).
      let maxDiff = 0;
      for (let k = 0; k < mine.length; k++) maxDiff = Math.max(maxDiff, Math.abs(mine[k] - expected64[k]));
      assert.ok(maxDiff < 0.01, `clip ${i}: max |diff| ${maxDiff} dB vs torchaudio float64`);
      let maxDiff32 = 0;
      for (let k = 0; k < mine.length; k++) maxDiff32 = Math.max(maxDiff32, Math.abs(mine[k] - (expected.data as Float32Array)[k]));
      assert.ok(maxDiff32 < 0.05, `clip ${i}: max |diff| ${maxDiff32} dB vs torchaudio float32`);
    }
    cache.close();
    // A stored waveform longer than the clip limit is skipped before it is read (CLIP0 is 0.6 s, CLIP1 0.35 s).
    const limited = await buildFeatureCache(rows, join(cacheDir, "limited"), { maxClipSeconds: 0.5 });
    assert.deepEqual(limited.filenames, [rows[1].filename]);
    assert.match(limited.skipped[0].reason, new RegExp(`balanced\\.h5: "${CLIP0}" is 0\\.6 s long, over the 0\\.5-s clip limit`));
    limited.close();
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
});
