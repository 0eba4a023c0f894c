/** Folded-BatchNorm inference equals the model's own eval-mode forward, on wasm and cpu, with trained-looking BN stats. */
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { createMobileNetV2 } from "../../lib/model/mobilenetv2";
import assert from "node:assert/strict";
import { foldModel, predict, withFoldedModel } from "../../lib/engine/infer";
import { assertClose, backends, seeded } from "../nn/helpers";
import { N_MELS } from "../../lib/audio/frontend";

for (const backend of ["wasm", "cpu"] as const) {
  test(`foldModel/predict match model.forward (eval) on ${backend}`, async () => {
    await backends();
    await tf.setBackend(backend);
    const model = createMobileNetV2({ numClasses: 5, widthMult: 0.5 }, 9);
    // Non-trivial BatchNorm parameters and statistics, so the folding is really exercised.
    let i = 0;
    for (const [key, v] of model.variables) {
      i += 1;
      if (/running_var$/.test(key)) v.assign(tf.tensor(seeded(v.size, i).map((x) => 0.5 + 0.4 * x), v.shape));
      else if (/running_mean$|bn|\.1\.bias$/.test(key) || /\.weight$/.test(key) && v.rank === 1) v.assign(tf.tensor(seeded(v.size, i).map((x) => 0.3 * x + (/weight$/.test(key) ? 1 : 0)), v.shape));
    }
    const [n, t] = [3, 45];
    const input = seeded(n * t * N_MELS, 77).map((x) => 2 * x);
    const expected = tf.tidy(() => {
      const out = model.forward(tf.tensor3d(input, [n, t, N_MELS]), { training: false });
      return [out.clip.dataSync().slice(), out.frames.dataSync().slice()];
    });
    const got = predict(model, input, n, t);
    assertClose(got.clip, expected[0], 1e-4, 1e-5, "clip probabilities");
    assertClose(got.frames, expected[1], 1e-4, 1e-5, "frame probabilities");
    const folded = foldModel(model);
    assertClose(folded.predict(input, n, t).clip, expected[0], 1e-4, 1e-5, "clip probabilities (kept folded model)");
    folded.dispose();
    model.dispose();
    await tf.setBackend("wasm");
  });
}

test("withFoldedModel frees the fold after a synchronous use, an asynchronous one and one that throws", async () => {
  await backends();
  await tf.setBackend("wasm");
  const model = createMobileNetV2({ numClasses: 4, widthMult: 0.25 }, 3);
  const input = seeded(2 * 33 * N_MELS, 5);
  const before = tf.memory().numTensors;
  const sync = withFoldedModel(model, (folded) => folded.predict(input, 2, 33).clip);
  assert.equal(tf.memory().numTensors, before, "sync: fold freed");
  const later = await withFoldedModel(model, async (folded) => (await folded.predictAsync(input, 2, 33)).clip);
  assert.equal(tf.memory().numTensors, before, "async: fold freed");
  assert.deepEqual(later, sync);
  assert.throws(() => withFoldedModel(model, () => { throw new Error("boom"); }), /boom/);
  await assert.rejects(withFoldedModel(model, async () => { throw new Error("late boom"); }), /late boom/);
  assert.equal(tf.memory().numTensors, before, "throwing uses: fold freed");
  model.dispose();
});
