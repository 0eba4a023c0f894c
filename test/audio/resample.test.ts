// The resampler against torchaudio.functional.resample (fixtures from scripts/fixtures/make_melspec_fixtures.py).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readNpy } from "../../lib/io/npy";
import { resample } from "../../lib/audio/resample";
import { toMono16k } from "../../lib/audio/decode";
import { SAMPLE_RATE } from "../../lib/audio/frontend";

const DIR = join(__dirname, "../fixtures/audio/resample");
const cases = JSON.parse(readFileSync(join(__dirname, "../fixtures/audio/melspec_manifest.json"), "utf8")).resample as Record<
  string,
  { source_rate: number; input_samples: number; output_samples: number }
>;

for (const [name, info] of Object.entries(cases)) {
  test(`resample ${info.source_rate} Hz → 16 kHz matches torchaudio (${name})`, () => {
    const input = readNpy(join(DIR, `${name}.input.npy`)).data as Float32Array;
    const expected = readNpy(join(DIR, `${name}.expected.npy`)).data as Float32Array;
    const out = resample(input, info.source_rate, SAMPLE_RATE);
    assert.equal(out.length, expected.length);
    assert.equal(out.length, Math.ceil((input.length * SAMPLE_RATE) / info.source_rate));
    let maxDiff = 0;
    for (let i = 0; i < out.length; i++) maxDiff = Math.max(maxDiff, Math.abs(out[i] - expected[i]));
    assert.ok(maxDiff < 1e-6, `max |diff| = ${maxDiff}`); // float32 rounding level (measured ≤ 2.4e-7)
  });
}

test("resampling is band-limited: a 7.5 kHz tone at 44.1 kHz does not alias into the 16 kHz output", () => {
  const n = 44100;
  const tone = Float32Array.from({ length: n }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 12000 * i) / 44100));
  const out = resample(tone, 44100, SAMPLE_RATE);
  // 12 kHz is above the new Nyquist (8 kHz): a band-limited resampler removes it (linear interpolation would fold it to 4 kHz).
  let energy = 0;
  for (let i = 2000; i < out.length - 2000; i++) energy += out[i] * out[i];
  const rms = Math.sqrt(energy / (out.length - 4000));
  assert.ok(rms < 1e-3, `aliased rms ${rms}`);
});

test("toMono16k averages channels and keeps 16 kHz input as is", () => {
  const left = Float32Array.from([0.5, 0.5, -0.25]);
  const right = Float32Array.from([0.1, -0.5, 0.25]);
  assert.deepEqual(Array.from(toMono16k([left, right], SAMPLE_RATE)), [0.30000001192092896, 0, 0]);
  assert.throws(() => toMono16k([], SAMPLE_RATE), /no channels/);
  assert.throws(() => resample(left, 0, SAMPLE_RATE), /fromRate/);
});
