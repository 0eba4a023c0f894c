/**
 * The model on the webgpu backend (SwiftShader where there is no GPU): loss, every gradient and the BatchNorm running
 * statistics of a training-mode pass against the cpu backend's reference ops; the GPU-resident trainer against the
 * CPU trainer (same seeds, same batches), its dispatch budget, and an exact resume through syncModel /
 * optimizerState / loadOptimizerState; eval-mode inference (folded model, predictClipsAsync) against the cpu backend.
 *
 * Tolerances: a freshly initialised network in training mode on a tiny batch is chaotic (see model-gradients.test.ts):
 * gradients are compared by direction (cosine), trajectories by loss.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { createMobileNetV2, type MobileNetV2 } from "../../lib/model/mobilenetv2";
import { predictClips, predictClipsAsync } from "../../lib/model/predict";
import { bceLoss } from "../../lib/engine/loss";
import { createTrainer, type TrainBatch } from "../../lib/engine/trainer";
import { foldModel } from "../../lib/engine/infer";
import { dispatchCount } from "../../lib/nn/webgpu/runtime";
import { assertClose, seeded, webgpu } from "../nn/helpers";
import { webgpuSkipReason } from "../nn/webgpu/helpers";

const skip = webgpuSkipReason();
const CLASSES = 3, WIDTH = 0.25, FRAMES = 65, BATCH = 2;

function batch(step: number): TrainBatch {
  return {
    input: seeded(BATCH * FRAMES * 64, 8 + step).map((v) => 3 * v),
    targets: seeded(BATCH * CLASSES, 9 + step).map((v) => (v + 1) / 2),
    batchSize: BATCH,
    frames: FRAMES,
  };
}

async function use(backend: "webgpu" | "cpu"): Promise<void> {
  await webgpu();
  await tf.setBackend(backend);
}

async function read(t: tf.Tensor): Promise<Float32Array> {
  return (await t.data()) as Float32Array;
}

async function lossAndGrads(backend: "webgpu" | "cpu") {
  await use(backend);
  const model = createMobileNetV2({ numClasses: CLASSES, widthMult: WIDTH }, 4);
  const b = batch(0);
  const x = tf.tensor3d(b.input, [BATCH, FRAMES, 64]);
  const targets = tf.tensor2d(b.targets, [BATCH, CLASSES]);
  const vars = model.trainableVariables();
  const { value, grads } = tf.variableGrads(() => bceLoss(model.forward(x, { training: true, dropoutSeed: 17 }).clip, targets), vars);
  const keys = model.specs.filter((s) => s.trainable).map((s) => s.key);
  const out = {
    loss: (await read(value))[0],
    grads: new Map(await Promise.all(keys.map(async (k, i) => [k, await read(grads[vars[i].name])] as const))),
    running: new Map(await Promise.all(model.specs.filter((s) => !s.trainable).map(async (s) => [s.key, await read(model.variables.get(s.key)!)] as const))),
  };
  tf.dispose([value, x, targets, ...Object.values(grads)]);
  model.dispose();
  return out;
}

test("training-mode pass on webgpu: loss, every gradient and the running statistics match the cpu reference", { skip }, async () => {
  const gpu = await lossAndGrads("webgpu");
  const ref = await lossAndGrads("cpu");
  assert.ok(Math.abs(gpu.loss - ref.loss) < 1e-5, `loss ${gpu.loss} vs ${ref.loss}`);
  for (const [key, g] of ref.grads) {
    const h = gpu.grads.get(key)!;
    let dot = 0, gg = 0, hh = 0;
    for (let i = 0; i < g.length; i++) {
      dot += g[i] * h[i];
      gg += g[i] ** 2;
      hh += h[i] ** 2;
    }
    // BN biases before a training-mode BN have (near-)zero true gradients: their direction is rounding noise.
    if (!key.endsWith(".bias") || key.startsWith("classifier")) assert.ok(dot / Math.sqrt(gg * hh) > 0.9999, `gradient ${key}: cosine ${dot / Math.sqrt(gg * hh)}`);
  }
  for (const [key, r] of ref.running) assertClose(gpu.running.get(key)!, r, 1e-3, 1e-5, `running statistic ${key}`);
});

async function train(backend: "webgpu" | "cpu", model: MobileNetV2, steps: number, from = 0) {
  await use(backend);
  const trainer = await createTrainer(model, { seed: 5, workers: 0 });
  const losses: number[] = [];
  const dispatches: number[] = [];
  for (let s = from; s < from + steps; s++) {
    const before = dispatchCount();
    losses.push((await trainer.step(batch(s))).loss);
    dispatches.push(dispatchCount() - before);
  }
  return { trainer, losses, dispatches };
}

test("GPU-resident trainer: follows the CPU trainer, stays within the dispatch budget, resumes exactly", { skip }, async () => {
  await use("webgpu");
  const gpuModel = createMobileNetV2({ numClasses: CLASSES, widthMult: WIDTH }, 4);
  const gpu = await train("webgpu", gpuModel, 3);
  assert.equal(gpu.trainer.workers, 0);
  assert.equal(gpu.trainer.stepCount, 3);
  // Forward, backward and Adam: about 410 dispatches at any width (the budget is 800; tfjs's ops: ~7,600).
  for (const d of gpu.dispatches) assert.ok(d <= 800, `a training step took ${d} dispatches`);
  await gpu.trainer.syncModel();
  const gpuWeights = gpuModel.getWeights();
  const gpuState = gpu.trainer.optimizerState();
  assert.equal(gpuState.step, 3);
  await gpu.trainer.dispose();

  await use("cpu");
  const cpuModel = createMobileNetV2({ numClasses: CLASSES, widthMult: WIDTH }, 4);
  const cpu = await train("cpu", cpuModel, 3);
  await cpu.trainer.syncModel();
  const cpuWeights = cpuModel.getWeights();
  await cpu.trainer.dispose();
  assert.ok(Math.abs(gpu.losses[0] - cpu.losses[0]) < 1e-5, `first loss ${gpu.losses[0]} vs ${cpu.losses[0]}`);
  gpu.losses.forEach((l, i) => assert.ok(Math.abs(l - cpu.losses[i]) < 1e-2 * cpu.losses[i], `step ${i}: loss ${l} vs ${cpu.losses[i]} (cpu)`));
  // Classifier weights see large, well-defined gradients: Adam moves them alike on both backends.
  assertClose(gpuWeights.get("classifier.1.weight")!, cpuWeights.get("classifier.1.weight")!, 0, 2e-3, "classifier weight after 3 steps");
  assertClose(gpuWeights.get("features.0.1.running_mean")!, cpuWeights.get("features.0.1.running_mean")!, 1e-3, 1e-4, "stem running mean after 3 steps");

  // Resume: 2 steps, sync, a new trainer with the saved optimizer state, 1 step = the uninterrupted 3rd step.
  await use("webgpu");
  const resumedModel = createMobileNetV2({ numClasses: CLASSES, widthMult: WIDTH }, 4);
  const first = await train("webgpu", resumedModel, 2);
  await first.trainer.syncModel();
  const state = first.trainer.optimizerState();
  await first.trainer.dispose();
  const second = await createTrainer(resumedModel, { seed: 5, workers: 0 });
  second.loadOptimizerState(state);
  const third = (await second.step(batch(2))).loss;
  assert.equal(third, gpu.losses[2], "resumed third step");
  await second.syncModel();
  for (const [key, w] of resumedModel.getWeights()) assert.deepEqual(w, gpuWeights.get(key), `resumed weights ${key}`);
  assert.deepEqual(second.optimizerState().expAvg, gpuState.expAvg);
  await second.dispose();
  for (const m of [gpuModel, cpuModel, resumedModel]) m.dispose();
});

test("eval-mode inference on webgpu (folded model, predictClipsAsync) matches the cpu backend", { skip }, async () => {
  // Running statistics away from 0/1, so that BatchNorm folding is not an identity.
  const specs = createMobileNetV2({ numClasses: CLASSES, widthMult: WIDTH }, 6).specs;
  const values = new Map(specs.map((s, i) => {
    const n = s.shape.reduce((a, b) => a * b, 1);
    const v = seeded(n, 60 + i);
    return [s.key, s.role === "bn-running-var" ? v.map((x) => 1 + 0.5 * x) : s.role === "bn-running-mean" ? v.map((x) => 0.2 * x) : v.map((x) => 0.5 * x)];
  }));
  const clips = [0, 1, 2].map((i) => ({ data: seeded(101 * 64, 70 + i).map((v) => 3 * v), frames: 101 }));
  clips.push({ data: seeded(37 * 64, 80), frames: 37 });

  await use("cpu");
  const cpuModel = createMobileNetV2({ numClasses: CLASSES, widthMult: WIDTH }, 6);
  cpuModel.setWeights(values);
  const expected = predictClips(cpuModel, clips, { batchSize: 2 });
  cpuModel.dispose();

  await use("webgpu");
  const gpuModel = createMobileNetV2({ numClasses: CLASSES, widthMult: WIDTH }, 6);
  gpuModel.setWeights(values);
  const unfolded = await predictClipsAsync(gpuModel, clips, { batchSize: 2 });
  const folded = foldModel(gpuModel);
  const viaFolded = await predictClipsAsync(folded, clips, { batchSize: 3 });
  // The folded model's own batch API: the asynchronous read works, the synchronous one says what to use instead.
  const direct = await folded.predictAsync(clips[0].data, 1, clips[0].frames);
  assert.throws(() => folded.predict(clips[0].data, 1, clips[0].frames), /webgpu backend cannot do in Node: use predictAsync/);
  folded.dispose();
  gpuModel.dispose();
  clips.forEach((_, i) => {
    assertClose(unfolded[i], expected[i], 1e-4, 1e-6, `clip ${i}, model.forward`);
    assertClose(viaFolded[i], expected[i], 1e-4, 1e-6, `clip ${i}, folded`);
  });
  assertClose(direct.clip, expected[0], 1e-4, 1e-6, "clip 0, folded predictAsync");
});
