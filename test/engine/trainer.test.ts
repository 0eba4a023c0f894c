/**
 * The trainer on a tiny MobileNetV2 and a learnable toy problem: the loss falls, runs are deterministic for a seed,
 * in-process and worker-thread data parallelism both work, syncModel publishes weights and running statistics.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createMobileNetV2 } from "../../lib/model/mobilenetv2";
import { createTrainer, shardSizes } from "../../lib/engine/trainer";
import { backends, seeded } from "../nn/helpers";
import { N_MELS } from "../../lib/audio/frontend";

const CLASSES = 3, FRAMES = 32, BATCH = 8;

/** Class k present ⇔ mel bins [20k, 20k+20) are raised by 1.5 over noise: learnable from the input. */
function toyBatch(step: number): { input: Float32Array; targets: Float32Array; batchSize: number; frames: number } {
  const input = seeded(BATCH * FRAMES * N_MELS, 100 + step).map((v) => 0.5 * v);
  const labels = seeded(BATCH * CLASSES, 200 + step);
  const targets = new Float32Array(BATCH * CLASSES);
  for (let n = 0; n < BATCH; n++)
    for (let k = 0; k < CLASSES; k++) {
      if (labels[n * CLASSES + k] <= 0) continue;
      targets[n * CLASSES + k] = 1;
      for (let t = 0; t < FRAMES; t++) for (let f = 20 * k; f < 20 * k + 20; f++) input[(n * FRAMES + t) * N_MELS + f] += 1.5;
    }
  return { input, targets, batchSize: BATCH, frames: FRAMES };
}

async function train(workers: number, steps: number, seed = 5) {
  await backends();
  const model = createMobileNetV2({ numClasses: CLASSES, widthMult: 0.25 }, 3);
  const trainer = await createTrainer(model, { seed, workers, learningRate: 3e-3 });
  const losses: number[] = [];
  try {
    for (let s = 0; s < steps; s++) losses.push((await trainer.step(toyBatch(s % 4))).loss);
    await trainer.syncModel();
    return { losses, weights: model.getWeights(), workers: trainer.workers, steps: trainer.stepCount, optimizer: trainer.optimizerState() };
  } finally {
    await trainer.dispose();
    model.dispose();
  }
}

test("in-process training lowers the loss on a learnable toy problem and is deterministic", async () => {
  const a = await train(0, 16);
  assert.equal(a.workers, 0);
  assert.equal(a.steps, 16);
  const first = (a.losses[0] + a.losses[1] + a.losses[2] + a.losses[3]) / 4;
  const last = (a.losses[12] + a.losses[13] + a.losses[14] + a.losses[15]) / 4;
  assert.ok(last < 0.8 * first, `loss did not fall enough: ${a.losses.map((l) => l.toFixed(3)).join(" ")}`);
  const b = await train(0, 3);
  const c = await train(0, 3);
  for (const [k, v] of b.weights) assert.deepEqual(v, c.weights.get(k), `weights differ for ${k}`);
  assert.equal(b.optimizer.step, 3);
});

test("two worker threads: the loss falls, runs are deterministic, running statistics are published", async () => {
  const a = await train(2, 12);
  assert.equal(a.workers, 2);
  const first = (a.losses[0] + a.losses[1] + a.losses[2] + a.losses[3]) / 4;
  const last = (a.losses[8] + a.losses[9] + a.losses[10] + a.losses[11]) / 4;
  assert.ok(last < 0.85 * first, `loss did not fall enough: ${a.losses.map((l) => l.toFixed(3)).join(" ")}`);
  const b = await train(2, 3);
  const c = await train(2, 3);
  for (const [k, v] of b.weights) assert.deepEqual(v, c.weights.get(k), `weights differ for ${k}`);
  // syncModel moved the BN running statistics away from their initial values (0 and 1).
  const rm = b.weights.get("features.0.1.running_mean")!;
  assert.ok(rm.some((v) => Math.abs(v) > 1e-4), "running mean not published by syncModel");
  // A different seed changes the dropout masks and so the weights.
  const d = await train(2, 3, 6);
  assert.notDeepEqual(d.weights.get("classifier.1.weight"), b.weights.get("classifier.1.weight"));
});

test("shardSizes splits contiguously and never makes empty shards", () => {
  assert.deepEqual(shardSizes(32, 2), [16, 16]);
  assert.deepEqual(shardSizes(7, 3), [3, 2, 2]);
  assert.deepEqual(shardSizes(1, 4), [1]);
});

test("the trainer rejects inputs of the wrong size", async () => {
  await backends();
  const model = createMobileNetV2({ numClasses: CLASSES, widthMult: 0.25 }, 3);
  const trainer = await createTrainer(model, { seed: 1, workers: 0 });
  await assert.rejects(trainer.step({ input: new Float32Array(10), batchSize: 2, frames: 32, targets: new Float32Array(6) }), /input has 10 values/);
  await trainer.dispose();
  model.dispose();
});
