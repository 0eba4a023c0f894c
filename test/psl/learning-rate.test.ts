/**
 * Learning-rate step decay (settings.learningRateDecay): the loop sets learningRate × factor from global step
 * `afterStep` on, the real trainer uses it, and a decay that never applies leaves the run bit-identical.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { initBackend } from "../../lib/nn/backend";
import { createTrainer } from "../../lib/engine/trainer";
import { loadCheckpoint } from "../../lib/model/checkpoint";
import { DEFAULT_CONFIG, resolveConfig, type TeacherSettings } from "../../lib/psl/config";
import { learningRateAt } from "../../lib/psl/learning-rate";
import { trainTeacher } from "../../lib/psl/teacher";
import { tinyCorpus, tinyFeatures } from "./helpers";

const settings: TeacherSettings = {
  ...DEFAULT_CONFIG.teacher,
  widthMult: 0.1,
  steps: 6,
  validateEverySteps: 3,
  patience: 5,
  batchSize: 4,
  learningRate: 3e-3,
  checkpointEverySteps: 0,
};

test("learningRateAt: constant without a decay, learningRate × factor from afterStep on", () => {
  assert.equal(learningRateAt({ learningRate: 1e-3, learningRateDecay: null }, 10_000), 1e-3);
  const decayed = { learningRate: 1e-3, learningRateDecay: { afterStep: 8000, factor: 0.1 } };
  assert.equal(learningRateAt(decayed, 7999), 1e-3);
  assert.equal(learningRateAt(decayed, 8000), 1e-3 * 0.1);
  assert.equal(learningRateAt(decayed, 9999), 1e-3 * 0.1);
  assert.deepEqual(resolveConfig({}, ['teacher.learningRateDecay={"afterStep":8000,"factor":0.1}']).teacher.learningRateDecay, { afterStep: 8000, factor: 0.1 });
});

for (const workers of [0, 2]) test(`the loop sets the decayed rate from afterStep on and the trainer uses it (workers: ${workers})`, async () => {
  await initBackend({ preferred: "wasm", quiet: true });
  const train = tinyCorpus(10, 1, "train");
  const val = tinyCorpus(4, 2, "val");
  const features = tinyFeatures(train, val);
  const base = mkdtempSync(join(tmpdir(), "psl-lr-"));
  const seen: number[] = [];
  // The real trainer, recording the rate set before each step.
  const recording: typeof createTrainer = async (model, options) => {
    const trainer = await createTrainer(model, options);
    let current = options.learningRate ?? NaN;
    return new Proxy(trainer, {
      get(target, key, receiver) {
        if (key === "setLearningRate") return (rate: number) => { current = rate; target.setLearningRate(rate); };
        if (key === "step") return async (batch: Parameters<typeof trainer.step>[0]) => { seen.push(current); return target.step(batch); };
        return Reflect.get(target, key, receiver);
      },
    });
  };
  const common = { numClasses: 3, seed: 7, train: train.rows, validation: val.rows, features, workers, resume: false };
  const decayed = await trainTeacher({ ...common, settings: { ...settings, learningRateDecay: { afterStep: 4, factor: 0.1 } }, createTrainer: recording, dir: join(base, "decayed") });
  assert.deepEqual(seen, [3e-3, 3e-3, 3e-3, 3e-3, 3e-3 * 0.1, 3e-3 * 0.1]);
  assert.equal(decayed.state.globalStep, 6);

  const constant = await trainTeacher({ ...common, settings, createTrainer, dir: join(base, "constant") });
  const never = await trainTeacher({ ...common, settings: { ...settings, learningRateDecay: { afterStep: 6, factor: 0.1 } }, createTrainer, dir: join(base, "never") });
  const weights = (path: string) => loadCheckpoint(path).tensors;
  const a = weights(constant.lastCheckpoint), b = weights(never.lastCheckpoint), c = weights(decayed.lastCheckpoint);
  for (const [key, value] of a) assert.deepEqual(b.get(key), value, `a decay after the last step changed ${key}`);
  const changed = [...a.keys()].filter((key) => !key.endsWith("num_batches_tracked") && a.get(key)!.some((v, i) => v !== c.get(key)![i]));
  assert.ok(changed.some((key) => key.endsWith("weight")), "the decayed steps moved the weights differently");
});
