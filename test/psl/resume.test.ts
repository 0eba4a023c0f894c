/**
 * Resume: a teacher run killed mid-epoch (test hook after k steps, checkpoint written as a kill would leave the last
 * periodic one) and resumed ends with weights identical to an uninterrupted run with the same seed.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
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
// With augmentation (mixup and masks drawn from seed and global step) the resumed run replays the same batches.
const AUGMENTED = { mixupAlpha: 0.5, timeMasks: 1, timeMaskFrames: 20, freqMasks: 1, freqMaskBins: 8 };
for (const [workers, augmentation] of [[0, null], [3, null], [0, AUGMENTED]] as const) test(`killed mid-epoch and resumed = uninterrupted, bit for bit (workers: ${workers}${augmentation ? ", mixup and masks" : ""})`, async () => {
  await initBackend({ preferred: "wasm", quiet: true });
  const train = tinyCorpus(10, 1, "train");
  const val = tinyCorpus(4, 2, "val");
  const features = tinyFeatures(train, val);
  const base = mkdtempSync(join(tmpdir(), "psl-resume-"));
  const common = { settings: { ...settings, augmentation }, numClasses: 3, seed: 7, train: train.rows, validation: val.rows, features, createTrainer, workers };

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
  if (augmentation) {
    // The augmentation is really applied: the same run without it ends with other weights.
    const plain = await trainTeacher({ ...common, settings, dir: join(base, "plain"), resume: false });
    const c = loadCheckpoint(plain.lastCheckpoint);
    assert.ok([...a.tensors.keys()].some((key) => !c.tensors.get(key)!.every((v, i) => v === a.tensors.get(key)![i])), "augmented and plain runs end equal");
  }
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

test("a run finished at its step budget, resumed with a larger budget, continues and equals the longer run from the start, bit for bit", async () => {
  await initBackend({ preferred: "wasm", quiet: true });
  const train = tinyCorpus(10, 1, "train");
  const val = tinyCorpus(4, 2, "val");
  const features = tinyFeatures(train, val);
  const base = mkdtempSync(join(tmpdir(), "psl-extend-"));
  const budget = (steps: number): TeacherSettings => ({ ...settings, steps, validateEverySteps: 3, patience: 100 });
  const common = { numClasses: 3, seed: 7, train: train.rows, validation: val.rows, features, createTrainer, workers: 0 as const };

  const long = await trainTeacher({ ...common, settings: budget(12), dir: join(base, "twelve"), resume: false });
  assert.deepEqual(long.state.history.map((h) => h.step), [3, 6, 9, 12]);

  const dir = join(base, "six-then-twelve");
  const short = await trainTeacher({ ...common, settings: budget(6), dir, resume: false });
  assert.deepEqual([short.state.finished, short.state.stopReason], [true, "reached the budget of 6 steps"]);
  const lastOfShort = readFileSync(join(dir, "last.safetensors"));
  // A budget that is not larger leaves the finished run as it is (no step, no validation, the checkpoint untouched).
  for (const steps of [6, 3]) {
    const same = await trainTeacher({ ...common, settings: budget(steps), dir, resume: true });
    assert.equal(same.state.globalStep, 6, `budget ${steps}`);
    assert.equal(same.state.history.length, 2, `budget ${steps}`);
    assert.ok(readFileSync(join(dir, "last.safetensors")).equals(lastOfShort), `budget ${steps} rewrote last.safetensors`);
  }

  const extended = await trainTeacher({ ...common, settings: budget(12), dir, resume: true });
  assert.deepEqual([extended.state.finished, extended.state.stopReason, extended.state.globalStep], [true, "reached the budget of 12 steps", 12]);
  assert.deepEqual(extended.state.history.map(({ seconds: _s, ...record }) => record), long.state.history.map(({ seconds: _s, ...record }) => record));
  assert.deepEqual(JSON.parse(readFileSync(join(dir, "history.json"), "utf8")).map((h: { step: number }) => h.step), [3, 6, 9, 12]);
  assert.equal(extended.state.bestEpoch, long.state.bestEpoch);
  for (const name of ["last.safetensors", "best.safetensors"]) {
    const a = loadCheckpoint(join(base, "twelve", name));
    const b = loadCheckpoint(join(dir, name));
    for (const [key, value] of a.tensors) assert.deepEqual(b.tensors.get(key), value, `${name}: weights or running statistics differ at ${key}`);
    for (const [key, value] of Object.entries(a.optimizerState)) assert.deepEqual(b.optimizerState[key], value, `${name}: optimizer state differs at ${key}`);
  }
});

test("a run finished by early stopping, or at a budget its validation periods do not line up with, is not continued by a larger budget", async () => {
  await initBackend({ preferred: "wasm", quiet: true });
  const train = tinyCorpus(10, 1, "train");
  const val = tinyCorpus(4, 2, "val");
  const features = tinyFeatures(train, val);
  const base = mkdtempSync(join(tmpdir(), "psl-no-extend-"));
  const common = { numClasses: 3, seed: 7, train: train.rows, validation: val.rows, features, createTrainer, workers: 0 as const };

  // Patience 1 on 4 validation clips: the first period without a validation-mAP gain ends the run, well before 30 steps.
  const patient = (steps: number): TeacherSettings => ({ ...settings, steps, validateEverySteps: 3, patience: 1 });
  const stoppedDir = join(base, "early-stopped");
  const stopped = await trainTeacher({ ...common, settings: patient(30), dir: stoppedDir, resume: false });
  assert.match(stopped.state.stopReason ?? "", /^early stopping/);
  assert.ok(stopped.state.globalStep < 30, `stopped at step ${stopped.state.globalStep}`);
  const lastOfStopped = readFileSync(join(stoppedDir, "last.safetensors"));
  const again = await trainTeacher({ ...common, settings: patient(60), dir: stoppedDir, resume: true });
  assert.deepEqual([again.state.globalStep, again.state.stopReason], [stopped.state.globalStep, stopped.state.stopReason]);
  assert.ok(readFileSync(join(stoppedDir, "last.safetensors")).equals(lastOfStopped), "an early-stopped run was trained on");

  // 7 steps validated at 3, 6, 7: a 12-step run validates at 3, 6, 9, 12, so continuing would not equal it.
  const unevenDir = join(base, "uneven");
  await trainTeacher({ ...common, settings: { ...settings, steps: 7, validateEverySteps: 3, patience: 100 }, dir: unevenDir, resume: false });
  const uneven = await trainTeacher({ ...common, settings: { ...settings, steps: 12, validateEverySteps: 3, patience: 100 }, dir: unevenDir, resume: true });
  assert.deepEqual([uneven.state.globalStep, uneven.state.stopReason], [7, "reached the budget of 7 steps"]);
});
