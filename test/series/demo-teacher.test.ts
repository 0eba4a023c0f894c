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
import { demoTeacherCommand } from "../../lib/cli/commands/demo-teacher";

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

test("demo-teacher --augmentation: the recipe records it, the run gets its own cache folder; bad values are named", async () => {
  await initBackend();
  const augmentation = { mixupAlpha: 1, timeMasks: 2, timeMaskFrames: 64, freqMasks: 2, freqMaskBins: 8 };
  const plainDir = mkdtempSync(join(tmpdir(), "psl-demo-teacher-plain-"));
  const augmentedDir = mkdtempSync(join(tmpdir(), "psl-demo-teacher-aug-"));
  const trainingDirs: string[] = [];
  try {
    const plain = await trainDemoTeacher({ profile: "quick", steps: 10, outDir: plainDir, command: "test" });
    const augmented = await trainDemoTeacher({ profile: "quick", steps: 10, outDir: augmentedDir, command: "test", augmentation });
    trainingDirs.push(plain.trainingDir, augmented.trainingDir);
    assert.notEqual(augmented.trainingDir, plain.trainingDir, "augmentation is part of the teacher's cache key");
    const recipeOf = (dir: string) => JSON.parse(readFileSync(join(dir, "recipe.json"), "utf8")) as DemoTeacherRecipeFile;
    assert.deepEqual(recipeOf(augmentedDir).teacher.augmentation, augmentation);
    assert.equal(recipeOf(plainDir).teacher.augmentation, null);
    const curve = (dir: string) => (JSON.parse(readFileSync(join(dir, "history.json"), "utf8")) as { meanLoss: number }[]).map((h) => h.meanLoss);
    assert.notDeepEqual(curve(augmentedDir), curve(plainDir), "the augmented run trained on other batches");
  } finally {
    for (const dir of [plainDir, augmentedDir, ...trainingDirs]) rmSync(dir, { recursive: true, force: true });
  }
  const run = (value: string) => demoTeacherCommand.run(["--augmentation", value, "--out", join(tmpdir(), "never-written")]);
  await assert.rejects(run("{mixup"), /--augmentation must be "none" or a JSON object/);
  await assert.rejects(run('{"mixup":1}'), /--augmentation has unknown field\(s\) mixup/);
  await assert.rejects(run("[1]"), /--augmentation must be null or an object with mixupAlpha/);
  await assert.rejects(run('{"mixupAlpha":-0.5}'), /--augmentation\.mixupAlpha must be a number ≥ 0/);
  await assert.rejects(run('{"timeMasks":2.5}'), /--augmentation\.timeMasks must be an integer ≥ 0/);
});

test("the command recorded in recipe.json reads back in a shell as the arguments given", async () => {
  const { shellWord } = await import("../../lib/cli/commands/demo-teacher");
  const { spawnSync } = await import("node:child_process");
  const words = ["--out", ".cache/teacher-aug", "--augmentation", '{"mixupAlpha":1,"timeMasks":2}', "it's", ""];
  assert.equal(shellWord("--steps"), "--steps", "plain words stay as they are");
  const echoed = spawnSync("sh", ["-c", `printf '%s\\n' ${words.map(shellWord).join(" ")}`], { encoding: "utf8" });
  assert.deepEqual(echoed.stdout.split("\n").slice(0, -1), words);
});
