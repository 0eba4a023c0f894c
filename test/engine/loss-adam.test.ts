/** BCE and Adam against values computed by PyTorch (fixture from scripts/fixtures/make_engine_fixtures.py). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { bceLoss, bceLossArrays, mixTargets } from "../../lib/engine/loss";
import { createAdam, clipGradNorm } from "../../lib/engine/adam";
import { assertClose, backends } from "../nn/helpers";

interface AdamCase {
  name: string;
  options: { lr?: number; amsgrad?: boolean; weight_decay?: number; betas?: [number, number]; eps?: number };
  maxGradNorm: number | null;
  initial: Record<string, number[]>;
  grads: Record<string, number[]>[];
  params: Record<string, number[]>[];
  norms: number[];
}
const fixture = JSON.parse(readFileSync(join(__dirname, "..", "fixtures", "engine", "torch_bce_adam.json"), "utf8")) as {
  bce: { probs: number[]; targets: number[]; shape: [number, number]; loss: number; grad: number[] };
  adam: AdamCase[];
};

for (const backend of ["wasm", "cpu"] as const) {
  test(`bceLoss matches torch.nn.BCELoss (value and gradient, clamped extremes) on ${backend}`, async () => {
    await backends();
    await tf.setBackend(backend);
    const { probs, targets, shape } = fixture.bce;
    const p = tf.tensor2d(probs, shape), t = tf.tensor2d(targets, shape);
    const loss = bceLoss(p, t);
    const grad = tf.grad((q: tf.Tensor) => bceLoss(q as tf.Tensor2D, t))(p);
    assert.ok(Math.abs(loss.dataSync()[0] - fixture.bce.loss) <= 1e-5 * Math.abs(fixture.bce.loss), `loss ${loss.dataSync()[0]} vs ${fixture.bce.loss}`);
    assertClose(grad.dataSync(), fixture.bce.grad, 1e-5, 1e-6, "d loss / d p");
    tf.dispose([p, t, loss, grad]);
    await tf.setBackend("wasm");
  });
}

test("bceLossArrays agrees with torch; mixTargets gives the loss of the α-mixture", () => {
  const { probs, targets, loss } = fixture.bce;
  assert.ok(Math.abs(bceLossArrays(probs, targets) - loss) < 1e-5 * loss);
  // BCE is linear in the target: α·BCE(p, a) + (1-α)·BCE(p, b) = BCE(p, α·a + (1-α)·b).
  const p = Float32Array.from(probs.map((v) => Math.min(Math.max(v, 0.01), 0.99)));
  const a = Float32Array.from(targets), b = Float32Array.from(targets.map((v) => 1 - v));
  for (const alpha of [0, 0.5, 0.7, 1]) {
    const mixed = bceLossArrays(p, mixTargets(a, b, alpha));
    const separate = alpha * bceLossArrays(p, a) + (1 - alpha) * bceLossArrays(p, b);
    assert.ok(Math.abs(mixed - separate) < 1e-6, `alpha ${alpha}: ${mixed} vs ${separate}`);
  }
  assert.throws(() => mixTargets(a, b, 1.5), /alpha/);
});

for (const c of fixture.adam) {
  test(`Adam reproduces torch.optim.Adam step by step: ${c.name}`, () => {
    const names = Object.keys(c.initial);
    const params = new Map(names.map((n) => [n, Float32Array.from(c.initial[n])]));
    const adam = createAdam(new Map(names.map((n) => [n, c.initial[n].length])), {
      learningRate: c.options.lr, amsgrad: c.options.amsgrad, weightDecay: c.options.weight_decay,
      beta1: c.options.betas?.[0], beta2: c.options.betas?.[1], epsilon: c.options.eps, maxGradNorm: c.maxGradNorm ?? undefined,
    });
    c.grads.forEach((g, step) => {
      const norm = adam.step(params, new Map(names.map((n) => [n, Float32Array.from(g[n])])));
      if (c.maxGradNorm !== null) assert.ok(Math.abs(norm - c.norms[step]) < 1e-5 * c.norms[step], `norm ${norm} vs ${c.norms[step]}`);
      for (const n of names) assertClose(params.get(n)!, c.params[step][n], 1e-6, 1e-7, `${c.name} step ${step + 1} ${n}`);
    });
    assert.equal(adam.stepCount, c.grads.length);
  });
}

test("Adam stateDict/loadStateDict resumes exactly", () => {
  const c = fixture.adam[1]; // amsgrad: includes the max buffer
  const names = Object.keys(c.initial);
  const sizes = new Map(names.map((n) => [n, c.initial[n].length]));
  const opts = { learningRate: c.options.lr, amsgrad: true };
  const full = createAdam(sizes, opts);
  const p1 = new Map(names.map((n) => [n, Float32Array.from(c.initial[n])]));
  const grads = (i: number) => new Map(names.map((n) => [n, Float32Array.from(c.grads[i][n])]));
  for (let i = 0; i < c.grads.length; i++) full.step(p1, grads(i));
  const first = createAdam(sizes, opts);
  const p2 = new Map(names.map((n) => [n, Float32Array.from(c.initial[n])]));
  for (let i = 0; i < 3; i++) first.step(p2, grads(i));
  const saved = JSON.parse(JSON.stringify(first.stateDict(), (_k, v) => (v instanceof Float32Array ? Array.from(v) : v)));
  for (const key of ["expAvg", "expAvgSq", "maxExpAvgSq"]) for (const n of names) saved[key][n] = Float32Array.from(saved[key][n]);
  const resumed = createAdam(sizes, opts);
  resumed.loadStateDict(saved);
  for (let i = 3; i < c.grads.length; i++) resumed.step(p2, grads(i));
  for (const n of names) assert.deepEqual(p2.get(n), p1.get(n));
  assert.throws(() => createAdam(sizes, { amsgrad: false }).loadStateDict(saved), /amsgrad/);
});

test("clipGradNorm scales only when the norm exceeds the maximum", () => {
  const g = [Float32Array.from([3, 4])];
  assert.equal(clipGradNorm(g, 10), 5);
  assert.deepEqual(Array.from(g[0]), [3, 4]);
  clipGradNorm(g, 1);
  assertClose(g[0], [0.6, 0.8], 1e-6, 0, "clipped");
});
