import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/nn/backend";
import { countParameters, createMobileNetV2, modelPlan, resolveModelConfig, tensorSpecs, torchFans } from "../../lib/model";
import { UserError } from "../../lib/errors";
import { N_MELS } from "../../lib/audio/frontend";

test("parameter count matches PyTorch (2,898,383 for 527 classes, width 1.0)", () => {
  assert.equal(countParameters({ numClasses: 527, widthMult: 1.0 }), 2_898_383);
  assert.equal(countParameters(), 2_898_383);
  // Sanity of the narrow plan: int() truncation of channels, last channel stays 1280 below width 1.
  const plan = modelPlan({ numClasses: 10, widthMult: 0.35 });
  assert.equal(plan.blocks[0].layers[0].cout, 11); // int(32 * 0.35)
  assert.equal(plan.lastChannel, 1280);
  assert.equal(modelPlan({ widthMult: 1.5 }).lastChannel, 1920);
  assert.equal(plan.blocks.length, 19);
});

test("the model's variables hold exactly countParameters trainable values", async () => {
  await initBackend({ preferred: "wasm", quiet: true });
  const model = createMobileNetV2({ numClasses: 527, widthMult: 1.0 }, 1);
  const total = model.trainableVariables().reduce((sum, v) => sum + v.size, 0);
  assert.equal(total, 2_898_383);
  assert.equal(model.variables.size, tensorSpecs().length);
  assert.ok(model.variables.has("features.1.conv.0.0.weight"));
  assert.ok(model.variables.has("features.18.1.running_var"));
  model.dispose();
});

test("invalid configs are user errors naming the field", () => {
  assert.throws(() => resolveModelConfig({ numClasses: 0 }), (e: unknown) => e instanceof UserError && /numClasses/.test(e.message));
  assert.throws(() => resolveModelConfig({ widthMult: -1 }), (e: unknown) => e instanceof UserError && /widthMult/.test(e.message));
  assert.throws(() => resolveModelConfig({ widthMult: 0.01 }), (e: unknown) => e instanceof UserError && /0 channels/.test(e.message));
});

test("output shapes for several T and widths; clip = mean of frames; probabilities in (0,1)", async () => {
  await initBackend({ preferred: "wasm", quiet: true });
  for (const widthMult of [0.5, 1.0]) {
    const model = createMobileNetV2({ numClasses: 527, widthMult }, 3);
    for (const t of widthMult === 1.0 ? [1, 50, 201, 1001] : [1, 201]) {
      const input = tf.randomNormal([t > 500 ? 1 : 2, t, N_MELS], 0, 1, "float32", 7) as tf.Tensor3D;
      const { clip, frames } = model.forward(input, { training: false });
      const expectedFrames = Math.ceil(t / 32);
      assert.deepEqual(frames.shape, [input.shape[0], expectedFrames, 527], `frames shape T=${t} w=${widthMult}`);
      assert.deepEqual(clip.shape, [input.shape[0], 527]);
      const meanOfFrames = tf.mean(frames, 1);
      assert.ok(tf.max(tf.abs(tf.sub(meanOfFrames, clip))).dataSync()[0] < 1e-6);
      const values = clip.dataSync();
      assert.ok(values.every((v) => v > 0 && v < 1));
      tf.dispose([input, clip, frames, meanOfFrames]);
    }
    model.dispose();
  }
});

test("same seed → identical weights; different seed → different; init statistics as PyTorch", async () => {
  await initBackend({ preferred: "wasm", quiet: true });
  const config = { numClasses: 10, widthMult: 0.25 };
  const a = createMobileNetV2(config, 42).getWeights();
  const b = createMobileNetV2(config, 42).getWeights();
  const c = createMobileNetV2(config, 43).getWeights();
  for (const [key, value] of a) assert.deepEqual(value, b.get(key), key);
  assert.notDeepEqual(a.get("features.0.0.weight"), c.get("features.0.0.weight"));

  // Depthwise fan per PyTorch: fan_in = 1·9, fan_out = C·9.
  assert.deepEqual(torchFans([96, 1, 3, 3]), { fanIn: 9, fanOut: 864 });
  const big = createMobileNetV2({ numClasses: 527, widthMult: 1.0 }, 5);
  const weights = big.getWeights();
  const dw = weights.get("features.17.conv.1.0.weight")!; // depthwise, 960 channels
  const bound = Math.sqrt(6 / (9 + 960 * 9));
  assert.ok(dw.every((v) => Math.abs(v) <= bound));
  assert.ok(Math.max(...dw.map(Math.abs)) > 0.95 * bound);
  const linear = weights.get("classifier.1.weight")!;
  const mean = linear.reduce((s, v) => s + v, 0) / linear.length;
  const std = Math.sqrt(linear.reduce((s, v) => s + (v - mean) ** 2, 0) / linear.length);
  assert.ok(Math.abs(mean) < 1e-4 && Math.abs(std - 0.01) < 1e-4, `linear init mean ${mean} std ${std}`);
  assert.ok(weights.get("classifier.1.bias")!.every((v) => v === 0));
  assert.ok(weights.get("features.5.conv.3.weight")!.every((v) => v === 1));
  assert.ok(weights.get("features.5.conv.3.running_var")!.every((v) => v === 1));
  assert.ok(weights.get("features.5.conv.3.running_mean")!.every((v) => v === 0));
  big.dispose();
});

test("training mode updates BN running stats, dropout is seeded, no tensors leak", async () => {
  await initBackend({ preferred: "cpu", quiet: true });
  const model = createMobileNetV2({ numClasses: 5, widthMult: 0.25 }, 1);
  const before = tf.memory().numTensors;
  const input = tf.randomNormal([2, 40, N_MELS], 0, 1, "float32", 1) as tf.Tensor3D;
  const a = model.forward(input, { training: true, dropoutSeed: 9 });
  const runningMean = model.variables.get("features.0.1.running_mean")!.dataSync();
  assert.ok(runningMean.some((v) => v !== 0), "running mean moved");
  // Same dropout seed and (now different) BN running stats do not matter in training mode: batch statistics.
  const b = model.forward(input, { training: true, dropoutSeed: 9 });
  assert.deepEqual(a.clip.dataSync(), b.clip.dataSync());
  const c = model.forward(input, { training: true, dropoutSeed: 10 });
  assert.notDeepEqual(a.clip.dataSync(), c.clip.dataSync());
  tf.dispose([a.clip, a.frames, b.clip, b.frames, c.clip, c.frames, input]);
  assert.equal(tf.memory().numTensors, before);
  assert.throws(() => model.forward(tf.zeros([1, 10, 63]) as tf.Tensor3D, { training: false }), UserError);
  model.dispose();
});
