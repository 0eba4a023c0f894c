import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { featuresCommand } from "../../lib/cli/commands/features";
import { decodeAudioFile } from "../../lib/audio/decode";
import { logMel } from "../../lib/audio/melspec";
import { readNpy } from "../../lib/io/npy";
import { N_MELS } from "../../lib/audio/frontend";

const ENCODED = join(__dirname, "../fixtures/audio/encoded");

test("psl features writes the float32 [frames, 64] log-mel of a file", async () => {
  const dir = mkdtempSync(join(tmpdir(), "psl-features-"));
  const log = console.log;
  try {
    console.log = () => {};
    const input = join(ENCODED, "sine440_48k.flac");
    const out = join(dir, "mel.npy");
    assert.equal(await featuresCommand.run([input, "--out", out]), 0);
    const array = readNpy(out);
    const expected = logMel((await decodeAudioFile(input)).samples);
    assert.equal(array.dtype, "<f4");
    assert.deepEqual(array.shape, [26, N_MELS]); // 0.25 s → 4000 samples → 1 + 25 frames
    assert.deepEqual(array.data, expected.data);
    await assert.rejects(featuresCommand.run([input]), /--out <file\.npy> is required/);
    await assert.rejects(featuresCommand.run([join(ENCODED, "not_audio.wav"), "--out", out]), /not_audio\.wav: cannot decode audio/);
    await assert.rejects(featuresCommand.run([input, "--out", out, "--top-db=-3"]), /--top-db must be/);
  } finally {
    console.log = log;
    rmSync(dir, { recursive: true, force: true });
  }
});
