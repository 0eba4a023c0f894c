import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { initBackend } from "../../lib/nn/backend";
import { UserError } from "../../lib/errors";
import { decodeAudioFile } from "../../lib/audio/decode";
import { encodeWav } from "../../lib/audio/wav";
import { logMel } from "../../lib/audio/melspec";
import { readNpy } from "../../lib/io/npy";
import { createMobileNetV2, importTorchCheckpoint, predictClips, saveCheckpoint } from "../../lib/model";
import { predictCommand } from "../../lib/cli/commands/predict";
import { withFoldedModel } from "../../lib/engine/infer";
import { SAMPLE_RATE } from "../../lib/audio/frontend";

const TORCH_FIXTURE = join(__dirname, "..", "fixtures", "model", "small_state_dict.pt");

/** A chirp + noise clip, so different files give different scores. */
function signal(seconds: number, sampleRate: number, seed: number): Float32Array {
  const out = new Float32Array(Math.round(seconds * sampleRate));
  let s = seed;
  for (let i = 0; i < out.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const t = i / sampleRate;
    out[i] = 0.4 * Math.sin(2 * Math.PI * (300 + 400 * seed * t) * t) + 0.1 * (s / 2 ** 32 - 0.5);
  }
  return out;
}

async function capture(run: () => Promise<number>): Promise<{ code: number; stdout: string }> {
  const lines: string[] = [];
  const log = console.log;
  const error = console.error;
  console.log = (...args: unknown[]) => lines.push(args.join(" "));
  console.error = () => {};
  try {
    return { code: await run(), stdout: lines.join("\n") };
  } finally {
    console.log = log;
    console.error = error;
  }
}

test("psl predict --out writes the folded model's clip probabilities (predictClips on model.forward to float32 rounding), in argument order; --frames per file", async () => {
  await initBackend({ preferred: "wasm", quiet: true });
  const dir = mkdtempSync(join(tmpdir(), "psl-predict-"));
  try {
    const a = join(dir, "a.wav");
    const b = join(dir, "b.wav");
    writeFileSync(a, encodeWav(signal(2.0, 22050, 1), 22050)); // resampled on decode
    writeFileSync(b, encodeWav(signal(0.7, SAMPLE_RATE, 2), SAMPLE_RATE));
    const out = join(dir, "probs.npy");
    const { code } = await capture(() => predictCommand.run([b, a, b, "--checkpoint", TORCH_FIXTURE, "--out", out, "--frames", "--batch-size", "2"]));
    assert.equal(code, 0);
    const probs = readNpy(out);
    assert.deepEqual(probs.shape, [3, 10]);

    const model = importTorchCheckpoint(TORCH_FIXTURE);
    const melA = logMel((await decodeAudioFile(a)).samples);
    const melB = logMel((await decodeAudioFile(b)).samples);
    // psl predict scores through the folded model (lib/engine/infer.ts): exactly its numbers, and model.forward's
    // in eval mode up to float32 rounding.
    const [expectedB, expectedA] = withFoldedModel(model, (folded) => predictClips(folded, [melB, melA]));
    const [unfoldedB, unfoldedA] = predictClips(model, [melB, melA]);
    for (const [got, want] of [[expectedA, unfoldedA], [expectedB, unfoldedB]]) {
      got.forEach((p, c) => assert.ok(Math.abs(p - want[c]) < 1e-5, `class ${c}: folded ${p} vs model.forward ${want[c]}`));
    }
    assert.deepEqual(probs.data.subarray(0, 10), expectedB);
    assert.deepEqual(probs.data.subarray(10, 20), expectedA);
    assert.deepEqual(probs.data.subarray(20, 30), expectedB);
    assert.notDeepEqual(expectedA, expectedB);
    const framesA = readNpy(join(dir, "probs.frames.1.npy"));
    assert.deepEqual(framesA.shape, [Math.ceil(melA.frames / 32), 10]);
    model.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("psl predict prints top classes with AudioSet names for a 527-class kit checkpoint", async () => {
  await initBackend({ preferred: "wasm", quiet: true });
  const dir = mkdtempSync(join(tmpdir(), "psl-predict-"));
  try {
    const checkpoint = join(dir, "model.safetensors");
    const model = createMobileNetV2({ numClasses: 527, widthMult: 0.25 }, 3);
    saveCheckpoint(checkpoint, { model });
    model.dispose();
    const audio = join(dir, "clip.wav");
    writeFileSync(audio, encodeWav(signal(1.0, SAMPLE_RATE, 3), SAMPLE_RATE));
    const { code, stdout } = await capture(() => predictCommand.run([audio, "--checkpoint", checkpoint, "--top", "3"]));
    assert.equal(code, 0);
    const lines = stdout.split("\n");
    assert.match(lines[0], /clip\.wav {2}\(1\.00 s\)/);
    assert.equal(lines.length, 4);
    // Names come from data-manifests/audioset/class_labels_indices.csv, not "class <i>".
    for (const line of lines.slice(1)) assert.match(line, /^\s+\d+\.\d\d% {2}(?!class \d)\S/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("psl predict: bad arguments and files are UserErrors", async () => {
  await initBackend({ preferred: "wasm", quiet: true });
  await assert.rejects(predictCommand.run(["x.wav"]), (e: unknown) => e instanceof UserError && /--checkpoint is required/.test(e.message));
  await assert.rejects(predictCommand.run(["--checkpoint", TORCH_FIXTURE]), (e: unknown) => e instanceof UserError && /no audio files/.test(e.message));
  await assert.rejects(predictCommand.run(["x.wav", "--checkpoint", TORCH_FIXTURE, "--top", "0"]), UserError);
  await assert.rejects(capture(() => predictCommand.run(["/nonexistent/x.wav", "--checkpoint", TORCH_FIXTURE])), (e: unknown) => e instanceof UserError && /x\.wav/.test(e.message));
  await assert.rejects(predictCommand.run(["x.wav", "--checkpoint", "/nonexistent/model.pt"]), (e: unknown) => e instanceof UserError && /model\.pt/.test(e.message));
});
