import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/nn/backend";
import { readNpy } from "../../lib/io/npy";
import { UserError } from "../../lib/errors";
import { predictClipsAndFrames } from "../../lib/model";
import { extractStateDict, readTorchFile } from "../../lib/io/torch-file";
import { importTorchCheckpoint, stateDictToWeights } from "../../lib/model/torch-import";

const FIXTURES = join(__dirname, "..", "fixtures", "model");
const fixture = (name: string) => join(FIXTURES, name);

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

function npyTensor(name: string): tf.Tensor3D {
  const array = readNpy(fixture(name));
  return tf.tensor3d(array.data as Float32Array, array.shape as [number, number, number]);
}

for (const backend of ["wasm", "cpu"] as const) {
  test(`PyTorch parity on ${backend}: clip and frame probabilities within 1e-4`, async () => {
    await initBackend({ preferred: backend, quiet: true });
    const model = importTorchCheckpoint(fixture("small_state_dict.pt"));
    assert.deepEqual(model.config, { numClasses: 10, widthMult: 0.2 });
    for (const label of ["a", "b"]) {
      const input = npyTensor(`input_${label}.npy`);
      const expectedClip = readNpy(fixture(`expected_${label}_clip.npy`));
      const expectedFrames = readNpy(fixture(`expected_${label}_frames.npy`));
      const out = model.forward(input, { training: false });
      assert.deepEqual(out.clip.shape, expectedClip.shape);
      assert.deepEqual(out.frames.shape, expectedFrames.shape);
      const clipError = maxAbsDiff(out.clip.dataSync(), expectedClip.data);
      const frameError = maxAbsDiff(out.frames.dataSync(), expectedFrames.data);
      console.log(`# parity ${backend} input_${label}: max |Δclip| ${clipError.toExponential(2)}, max |Δframe| ${frameError.toExponential(2)}`);
      assert.ok(clipError < 1e-4, `clip error ${clipError}`);
      assert.ok(frameError < 1e-4, `frame error ${frameError}`);
      // The padding-free batched path gives the same numbers.
      const batched = predictClipsAndFrames(model, input, { batchSize: 1 });
      assert.ok(maxAbsDiff(batched.clip.flatMap((r) => [...r]), expectedClip.data) < 1e-4);
      tf.dispose([input, out.clip, out.frames]);
    }
    model.dispose();
  });
}

test("wrapped {model: state_dict} in float16 with extra entries imports; widthMult 0.1 inferred", async () => {
  await initBackend({ preferred: "wasm", quiet: true });
  const model = importTorchCheckpoint(fixture("tiny_wrapped_f16.pt"));
  assert.deepEqual(model.config, { numClasses: 3, widthMult: 0.1 });
  const input = npyTensor("input_b.npy");
  const expected = readNpy(fixture("expected_tiny_b_clip.npy"));
  const out = model.forward(input, { training: false });
  const error = maxAbsDiff(out.clip.dataSync(), expected.data);
  console.log(`# parity tiny float16 wrapped: max |Δclip| ${error.toExponential(2)}`);
  assert.ok(error < 1e-4, `clip error ${error}`);
  tf.dispose([input, out.clip, out.frames]);
  model.dispose();
});

test("legacy (pre-1.6) torch.save stream format imports with the same numbers", async () => {
  await initBackend({ preferred: "wasm", quiet: true });
  const model = importTorchCheckpoint(fixture("tiny_legacy_f16.pt"));
  assert.deepEqual(model.config, { numClasses: 3, widthMult: 0.1 });
  const input = npyTensor("input_b.npy");
  const out = model.forward(input, { training: false });
  const error = maxAbsDiff(out.clip.dataSync(), readNpy(fixture("expected_tiny_b_clip.npy")).data);
  assert.ok(error < 1e-4, `clip error ${error}`);
  tf.dispose([input, out.clip, out.frames]);
  model.dispose();
});

test("front_end.* and num_batches_tracked are ignored; a missing / mis-shaped / unexpected key is named", () => {
  const stateDict = extractStateDict(readTorchFile(readFileSync(fixture("small_state_dict.pt")), "small"), "small");
  assert.ok(stateDict.has("front_end.0.mel_scale.fb"));
  assert.ok(stateDict.has("features.0.1.num_batches_tracked"));
  assert.equal(stateDictToWeights(stateDict, "small").values.size, 314 - 52); // 52 BN layers' num_batches_tracked dropped

  const missing = new Map(stateDict);
  missing.delete("features.3.conv.1.0.weight");
  assert.throws(() => stateDictToWeights(missing, "edited.pt"), (e: unknown) => e instanceof UserError && /missing \(1\): features\.3\.conv\.1\.0\.weight/.test(e.message));

  const misshaped = new Map(stateDict);
  misshaped.set("features.5.conv.3.weight", { dtype: "float32", shape: [7], data: new Float32Array(7) });
  assert.throws(() => stateDictToWeights(misshaped, "edited.pt"), (e: unknown) => e instanceof UserError && /wrong shape \(1\): features\.5\.conv\.3\.weight \[7\]/.test(e.message));

  const unexpected = new Map(stateDict);
  unexpected.set("decoder.weight", { dtype: "float32", shape: [2], data: new Float32Array(2) });
  assert.throws(() => stateDictToWeights(unexpected, "edited.pt"), (e: unknown) => e instanceof UserError && /unexpected \(1\): decoder\.weight/.test(e.message));
});

test("a PyTorch state dict with a NaN/Inf value or a negative BatchNorm variance is refused, naming the tensor", () => {
  const stateDict = extractStateDict(readTorchFile(readFileSync(fixture("small_state_dict.pt")), "small"), "small");
  const edited = (key: string, index: number, value: number) => {
    const copy = new Map(stateDict);
    const tensor = stateDict.get(key)!;
    const data = Float32Array.from(tensor.data);
    data[index] = value;
    copy.set(key, { ...tensor, data });
    return copy;
  };
  assert.throws(() => stateDictToWeights(edited("features.0.0.weight", 4, Number.NaN), "teacher.pt"), /^UserError: teacher\.pt: tensor "features\.0\.0\.weight" holds NaN at index \d+ of \d+/);
  assert.throws(() => stateDictToWeights(edited("classifier.1.bias", 0, Number.NEGATIVE_INFINITY), "teacher.pt"), /teacher\.pt: tensor "classifier\.1\.bias" holds -Inf at index 0 of 10/);
  assert.throws(() => stateDictToWeights(edited("features.3.conv.1.1.running_var", 2, -1e-3), "teacher.pt"), /teacher\.pt: BatchNorm variance "features\.3\.conv\.1\.1\.running_var" is negative \(-0\.00100\d*\) at index 2/);
  // A variance of exactly 0 is possible (a channel that never varied): eps keeps BatchNorm finite.
  assert.equal(stateDictToWeights(edited("features.3.conv.1.1.running_var", 2, 0), "teacher.pt").values.size, 314 - 52);
});

test("files that are not a matching checkpoint give UserErrors naming the problem", () => {
  assert.throws(() => importTorchCheckpoint(fixture("foreign.pt")), (e: unknown) => e instanceof UserError && /foreign\.pt/.test(e.message));
  assert.throws(() => importTorchCheckpoint(fixture("input_a.npy")), (e: unknown) => e instanceof UserError && /not a PyTorch checkpoint/.test(e.message));
  assert.throws(() => importTorchCheckpoint(fixture("pickle_p2.pkl")), (e: unknown) => e instanceof UserError && /not written by torch\.save/.test(e.message));
  assert.throws(() => importTorchCheckpoint(fixture("does-not-exist.pt")), (e: unknown) => e instanceof UserError && /cannot read/.test(e.message));
});

test("bounded fuzz: corrupted torch files never crash or hang, only UserError", () => {
  const original = new Uint8Array(readFileSync(fixture("foreign.pt")));
  let seed = 12345;
  const next = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  let userErrors = 0;
  const started = Date.now();
  for (let trial = 0; trial < 300; trial++) {
    const bytes = original.slice();
    const flips = 1 + Math.floor(next() * 8);
    for (let i = 0; i < flips; i++) bytes[Math.floor(next() * bytes.length)] = Math.floor(next() * 256);
    const cut = next() < 0.2 ? Math.floor(next() * bytes.length) : bytes.length;
    try {
      const saved = readTorchFile(bytes.subarray(0, cut), "fuzz.pt");
      stateDictToWeights(extractStateDict(saved, "fuzz.pt"), "fuzz.pt");
    } catch (error) {
      assert.ok(error instanceof UserError, `trial ${trial}: ${(error as Error).stack}`);
      userErrors++;
    }
  }
  assert.ok(userErrors > 250, `only ${userErrors} of 300 corrupted files were rejected`);
  // The legacy stream: flips in the raw float data go unnoticed (valid numbers), the rest must be UserErrors.
  const legacy = new Uint8Array(readFileSync(fixture("tiny_legacy_f16.pt")));
  for (let trial = 0; trial < 100; trial++) {
    const bytes = legacy.slice(0, next() < 0.3 ? Math.floor(next() * legacy.length) : legacy.length);
    // Bias the flips towards the pickles at the start, where structure lives.
    for (let i = 0; i < 4; i++) bytes[Math.floor(next() * Math.min(bytes.length, 40_000))] = Math.floor(next() * 256);
    try {
      stateDictToWeights(extractStateDict(readTorchFile(bytes, "fuzz-legacy.pt"), "fuzz-legacy.pt"), "fuzz-legacy.pt");
    } catch (error) {
      assert.ok(error instanceof UserError, `legacy trial ${trial}: ${(error as Error).stack}`);
    }
  }
  assert.ok(Date.now() - started < 30_000);
});
