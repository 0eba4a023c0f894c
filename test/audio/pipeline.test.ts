// End to end against what a Python user of the reference gets: torchaudio.load → channel mean → torchaudio resample
// → log-mel (fixtures: scripts/fixtures/make_melspec_fixtures.py, inputs: test/fixtures/audio/encoded).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { decodeAudioFile } from "../../lib/audio/decode";
import { N_MELS } from "../../lib/audio/frontend";
import { logMel } from "../../lib/audio/melspec";
import { readNpy } from "../../lib/io/npy";

const FIXTURES = join(__dirname, "../fixtures/audio");
const pipeline = JSON.parse(readFileSync(join(FIXTURES, "melspec_manifest.json"), "utf8")).pipeline as Record<string, { samples_16k: number }>;

for (const [name, info] of Object.entries(pipeline)) {
  test(`decode → downmix → resample → log-mel of ${name} matches torchaudio`, async () => {
    const audio = await decodeAudioFile(join(FIXTURES, "encoded", name));
    assert.equal(audio.samples.length, info.samples_16k);
    const mel = logMel(audio.samples);
    const torch32 = readNpy(join(FIXTURES, "pipeline", `${name}.logmel.npy`));
    const torch64 = readNpy(join(FIXTURES, "pipeline", `${name}.logmel64.npy`)).data as Float32Array;
    assert.deepEqual([mel.frames, N_MELS], torch32.shape);
    // Bins within 90 dB of their frame's peak: ≤ 0.01 dB from both torchaudio runs. Deeper bins of these pure tones
    // sit under the float32 rounding of torch's resampler and STFT, so they only have to stay within 0.5 dB.
    let near = 0;
    let deep = 0;
    for (let t = 0; t < mel.frames; t++) {
      let peak = -Infinity;
      for (let m = 0; m < N_MELS; m++) peak = Math.max(peak, torch64[t * N_MELS + m]);
      for (let m = 0; m < N_MELS; m++) {
        const i = t * N_MELS + m;
        const diff = Math.max(Math.abs(mel.data[i] - (torch32.data as Float32Array)[i]), Math.abs(mel.data[i] - torch64[i]));
        if (torch64[i] > peak - 90) near = Math.max(near, diff);
        else deep = Math.max(deep, diff);
      }
    }
    assert.ok(near <= 0.01, `max |diff| within 90 dB of the frame peak: ${near} dB`);
    assert.ok(deep <= 0.5, `max |diff| in deeper bins: ${deep} dB`);
  });
}
