/**
 * A longer step budget continues a finished cached run (lib/psl/extend-run.ts through the pipeline): a 6-step teacher
 * run, then the same config with 12 steps starts from it and ends equal, bit for bit, to a fresh 12-step run; a
 * finished sibling that differs in another setting is not used.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { initBackend } from "../../lib/nn/backend";
import { loadCheckpoint } from "../../lib/model/checkpoint";
import { resolveConfig } from "../../lib/psl/config";
import { readLoopState } from "../../lib/psl/loop";
import { runExperiment } from "../../lib/psl/pipeline";
import { tinyExperimentData } from "./helpers";

const tinyData = () => tinyExperimentData({ teacherTrain: [10, 21], studentTrain: [6, 22], validation: [4, 23], eval: [2, 24] });

function baseConfig(root: string) {
  return {
    name: "tiny-extend",
    numClasses: 3,
    backend: "wasm",
    workers: 0,
    cacheDir: join(root, "cache"),
    reportsDir: join(root, "reports"),
    teacher: { widthMult: 0.1, steps: 6, validateEverySteps: 3, batchSize: 4, patience: 100 },
    student: { widthMult: 0.1, steps: 6, validateEverySteps: 3, batchSize: 4, patience: 100, alpha: 0 },
    annotation: { chunkSeconds: 1 },
  };
}

const withoutSeconds = (dir: string) => (JSON.parse(readFileSync(join(dir, "history.json"), "utf8")) as { seconds: number }[]).map(({ seconds: _s, ...record }) => record);

function assertSameRun(a: string, b: string): void {
  assert.deepEqual(withoutSeconds(b), withoutSeconds(a));
  for (const name of ["best.safetensors", "last.safetensors"]) {
    const x = loadCheckpoint(join(a, name));
    const y = loadCheckpoint(join(b, name));
    for (const [key, value] of x.tensors) assert.deepEqual(y.tensors.get(key), value, `${name}: weights or running statistics differ at ${key}`);
    for (const [key, value] of Object.entries(x.optimizerState)) assert.deepEqual(y.optimizerState[key], value, `${name}: optimizer state differs at ${key}`);
  }
}

test("teacher: 12 steps continue the cached 6-step run (not a sibling that differs in another setting) and equal a fresh 12-step run, bit for bit", async () => {
  await initBackend({ preferred: "wasm", quiet: true });
  const data = tinyData();
  const root = mkdtempSync(join(tmpdir(), "psl-extend-run-"));
  const base = baseConfig(root);
  const events: string[] = [];
  const onProgress = (message: string) => events.push(message);

  const six = await runExperiment(resolveConfig(base), { data, until: "teacher", resume: true, onProgress });
  assert.ok(!events.some((e) => e.includes("continuing")), events.join("\n"));
  // Finished, longer and a multiple of the period, but with another learning rate: not the same run.
  const other = await runExperiment(resolveConfig(base, ["teacher.steps=9", "teacher.learningRate=0.002"]), { data, until: "teacher", resume: true });
  assert.equal(readLoopState(other.teacher!.dir)!.globalStep, 9);

  events.length = 0;
  const twelve = await runExperiment(resolveConfig(base, ["teacher.steps=12"]), { data, until: "teacher", resume: true, onProgress });
  const sixDir = six.teacher!.dir;
  const twelveDir = twelve.teacher!.dir;
  assert.notEqual(twelveDir, sixDir);
  assert.ok(
    events.includes(`teacher: continuing the 6-step run ${sixDir} to 12 steps (same data, settings and seed: equals training 12 steps from the start)`),
    events.join("\n"),
  );
  const state = readLoopState(twelveDir)!;
  assert.deepEqual([state.globalStep, state.stopReason], [12, "reached the budget of 12 steps"]);
  assert.deepEqual(state.history.map((h) => h.step), [3, 6, 9, 12]);
  // The 6-step run is left as it was: still finished at its budget.
  assert.deepEqual([readLoopState(sixDir)!.globalStep, readLoopState(sixDir)!.finished], [6, true]);

  const fresh = await runExperiment(resolveConfig({ ...base, cacheDir: join(root, "fresh-cache") }, ["teacher.steps=12"]), { data, until: "teacher" });
  assert.equal(fresh.teacher!.key, twelve.teacher!.key);
  assertSameRun(fresh.teacher!.dir, twelveDir);

  // A learning-rate decay from step 12 on leaves the first 12 steps as they were: the 12-step run without one continues,
  // and the line names the decay instead of claiming equal settings.
  events.length = 0;
  const decayed = await runExperiment(resolveConfig(base, ["teacher.steps=15", 'teacher.learningRateDecay={"afterStep":12,"factor":0.1}']), { data, until: "teacher", resume: true, onProgress });
  assert.ok(
    events.includes(
      `teacher: continuing the 12-step run ${twelveDir} to 15 steps (same data and seed, settings equal but for a learning-rate decay to 0.1× from step 12 ` +
        "that the 12-step run never reached: equals training 15 steps from the start)",
    ),
    events.join("\n"),
  );
  assert.equal(readLoopState(decayed.teacher!.dir)!.globalStep, 15);
  // The other way round: a 12-step run with a decay from step 12 (never reached) continued by one without any.
  const nineDir = other.teacher!.dir;
  const otherRate = "teacher.learningRate=0.002";
  const decayedTwelve = await runExperiment(resolveConfig(base, [otherRate, "teacher.steps=12", 'teacher.learningRateDecay={"afterStep":12,"factor":0.5}']), { data, until: "teacher", resume: true, onProgress });
  assert.ok(events.some((e) => e.startsWith(`teacher: continuing the 9-step run ${nineDir} to 12 steps (same data and seed, settings equal but for a learning-rate decay to 0.5× from step 12 that`)), events.join("\n"));
  events.length = 0;
  await runExperiment(resolveConfig(base, [otherRate, "teacher.steps=15"]), { data, until: "teacher", resume: true, onProgress });
  assert.ok(
    events.includes(
      `teacher: continuing the 12-step run ${decayedTwelve.teacher!.dir} to 15 steps (same data and seed, settings equal but for the 12-step run's ` +
        "learning-rate decay to 0.5× from step 12, which it never reached: equals training 15 steps from the start)",
    ),
    events.join("\n"),
  );

  // Once finished, the 12-step run is a cached artefact like any other.
  events.length = 0;
  await runExperiment(resolveConfig(base, ["teacher.steps=12"]), { data, until: "teacher", resume: true, onProgress });
  assert.ok(events.some((e) => e.startsWith("teacher: cached")), events.join("\n"));
});

test("student: a larger budget continues the cached shorter student only with resume", async () => {
  await initBackend({ preferred: "wasm", quiet: true });
  const data = tinyData();
  const root = mkdtempSync(join(tmpdir(), "psl-extend-student-"));
  const base = baseConfig(root);
  const events: string[] = [];
  const onProgress = (message: string) => events.push(message);
  const six = await runExperiment(resolveConfig(base), { data, until: "student", resume: true });

  const nine = await runExperiment(resolveConfig(base, ["student.steps=9"]), { data, until: "student", onProgress });
  assert.ok(!events.some((e) => e.includes("continuing")), `without resume a new budget trains from step 0:\n${events.join("\n")}`);

  events.length = 0;
  const twelve = await runExperiment(resolveConfig(base, ["student.steps=12"]), { data, until: "student", resume: true, onProgress });
  // The longest finished sibling: 9 steps (9 is a multiple of the 3-step validation period).
  assert.ok(
    events.includes(`student: continuing the 9-step run ${nine.student!.dir} to 12 steps (same data, settings and seed: equals training 12 steps from the start)`),
    events.join("\n"),
  );
  const state = readLoopState(twelve.student!.dir)!;
  assert.deepEqual(state.history.map((h) => h.step), [3, 6, 9, 12]);
  assert.deepEqual(withoutSeconds(twelve.student!.dir).slice(0, 2), withoutSeconds(six.student!.dir));
});
