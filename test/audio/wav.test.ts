import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeAudioFile } from "../../lib/audio/decode";
import { encodeWav, floatToInt16, writeWav } from "../../lib/audio/wav";

test("writeWav 16-bit round-trips through the decoder at 1/32768 resolution, atomically", async () => {
  const dir = mkdtempSync(join(tmpdir(), "psl-wav-"));
  try {
    const samples = Float32Array.from({ length: 1600 }, (_, i) => 0.7 * Math.sin(i / 7));
    const path = join(dir, "out.wav");
    writeWav(path, samples, 16000);
    assert.deepEqual(readdirSync(dir), ["out.wav"]); // no temp file left behind
    const audio = await decodeAudioFile(path);
    assert.equal(audio.samples.length, samples.length);
    for (let i = 0; i < samples.length; i++) assert.ok(Math.abs(audio.samples[i] - samples[i]) <= 0.5 / 32768 + 1e-9);
    writeWav(join(dir, "f.wav"), samples, 16000, 32);
    const float = await decodeAudioFile(join(dir, "f.wav"));
    assert.deepEqual(Array.from(float.samples), Array.from(samples));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("float → int16 clips and rounds", () => {
  assert.deepEqual(Array.from(floatToInt16(Float32Array.from([1, -1, 1.5, -2, 0.5, 1 / 32768]))), [32767, -32768, 32767, -32768, 16384, 1]);
  assert.throws(() => encodeWav(Float32Array.from([0, Number.NaN]), 16000), /NaN/);
  assert.throws(() => encodeWav(new Float32Array(3), 0), /sampleRate/);
});
