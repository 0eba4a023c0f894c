import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/nn/backend";
import { UserError } from "../../lib/errors";
import { readNpy } from "../../lib/io/npy";
import { encodeSafetensors, parseSafetensors, readSafetensors, writeSafetensors } from "../../lib/io/safetensors";
import { createMobileNetV2, importTorchCheckpoint, loadCheckpoint, loadModel, predictClips, saveCheckpoint } from "../../lib/model";
import { N_MELS } from "../../lib/audio/frontend";

const FIXTURES = join(__dirname, "..", "fixtures", "model");

function scratch(): string {
  return mkdtempSync(join(tmpdir(), "psl-ckpt-"));
}

test("safetensors: byte layout per the format (LE u64 header length, JSON header, 8-byte aligned data)", () => {
  const chunks = encodeSafetensors(
    [
      ["a", { data: new Float32Array([1, -2, 3.5]), shape: [3] }],
      ["b", { data: new Int32Array([7, 8, 9, 10]), shape: [2, 2] }],
      ["c", { data: new BigInt64Array([-5n]), shape: [] }],
    ],
    { note: "hi" },
  );
  const bytes = Buffer.concat(chunks);
  const headerLength = Number(bytes.readBigUInt64LE(0));
  assert.equal((8 + headerLength) % 8, 0);
  const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString("utf8"));
  assert.deepEqual(header.__metadata__, { note: "hi" });
  assert.deepEqual(header.a, { dtype: "F32", shape: [3], data_offsets: [0, 12] });
  assert.deepEqual(header.b, { dtype: "I32", shape: [2, 2], data_offsets: [12, 28] });
  assert.deepEqual(header.c, { dtype: "I64", shape: [], data_offsets: [28, 36] });
  assert.equal(bytes.readFloatLE(8 + headerLength + 4), -2);
  const back = parseSafetensors(bytes, "mem");
  assert.deepEqual([...back.tensors.keys()], ["a", "b", "c"]);
  assert.deepEqual(back.tensors.get("a")!.data, new Float32Array([1, -2, 3.5]));
  assert.deepEqual(back.tensors.get("b")!.data, new Int32Array([7, 8, 9, 10]));
  assert.deepEqual(back.tensors.get("c")!.data, new BigInt64Array([-5n]));
  assert.deepEqual(back.metadata, { note: "hi" });
});

test("safetensors: F16 / BF16 widen to float32; hand-built file from the spec", () => {
  const header = JSON.stringify({ h: { dtype: "F16", shape: [4], data_offsets: [0, 8] }, g: { dtype: "BF16", shape: [2], data_offsets: [8, 12] } });
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(header.length));
  // F16: 1.0 = 0x3c00, -2.0 = 0xc000, 65504 = 0x7bff, smallest subnormal 0x0001 = 2^-24; BF16: 1.0 = 0x3f80, -0.5 = 0xbf00
  const data = Buffer.from([0x00, 0x3c, 0x00, 0xc0, 0xff, 0x7b, 0x01, 0x00, 0x80, 0x3f, 0x00, 0xbf]);
  const parsed = parseSafetensors(Buffer.concat([prefix, Buffer.from(header), data]), "hand");
  assert.deepEqual([...parsed.tensors.get("h")!.data], [1, -2, 65504, 2 ** -24]);
  assert.deepEqual([...parsed.tensors.get("g")!.data], [1, -0.5]);
});

test("safetensors: malformed files are UserErrors naming the file and tensor", () => {
  const good = Buffer.concat(encodeSafetensors([["w", { data: new Float32Array(4), shape: [4] }]]));
  const headerLength = Number(good.readBigUInt64LE(0));
  const withHeader = (h: unknown, data = Buffer.alloc(16)) => {
    const json = Buffer.from(JSON.stringify(h));
    const prefix = Buffer.alloc(8);
    prefix.writeBigUInt64LE(BigInt(json.length));
    return Buffer.concat([prefix, json, data]);
  };
  const cases: [string, Buffer, RegExp][] = [
    ["empty", Buffer.alloc(0), /shorter than/],
    ["huge header", (() => { const b = Buffer.from(good); b.writeBigUInt64LE(10n ** 12n); return b; })(), /exceeds the file size/],
    ["truncated data", good.subarray(0, 8 + headerLength + 3), /run past the end/],
    ["bad json", Buffer.concat([good.subarray(0, 8), Buffer.from("{".padEnd(headerLength, " ")), good.subarray(8 + headerLength)]), /not UTF-8 JSON/],
    ["bad dtype", withHeader({ w: { dtype: "F128", shape: [4], data_offsets: [0, 16] } }), /tensor "w": unsupported dtype/],
    ["size mismatch", withHeader({ w: { dtype: "F32", shape: [5], data_offsets: [0, 16] } }), /tensor "w": shape \[5\]/],
    ["hole", withHeader({ w: { dtype: "F32", shape: [2], data_offsets: [8, 16] } }), /tensor "w": data_offsets start at 8/],
    ["trailing", withHeader({ w: { dtype: "F32", shape: [2], data_offsets: [0, 8] } }), /8 trailing bytes/],
    ["metadata", withHeader({ __metadata__: { a: 1 }, w: { dtype: "F32", shape: [4], data_offsets: [0, 16] } }), /__metadata__ value "a"/],
  ];
  for (const [label, bytes, pattern] of cases) {
    assert.throws(() => parseSafetensors(bytes, "bad.safetensors"), (e: unknown) => e instanceof UserError && /bad\.safetensors/.test(e.message) && pattern.test(e.message), label);
  }
});

test("checkpoint round trip: identical weights, BN stats, predictions, optimizer state and meta; no temp file left", async () => {
  await initBackend({ preferred: "wasm", quiet: true });
  const dir = scratch();
  try {
    const model = createMobileNetV2({ numClasses: 6, widthMult: 0.25 }, 11);
    // Move the BN running statistics away from their init so the round trip covers them.
    const warm = tf.randomNormal([2, 40, N_MELS], 0, 3, "float32", 2) as tf.Tensor3D;
    const warmOut = model.forward(warm, { training: true, dropoutSeed: 1 });
    tf.dispose([warmOut.clip, warmOut.frames]);
    const input = tf.randomNormal([3, 70, N_MELS], -20, 10, "float32", 3) as tf.Tensor3D;
    const before = predictClips(model, input);

    const path = join(dir, "ckpt.safetensors");
    const moment = new Float32Array([0.5, -0.25, 1e-8]);
    const meta = { epoch: 4, step: 1234, bestMap: 0.3125, rng: { state: [1, 2, 3] }, note: "ünïcode" };
    saveCheckpoint(path, { model, optimizerState: { "m.features.0.0.weight": moment, "v.classifier.1.bias": tf.tensor2d([[1, 2], [3, 4]]) }, meta });
    saveCheckpoint(path, { model, optimizerState: { "m.features.0.0.weight": moment, "v.classifier.1.bias": tf.tensor2d([[1, 2], [3, 4]]) }, meta }); // overwrite
    assert.deepEqual(readdirSync(dir), ["ckpt.safetensors"], "atomic write leaves only the checkpoint");

    const loaded = loadCheckpoint(path);
    assert.deepEqual(loaded.config, { numClasses: 6, widthMult: 0.25 });
    assert.deepEqual(loaded.meta, meta);
    assert.deepEqual(loaded.optimizerState["m.features.0.0.weight"], moment);
    assert.deepEqual(loaded.optimizerShapes["v.classifier.1.bias"], [2, 2]);
    assert.deepEqual([...loaded.optimizerState["v.classifier.1.bias"]], [1, 2, 3, 4]);
    const weights = model.getWeights();
    for (const [key, value] of loaded.tensors) assert.deepEqual(value, weights.get(key), key);

    const restored = loadModel(path);
    const after = predictClips(restored, input);
    assert.deepEqual(after, before, "bit-identical predictions");
    // Tensors are stored in PyTorch layout under model.<key>.
    const raw = readSafetensors(path);
    assert.deepEqual(raw.tensors.get("model.features.0.0.weight")!.shape, [8, 1, 3, 3]);
    assert.deepEqual(raw.tensors.get("model.classifier.1.weight")!.shape, [6, 1280]);
    tf.dispose([warm, input]);
    model.dispose();
    restored.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("PyTorch import → kit checkpoint → load keeps PyTorch parity", async () => {
  await initBackend({ preferred: "wasm", quiet: true });
  const dir = scratch();
  try {
    const imported = importTorchCheckpoint(join(FIXTURES, "small_state_dict.pt"));
    const path = join(dir, "teacher.safetensors");
    saveCheckpoint(path, { model: imported, meta: { source: "small_state_dict.pt" } });
    const model = loadModel(path);
    const input = readNpy(join(FIXTURES, "input_a.npy"));
    const expected = readNpy(join(FIXTURES, "expected_a_clip.npy")).data;
    const rows = predictClips(model, tf.tensor3d(input.data as Float32Array, input.shape as [number, number, number]));
    const got = rows.flatMap((r) => [...r]);
    const worst = Math.max(...got.map((v, i) => Math.abs(v - expected[i])));
    assert.ok(worst < 1e-4, `max error ${worst}`);
    imported.dispose();
    model.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("checkpoint errors name the key: missing, mis-shaped, unexpected tensor; wrong format", async () => {
  await initBackend({ preferred: "wasm", quiet: true });
  const dir = scratch();
  try {
    const model = createMobileNetV2({ numClasses: 4, widthMult: 0.25 }, 1);
    const path = join(dir, "good.safetensors");
    saveCheckpoint(path, { model });
    const good = readSafetensors(path);
    const variant = (name: string, edit: (tensors: Map<string, { data: Float32Array; shape: number[] }>) => void, metadata = good.metadata) => {
      const tensors = new Map([...good.tensors].map(([k, v]) => [k, { data: v.data as Float32Array, shape: v.shape }]));
      edit(tensors);
      const out = join(dir, name);
      writeSafetensors(out, tensors, metadata);
      return out;
    };
    const missing = variant("missing.safetensors", (t) => t.delete("model.features.7.conv.1.0.weight"));
    assert.throws(() => loadModel(missing), (e: unknown) => e instanceof UserError && /missing\.safetensors/.test(e.message) && /"model\.features\.7\.conv\.1\.0\.weight"/.test(e.message));
    const misshaped = variant("shape.safetensors", (t) => t.set("model.classifier.1.bias", { data: new Float32Array(5), shape: [5] }));
    assert.throws(() => loadModel(misshaped), (e: unknown) => e instanceof UserError && /"model\.classifier\.1\.bias" has shape \[5\], expected \[4\]/.test(e.message));
    const extra = variant("extra.safetensors", (t) => t.set("model.head.weight", { data: new Float32Array(1), shape: [1] }));
    assert.throws(() => loadModel(extra), (e: unknown) => e instanceof UserError && /unexpected tensor "model\.head\.weight"/.test(e.message));
    const foreign = variant("foreign.safetensors", () => {}, { format: "something-else" });
    assert.throws(() => loadModel(foreign), (e: unknown) => e instanceof UserError && /not a PSL Lab checkpoint/.test(e.message));
    const badConfig = variant("config.safetensors", () => {}, { ...good.metadata, model_config: JSON.stringify({ numClasses: 4, widthMult: 0.5 }) });
    assert.throws(() => loadModel(badConfig), (e: unknown) => e instanceof UserError && /has shape/.test(e.message));
    const notSafetensors = join(dir, "junk.safetensors");
    writeFileSync(notSafetensors, "hello world, not a checkpoint");
    assert.throws(() => loadModel(notSafetensors), UserError);
    assert.throws(() => loadModel(join(dir, "absent.safetensors")), (e: unknown) => e instanceof UserError && /cannot read/.test(e.message));
    model.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a checkpoint with a non-finite tensor, a negative BatchNorm variance or a negative Adam moment is refused, naming it", async () => {
  await initBackend({ preferred: "wasm", quiet: true });
  const dir = scratch();
  try {
    const model = createMobileNetV2({ numClasses: 4, widthMult: 0.1 }, 3);
    const good = model.getWeights();
    const save = (name: string, key: string | undefined, value: number, optimizerState?: Record<string, Float32Array>) => {
      const weights = new Map(good);
      if (key) {
        const copy = weights.get(key)!.slice();
        copy[0] = value;
        weights.set(key, copy);
      }
      model.setWeights(weights);
      saveCheckpoint(join(dir, name), { model, optimizerState });
      return join(dir, name);
    };
    assert.throws(() => loadModel(save("nan.safetensors", "features.2.conv.0.0.weight", Number.NaN)), (e: unknown) => e instanceof UserError && /nan\.safetensors: tensor "model\.features\.2\.conv\.0\.0\.weight" holds NaN at index 0 /.test(e.message));
    assert.throws(() => loadCheckpoint(save("inf.safetensors", "features.1.conv.2.running_mean", Number.POSITIVE_INFINITY)), /tensor "model\.features\.1\.conv\.2\.running_mean" holds \+Inf at index 0/);
    assert.throws(() => loadCheckpoint(save("var.safetensors", "features.18.1.running_var", -2)), /BatchNorm variance "model\.features\.18\.1\.running_var" is negative \(-2\) at index 0/);
    const moments = (m: number, v: number) => ({ "m.classifier.1.bias": Float32Array.from([0, m]), "v.classifier.1.bias": Float32Array.from([0, v]) });
    assert.throws(() => loadCheckpoint(save("adam-m.safetensors", undefined, 0, moments(Number.NaN, 1))), /tensor "optimizer\.m\.classifier\.1\.bias" holds NaN at index 1/);
    assert.throws(() => loadCheckpoint(save("adam-v.safetensors", undefined, 0, moments(0.1, -1))), /optimizer second moment "optimizer\.v\.classifier\.1\.bias" is negative \(-1\)/);
    assert.equal(loadCheckpoint(save("fine.safetensors", undefined, 0, moments(-0.1, 0))).tensors.size, good.size, "negative first moments are fine");
    model.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("checkpoint file is loadable as raw bytes identical across saves (deterministic)", async () => {
  await initBackend({ preferred: "wasm", quiet: true });
  const dir = scratch();
  try {
    const a = createMobileNetV2({ numClasses: 3, widthMult: 0.25 }, 5);
    const b = createMobileNetV2({ numClasses: 3, widthMult: 0.25 }, 5);
    saveCheckpoint(join(dir, "a.safetensors"), { model: a, meta: { epoch: 1 } });
    saveCheckpoint(join(dir, "b.safetensors"), { model: b, meta: { epoch: 1 } });
    assert.ok(readFileSync(join(dir, "a.safetensors")).equals(readFileSync(join(dir, "b.safetensors"))));
    a.dispose();
    b.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
