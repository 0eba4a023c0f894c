/**
 * Resume: a teacher run killed mid-epoch (test hook after k steps, checkpoint written as a kill would leave the last
 * periodic one) and resumed ends with weights identical to an uninterrupted run with the same seed.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { initBackend } from "../../lib/nn/backend";
import { createTrainer } from "../../lib/engine/trainer";
import { loadCheckpoint } from "../../lib/model/checkpoint";
import { DEFAULT_CONFIG, type TeacherSettings } from "../../lib/psl/config";
import { TrainingAborted, readLoopState } from "../../lib/psl/loop";
import { trainTeacher } from "../../lib/psl/teacher";
import { UserError } from "../../lib/errors";
import { tinyCorpus, tinyFeatures } from "./helpers";

const settings: TeacherSettings = {
  ...DEFAULT_CONFIG.teacher,
  widthMult: 0.1,
  epochs: 2,
  patience: 5,
  batchSize: 4,
  checkpointEverySteps: 0,
};

// With workers (3 here: shards of 2+1+1, and a last batch of 2 that leaves one worker idle) the checkpoint's one set
// of BatchNorm running statistics is every replica's (whole-batch statistics), so resume is exact there too.
for (const workers of [0, 3]) test(`killed mid-epoch and resumed = uninterrupted, bit for bit (workers: ${workers})`, async () => {
  await initBackend({ preferred: "wasm", quiet: true });
  const train = tinyCorpus(10, 1, "train");
  const val = tinyCorpus(4, 2, "val");
  const features = tinyFeatures(train, val);
  const base = mkdtempSync(join(tmpdir(), "psl-resume-"));
  const common = { settings, numClasses: 3, seed: 7, train: train.rows, validation: val.rows, features, createTrainer, workers };

  const full = await trainTeacher({ ...common, dir: join(base, "full"), resume: false });
  assert.equal(full.state.epoch, 2);
  assert.equal(full.state.globalStep, 6); // 10 clips / batch 4 = 3 steps per epoch

  const dir = join(base, "interrupted");
  await assert.rejects(trainTeacher({ ...common, dir, resume: false, abortAfterSteps: 4 }), TrainingAborted);
  const saved = readLoopState(dir)!;
  assert.equal(saved.epoch, 1, "killed in the second epoch");
  assert.equal(saved.stepInEpoch, 1, "after its first step");
  const resumed = await trainTeacher({ ...common, dir, resume: true });
  assert.equal(resumed.state.globalStep, 6);
  assert.deepEqual(resumed.state.history.map((h) => h.validationMAP), full.state.history.map((h) => h.validationMAP));

  const a = loadCheckpoint(full.lastCheckpoint);
  const b = loadCheckpoint(resumed.lastCheckpoint);
  assert.ok([...a.tensors.keys()].some((key) => key.endsWith("running_var")), "the checkpoint holds the running statistics");
  for (const [key, value] of a.tensors) assert.deepEqual(b.tensors.get(key), value, `weights or running statistics differ at ${key}`);
  for (const [key, value] of Object.entries(a.optimizerState)) assert.deepEqual(b.optimizerState[key], value, `optimizer state differs at ${key}`);
  // A resume of a finished run does nothing.
  const again = await trainTeacher({ ...common, dir, resume: true });
  assert.equal(again.state.globalStep, 6);
});

test("a loss that becomes NaN stops training with a clear error; the checkpoints on disk stay finite", async () => {
  await initBackend({ preferred: "wasm", quiet: true });
  const train = tinyCorpus(10, 1, "train");
  const val = tinyCorpus(4, 2, "val");
  const features = tinyFeatures(train, val);
  const dir = join(mkdtempSync(join(tmpdir(), "psl-nan-")), "teacher");
  // The real trainer, except that its 5th step reports a NaN loss (what a diverging run or a NaN input produces).
  const nanOnStep5: typeof createTrainer = async (model, options) => {
    const trainer = await createTrainer(model, options);
    let steps = 0;
    return new Proxy(trainer, {
      get(target, key, receiver) {
        if (key !== "step") return Reflect.get(target, key, receiver);
        return async (batch: Parameters<typeof trainer.step>[0]) => {
          const result = await target.step(batch);
          return ++steps === 5 ? { ...result, loss: Number.NaN } : result;
        };
      },
    });
  };
  await assert.rejects(
    trainTeacher({ settings, numClasses: 3, seed: 7, train: train.rows, validation: val.rows, features, createTrainer: nanOnStep5, workers: 0, dir, resume: false }),
    (error: unknown) => {
      assert.ok(error instanceof UserError, String(error));
      assert.match(error.message, /^teacher: loss became NaN at epoch 2, step 2: training diverged \(learning rate 0\.001 too high\?\) or the inputs hold non-finite values; the last checkpoint \(.*last\.safetensors\) is from before it$/);
      return true;
    },
  );
  const state = readLoopState(dir)!;
  assert.deepEqual([state.epoch, state.stepInEpoch, state.finished], [1, 0, false], "last checkpoint = end of epoch 1");
  for (const name of ["best.safetensors", "last.safetensors"]) {
    for (const [key, value] of loadCheckpoint(join(dir, name)).tensors) {
      assert.ok((value as Float32Array).every((x) => Number.isFinite(x)), `${name}: ${key} is not finite`);
    }
  }
});

test("step budget: exactly `steps` full batches across epoch boundaries, validated every validateEverySteps, resumable bit for bit", async () => {
  await initBackend({ preferred: "wasm", quiet: true });
  const train = tinyCorpus(10, 1, "train");
  const val = tinyCorpus(4, 2, "val");
  const features = tinyFeatures(train, val);
  const base = mkdtempSync(join(tmpdir(), "psl-steps-"));
  // 10 clips, batch 4: 7 steps run through 2.8 epochs of the seeded order, always 4 clips a batch; validation at 3, 6, 7.
  const stepSettings: TeacherSettings = { ...settings, steps: 7, validateEverySteps: 3, patience: 100 };
  const common = { settings: stepSettings, numClasses: 3, seed: 7, train: train.rows, validation: val.rows, features, createTrainer, workers: 0 as const };
  const full = await trainTeacher({ ...common, dir: join(base, "full"), resume: false });
  assert.equal(full.state.globalStep, 7);
  assert.deepEqual(full.state.history.map((h) => h.step), [3, 6, 7]);
  assert.match(full.state.stopReason ?? "", /budget of 7 steps/);
  const dir = join(base, "interrupted");
  await assert.rejects(trainTeacher({ ...common, dir, resume: false, abortAfterSteps: 5 }), TrainingAborted);
  const resumed = await trainTeacher({ ...common, dir, resume: true });
  assert.deepEqual(resumed.state.history.map((h) => h.validationMAP), full.state.history.map((h) => h.validationMAP));
  const a = loadCheckpoint(full.lastCheckpoint);
  const b = loadCheckpoint(resumed.lastCheckpoint);
  for (const [key, value] of a.tensors) assert.deepEqual(b.tensors.get(key), value, `weights differ at ${key}`);
});
