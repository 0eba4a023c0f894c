/**
 * `psl demo-teacher` end to end, on the quick demo corpus so that it takes seconds: the command that regenerates the
 * shipped teacher must train through the pipeline (the demo corpus brings the teacher's split) and write the four
 * shipped files, each describing the same run. The shipped teacher itself is trained on the default corpus.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureDemoCorpus } from "../../lib/demo";
import { shippedTeacher, trainDemoTeacher, type DemoTeacherRecipeFile } from "../../lib/series";
import { initBackend } from "../../lib/nn/backend";

test("demo-teacher on the quick corpus: checkpoint, recipe, curve and eval of one run", async () => {
  await initBackend();
  const outDir = mkdtempSync(join(tmpdir(), "psl-demo-teacher-"));
  let trainingDir: string | undefined;
  try {
    const steps = 15;
    const result = await trainDemoTeacher({ profile: "quick", steps, outDir, command: "test" });
    trainingDir = result.trainingDir;
    for (const file of ["teacher.safetensors", "recipe.json", "history.json", "eval.json"]) {
      assert.ok(existsSync(join(outDir, file)), `${file} written`);
    }
    const read = (file: string) => JSON.parse(readFileSync(join(outDir, file), "utf8"));
    const recipe = read("recipe.json") as DemoTeacherRecipeFile;
    const corpus = await ensureDemoCorpus({ profile: "quick", seed: 0 });
    assert.equal(recipe.corpusKey, corpus.key);
    assert.equal(recipe.demoProfile, "quick");
    assert.equal(recipe.teacher.steps, steps);
    assert.ok(recipe.trainClips > 0 && recipe.validationClips > 0 && recipe.evalClips > 0);

    const history = read("history.json") as { step: number; validationMAP: number }[];
    assert.equal(history.at(-1)?.step, steps, "the curve ends at the step budget");

    const evaluation = read("eval.json");
    assert.equal(evaluation.truth.clips, recipe.evalClips);
    assert.equal(evaluation.noisy.clips, recipe.evalClips, "noisy labels are scored on the same clips");
    assert.ok(Math.abs(evaluation.truth.mAP - result.evalTruthMAP) < 1e-4);
    assert.ok(evaluation.truth.mAP > 0 && evaluation.truth.mAP <= 1);
    // The shipped teacher's check refuses this quick-corpus teacher for the default corpus it is not trained on.
    assert.throws(() => shippedTeacher("0000000000000000"), /trained on demo corpus/);
  } finally {
    rmSync(outDir, { recursive: true, force: true });
    if (trainingDir) rmSync(trainingDir, { recursive: true, force: true });
  }
});
