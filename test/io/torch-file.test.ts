/** lib/io/torch-file.ts: the torch.save file formats (zip and legacy stream) and state_dict extraction, on real torch files. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { UserError } from "../../lib/errors";
import { extractStateDict, isTorchTensor, readTorchFile, type TorchTensor } from "../../lib/io/torch-file";

const fixture = (name: string) => join(__dirname, "..", "fixtures", "model", name);

test("the zip format: a wrapped float16 checkpoint with extra entries reads back as Maps, numbers and tensors", () => {
  const saved = readTorchFile(readFileSync(fixture("tiny_wrapped_f16.pt")), "tiny_wrapped_f16.pt") as Map<string, unknown>;
  assert.equal(saved.get("epoch"), 3);
  assert.equal((saved.get("config") as Map<string, unknown>).get("name"), "fixture");
  // A transposed (non-contiguous) tensor is materialised in C order: arange(6).reshape(2,3).t().
  const extra = saved.get("extra") as TorchTensor;
  assert.ok(isTorchTensor(extra));
  assert.deepEqual(extra.shape, [3, 2]);
  assert.deepEqual([...extra.data], [0, 3, 1, 4, 2, 5]);
  // {"model": state_dict} is unwrapped; float16 weights are widened to float32.
  const stateDict = extractStateDict(saved, "tiny_wrapped_f16.pt");
  const bias = stateDict.get("classifier.1.bias")!;
  assert.equal(bias.dtype, "float16");
  assert.ok(bias.data instanceof Float32Array);
  assert.deepEqual(bias.shape, [3]);
});

test("the legacy (pre-1.6) stream holds the same state_dict as the zip format", () => {
  const legacy = extractStateDict(readTorchFile(readFileSync(fixture("tiny_legacy_f16.pt")), "legacy"), "legacy");
  const zip = extractStateDict(readTorchFile(readFileSync(fixture("tiny_wrapped_f16.pt")), "zip"), "zip");
  assert.deepEqual([...legacy.keys()].sort(), [...zip.keys()].sort());
  for (const [key, tensor] of legacy) assert.deepEqual(tensor.shape, zip.get(key)!.shape, key);
});

test("truncated files and files that are no torch checkpoint are UserErrors naming the problem", () => {
  const legacy = readFileSync(fixture("tiny_legacy_f16.pt"));
  for (const cut of [3, 200, 5000, legacy.length - 10]) assert.throws(() => readTorchFile(legacy.subarray(0, cut), "cut.pt"), UserError, `cut ${cut}`);
  const zip = readFileSync(fixture("tiny_wrapped_f16.pt"));
  assert.throws(() => readTorchFile(zip.subarray(0, 5000), "cut.pt"), UserError);
  assert.throws(() => readTorchFile(readFileSync(fixture("input_a.npy")), "input_a.npy"), /input_a\.npy: not a PyTorch checkpoint/);
  assert.throws(() => readTorchFile(readFileSync(fixture("pickle_p2.pkl")), "p2.pkl"), /p2\.pkl: .*not written by torch\.save/);
});

test("extractStateDict: plain dicts, the usual wrappers and DataParallel's module. prefix; anything else is named", () => {
  const tensor: TorchTensor = { dtype: "float32", shape: [1], data: new Float32Array([1]) };
  assert.deepEqual([...extractStateDict(new Map([["w", tensor]]), "plain").keys()], ["w"]);
  assert.deepEqual([...extractStateDict(new Map([["state_dict", new Map([["module.w", tensor]])]]), "ddp").keys()], ["w"]);
  assert.throws(() => extractStateDict(new Map([["epoch", 3]]), "bad.pt"), /bad\.pt: no state_dict found \(got a dict with keys epoch/);
  assert.throws(() => extractStateDict(42, "n.pt"), /n\.pt: no state_dict found \(got number/);
});
