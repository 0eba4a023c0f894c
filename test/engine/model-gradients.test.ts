/**
 * End to end: loss and every parameter gradient of a small MobileNetV2 (width 0.25, 3 classes) in training mode,
 * wasm with the engine's fused kernels vs the cpu backend running the plain reference ops; then the BN running
 * statistics after the step.
 *
 * Why aggregate measures and not element-wise tolerances: a freshly initialised network in training mode on a
 * tiny batch is chaotic — scaling the input by 1 ± 1e-6 changes the reference's own gradients by ~4% (relative L2;
 * measured on this configuration), through ReLU6 masks and BatchNorm over few values. Float32 rounding differences
 * between two correct implementations act like such a perturbation. Element-wise exactness of every fused op is
 * tested in test/nn/ops.test.ts; here the whole network must agree far below that chaos floor.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { createMobileNetV2 } from "../../lib/model/mobilenetv2";
import { bceLoss } from "../../lib/engine/loss";
import { assertClose, backends, seeded } from "../nn/helpers";
import { N_MELS } from "../../lib/audio/frontend";

async function lossAndGrads(backend: "wasm" | "cpu") {
  await backends();
  await tf.setBackend(backend);
  const model = createMobileNetV2({ numClasses: 3, widthMult: 0.25 }, 4);
  const [n, t] = [4, 65];
  const x = tf.tensor3d(seeded(n * t * N_MELS, 8).map((v) => 3 * v), [n, t, N_MELS]);
  const targets = tf.tensor2d(seeded(n * 3, 9).map((v) => (v + 1) / 2), [n, 3]);
  const vars = model.trainableVariables();
  const { value, grads } = tf.variableGrads(() => bceLoss(model.forward(x, { training: true, dropoutSeed: 17 }).clip, targets), vars);
  const keys = model.specs.filter((s) => s.trainable).map((s) => s.key);
  const out = {
    loss: value.dataSync()[0],
    grads: new Map(keys.map((k, i) => [k, grads[vars[i].name].dataSync().slice() as Float32Array])),
    running: new Map(model.specs.filter((s) => !s.trainable).map((s) => [s.key, model.variables.get(s.key)!.dataSync().slice() as Float32Array])),
  };
  tf.dispose([value, x, targets, ...Object.values(grads)]);
  model.dispose();
  await tf.setBackend("wasm");
  return out;
}

test("small MobileNetV2: wasm (fused kernels) and cpu (reference ops) agree on loss, all gradients and running stats", async () => {
  const fast = await lossAndGrads("wasm");
  const ref = await lossAndGrads("cpu");
  assert.ok(Math.abs(fast.loss - ref.loss) < 1e-5, `loss ${fast.loss} vs ${ref.loss}`);
  assert.equal(fast.grads.size, ref.grads.size);
  let diff = 0, norm = 0;
  for (const [key, g] of ref.grads) {
    const h = fast.grads.get(key)!;
    let dot = 0, gg = 0, hh = 0;
    for (let i = 0; i < g.length; i++) {
      diff += (g[i] - h[i]) ** 2;
      norm += g[i] ** 2;
      dot += g[i] * h[i];
      gg += g[i] ** 2;
      hh += h[i] ** 2;
    }
    // BN biases before a training-mode BN have (near-)zero true gradients: their direction is rounding noise.
    if (!key.endsWith(".bias") || key.startsWith("classifier")) {
      const cos = dot / Math.sqrt(gg * hh);
      assert.ok(cos > 0.999, `gradient ${key}: cosine ${cos} between wasm and cpu`);
    }
  }
  assert.ok(Math.sqrt(diff / norm) < 5e-3, `all gradients: relative L2 difference ${Math.sqrt(diff / norm)}`);
  for (const [key, r] of ref.running) assertClose(fast.running.get(key)!, r, 1e-4, 1e-5, `running stat ${key}`);
});
