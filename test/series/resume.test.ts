/**
 * The notebook series resumes (lib/series/run.ts): a student training stopped mid-run (a kernel restart, a kill) is
 * continued from its last checkpoint by the next call, not trained again from step 0, and a larger `steps` parameter
 * continues the finished shorter run. On the quick demo corpus with the shipped teacher given (nothing else trained),
 * the weak student (no teacher targets), quick's budget of 20 steps validated every 10; a seed of its own gives this
 * test its own run folders, removed at the end.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTrainer } from "../../lib/engine/trainer";
import { initBackend } from "../../lib/nn/backend";
import type { EpochRecord, TrainerFactory } from "../../lib/psl/loop";
import { readLoopState } from "../../lib/psl/loop";
import { trainStudent, type SeriesParameters } from "../../lib/series";

class Killed extends Error {}

/** The engine's trainer, counting the steps it takes; with `killAfter`, its step after that many throws (a kill). */
function countingTrainer(killAfter?: number): { factory: TrainerFactory; steps: () => number } {
  let steps = 0;
  const factory: TrainerFactory = async (model, options) => {
    const trainer = await createTrainer(model, options);
    return new Proxy(trainer, {
      get(target, key, receiver) {
        if (key !== "step") return Reflect.get(target, key, receiver);
        return async (batch: Parameters<typeof trainer.step>[0]) => {
          if (killAfter !== undefined && steps >= killAfter) throw new Killed(`killed after ${steps} steps`);
          steps += 1;
          return target.step(batch);
        };
      },
    });
  };
  return { factory, steps: () => steps };
}

const readHistory = (dir: string) => JSON.parse(readFileSync(join(dir, "history.json"), "utf8")) as EpochRecord[];

test("series: a student stopped mid-run continues from its last checkpoint; a larger steps continues the finished run", async () => {
  await initBackend();
  const reports = mkdtempSync(join(tmpdir(), "psl-series-resume-"));
  const previous = process.env.PSL_REPORT_DIR;
  process.env.PSL_REPORT_DIR = reports;
  const params: SeriesParameters = { profile: "quick", teacherCheckpoint: "data-manifests/demo/teacher/teacher.safetensors" };
  const seed = 7301; // this test's own: no other test or notebook trains it
  const dirs = new Set<string>();
  try {
    // Stopped after 15 steps: the last checkpoint is the one of the validation at step 10 (checkpointEverySteps 200).
    let kill = countingTrainer(15);
    let outcome = await trainStudent(params, "weak", { seed, createTrainer: kill.factory }).catch((error: unknown) => error);
    if (!(outcome instanceof Killed)) {
      // A folder left by an earlier run of this test that was itself killed before its clean-up: remove it, start again.
      assert.ok(outcome && typeof outcome === "object" && "dir" in outcome, String(outcome));
      rmSync(outcome.dir as string, { recursive: true, force: true });
      kill = countingTrainer(15);
      outcome = await trainStudent(params, "weak", { seed, createTrainer: kill.factory }).catch((error: unknown) => error);
    }
    assert.ok(outcome instanceof Killed, String(outcome));
    assert.equal(kill.steps(), 15);

    const resumedTrainer = countingTrainer();
    const resumed = await trainStudent(params, "weak", { seed, createTrainer: resumedTrainer.factory });
    dirs.add(resumed.dir);
    assert.equal(resumed.cached, false);
    const stopped = readLoopState(resumed.dir)!;
    assert.deepEqual([stopped.globalStep, stopped.stopReason], [20, "reached the budget of 20 steps"]);
    assert.equal(resumedTrainer.steps(), 10, "continued from the checkpoint of step 10, not trained from step 0");
    assert.deepEqual(resumed.history.map((h) => h.step), [10, 20]);
    const firstPart = resumed.history[0];

    // 30 steps: a new cache folder that starts from the finished 20-step run and takes only the 10 steps it lacks.
    const longerTrainer = countingTrainer();
    const longer = await trainStudent({ ...params, steps: 30 }, "weak", { seed, createTrainer: longerTrainer.factory });
    dirs.add(longer.dir);
    assert.notEqual(longer.dir, resumed.dir);
    assert.equal(longerTrainer.steps(), 10);
    assert.deepEqual(longer.history.map((h) => h.step), [10, 20, 30]);
    // The 20-step run's records, seconds included (a retrained period would measure its own).
    assert.deepEqual(longer.history.slice(0, 2), resumed.history);
    assert.deepEqual(readHistory(longer.dir)[0], firstPart);
    assert.deepEqual([readLoopState(resumed.dir)!.globalStep, readLoopState(resumed.dir)!.finished], [20, true], "the shorter run is left as it was");

    // Finished runs are simply re-used.
    const againTrainer = countingTrainer();
    const again = await trainStudent({ ...params, steps: 30 }, "weak", { seed, createTrainer: againTrainer.factory });
    assert.equal(again.dir, longer.dir);
    assert.equal(again.cached, true);
    assert.equal(againTrainer.steps(), 0);
  } finally {
    for (const dir of dirs) if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
    if (previous === undefined) delete process.env.PSL_REPORT_DIR;
    else process.env.PSL_REPORT_DIR = previous;
    rmSync(reports, { recursive: true, force: true });
  }
});
