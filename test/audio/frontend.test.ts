/** lib/audio/frontend.ts: the front-end's facts agree with what the log-mel and the decoder produce. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { FRAMES_PER_SECOND, HOP_LENGTH, N_MELS, SAMPLE_RATE, framesForSamples, framesForSeconds, secondsToSamples } from "../../lib/audio/frontend";
import { logMel } from "../../lib/audio/melspec";

test("100 frames per second plus the centred first frame: 2 s → 201, 10 s → 1001", () => {
  assert.equal(FRAMES_PER_SECOND, 100);
  for (const seconds of [0.5, 1, 2, 5, 10]) assert.equal(framesForSeconds(seconds), Math.round(seconds * FRAMES_PER_SECOND) + 1, `${seconds} s`);
  assert.equal(secondsToSamples(0.99999), Math.floor(0.99999 * SAMPLE_RATE), "truncated like int(seconds · sr)");
  assert.throws(() => framesForSeconds(-1), /finite number ≥ 0/);
});

test("the log-mel of n samples has framesForSamples(n) rows of N_MELS bins", () => {
  for (const n of [HOP_LENGTH - 1, SAMPLE_RATE, SAMPLE_RATE + 37]) {
    const mel = logMel(new Float32Array(n).fill(0.01));
    assert.equal(mel.frames, framesForSamples(n));
    assert.equal(mel.mels, N_MELS);
    assert.equal(mel.data.length, mel.frames * N_MELS);
  }
});
