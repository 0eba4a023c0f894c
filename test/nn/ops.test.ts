/**
 * The fused wasm paths of the MobileNetV2 blocks (lib/nn/ops.ts) against the reference implementation
 * (reference-ops.ts on the cpu backend): outputs, gradients for input / weights / BN gamma and beta, and the
 * BatchNorm running-statistic updates, in training and eval mode, with and without ReLU6.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { batchNorm, type BatchNormVars } from "../../lib/nn/ops";
import { assertClose, backends, blockOutputs, on, seeded, type BlockSetup } from "./helpers";

/** Runs one block on `backend` and returns [y, dx, dw?, dgamma, dbeta, runningMean, runningVar] as arrays. */
function run(backend: "wasm" | "cpu", s: BlockSetup): Promise<Float32Array[]> {
  return on(backend, () => blockOutputs(s));
}

const setups: (BlockSetup & { name: string })[] = [
  { name: "BatchNorm+ReLU6 train", block: "bn", x: [2, 5, 6, 7], relu6: true, training: true },
  { name: "BatchNorm linear train", block: "bn", x: [3, 4, 5, 8], relu6: false, training: true },
  { name: "BatchNorm+ReLU6 eval", block: "bn", x: [2, 3, 4, 5], relu6: true, training: false },
  { name: "pointwise+BN+ReLU6 train", block: "pointwise", x: [2, 4, 5, 6], w: [6, 9], relu6: true, training: true },
  { name: "pointwise+BN linear train", block: "pointwise", x: [2, 4, 5, 12], w: [12, 4], relu6: false, training: true },
  { name: "depthwise s1+BN+ReLU6 train", block: "depthwise", x: [2, 6, 7, 6], w: [3, 3, 6, 1], stride: 1, relu6: true, training: true },
  { name: "depthwise s2+BN+ReLU6 train (odd sizes)", block: "depthwise", x: [2, 7, 9, 5], w: [3, 3, 5, 1], stride: 2, relu6: true, training: true },
  { name: "depthwise s1+BN+ReLU6 train, 38 channels", block: "depthwise", x: [2, 4, 5, 38], w: [3, 3, 38, 1], stride: 1, relu6: true, training: true },
  // Tiny spatial sizes, as in the last stages of a small-T model (12 values per BatchNorm channel).
  { name: "BatchNorm+ReLU6 train, 3x2x2", block: "bn", x: [3, 2, 2, 10], relu6: true, training: true },
  { name: "depthwise s2 on 3x4x3 + BN + ReLU6", block: "depthwise", x: [3, 4, 3, 20], w: [3, 3, 20, 1], stride: 2, relu6: true, training: true },
  { name: "pointwise 3x2x2 + BN linear", block: "pointwise", x: [3, 2, 2, 24], w: [24, 40], relu6: false, training: true },
  { name: "depthwise s2 eval", block: "depthwise", x: [1, 8, 6, 4], w: [3, 3, 4, 1], stride: 2, relu6: true, training: false },
  { name: "stem conv 3x3 s2 + BN + ReLU6 train", block: "full", x: [2, 8, 11, 1], w: [3, 3, 1, 8], stride: 2, relu6: true, training: true },
];

for (const s of setups) {
  test(`fused ${s.name} matches the reference (values, gradients, running statistics)`, async () => {
    const fast = await run("wasm", s);
    const ref = await run("cpu", s);
    const names = ["y", "dx", ...(s.w ? ["dw"] : []), "dgamma", "dbeta", "running_mean", "running_var"];
    assert.equal(fast.length, names.length);
    names.forEach((n, i) => assertClose(fast[i], ref[i], 2e-4, 2e-5, `${s.name}: ${n}`));
    if (s.training) {
      // The running statistics really moved (momentum 0.1 towards the batch statistics).
      const start = seeded(fast[names.length - 2].length, 15).map((v) => 0.1 * v);
      assert.ok(fast[names.length - 2].some((v, i) => Math.abs(v - start[i]) > 1e-3), `${s.name}: running mean unchanged`);
    }
  });
}

test("fused BatchNorm statistics stay accurate with a large common offset (float64 reference)", async () => {
  await backends();
  await tf.setBackend("wasm");
  const [n, h, w, c] = [4, 16, 16, 6];
  const xv = seeded(n * h * w * c, 21).map((v, i) => 300 + (i % c) * 50 + 0.01 * v);
  const bn: BatchNormVars = {
    gamma: tf.variable(tf.ones([c])), beta: tf.variable(tf.zeros([c])),
    runningMean: tf.variable(tf.zeros([c]), false), runningVar: tf.variable(tf.zeros([c]), false),
  };
  tf.tidy(() => batchNorm(tf.tensor4d(xv, [n, h, w, c]), bn, false, true));
  const count = n * h * w;
  const mean = new Float64Array(c), sq = new Float64Array(c);
  for (let i = 0; i < xv.length; i++) mean[i % c] += xv[i] / count;
  for (let i = 0; i < xv.length; i++) sq[i % c] += (xv[i] - mean[i % c]) ** 2;
  // running = 0.9 * 0 + 0.1 * batch statistic (unbiased variance)
  assertClose(bn.runningMean.dataSync(), Array.from(mean, (m) => 0.1 * m), 1e-6, 0, "running mean");
  assertClose(bn.runningVar.dataSync(), Array.from(sq, (s) => (0.1 * s) / (count - 1)), 2e-3, 0, "running var");
  tf.dispose([bn.gamma, bn.beta, bn.runningMean, bn.runningVar]);
});
