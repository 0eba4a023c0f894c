/** lib/series/settings.ts: notebook parameters → one experiment config, the same in every notebook. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { seriesConfig, resolveSeries, SERIES_PROFILES, STUDENT_RECIPES, REFERENCE_LEARNING_RATE, studentLearningRate, studentRecipe, studentSeeds } from "../../lib/series/settings";
import { trainTeacher } from "../../lib/series/run";
import { loadSeriesData } from "../../lib/series/data";
import { repoRoot } from "../../lib/io/repo-root";
import { UserError } from "../../lib/errors";

test("every notebook gets the same teacher config for the same parameters; students differ only where they should", () => {
  const params = { profile: "quick", dataset: "demo", teacherSteps: null, widthMult: null, seed: 42 };
  const a = seriesConfig(params);
  const b = seriesConfig({ ...params, steps: 7 }, { name: "psl-5s", chunkSeconds: 5, alpha: 1, seed: 43 });
  assert.deepEqual(a.teacher, b.teacher, "teacher settings do not depend on the student's");
  assert.equal(a.cacheDir, b.cacheDir);
  assert.equal(b.student.steps, 7, "students train by a step budget");
  assert.equal(b.seed, 43);
  assert.equal(b.annotation.chunkSeconds, 5);
  assert.equal(a.teacher.steps, SERIES_PROFILES.quick.teacher.steps);
  assert.equal(a.teacher.checkpoint, null, "quick trains its teacher live");
  assert.notEqual(seriesConfig({ ...params, profile: "default" }).cacheDir, a.cacheDir, "quick and default corpora never share a feature cache");
  assert.match(seriesConfig({ ...params, profile: "default" }).teacher.checkpoint ?? "", /data-manifests\/demo\/teacher\/teacher\.safetensors$/, "default uses the shipped teacher");
  assert.equal(seriesConfig({ ...params, profile: "default", retrainTeacher: true }).teacher.checkpoint, null);
  assert.equal(resolveSeries({ profile: "quick", widthMult: 0.5 }).widthMult, 0.5);
  assert.throws(() => resolveSeries({ profile: "fast" }), /quick.*default/);
  assert.deepEqual(studentSeeds({ profile: "default", seed: 42 }, "psl-2s"), [42, 43, 44]);
  assert.deepEqual(studentSeeds({ profile: "default", seed: 42 }, "psl-5s"), [42]);
  assert.deepEqual(studentSeeds({ profile: "full", seed: 42 }, "psl-5s"), [42, 43, 44]);
  assert.deepEqual(studentSeeds({ profile: "default", seeds: 1 }, "psl-5s"), [42], "the profile's other seeds, at most `seeds`");
});

test("otherSeeds: every student over several seeds at the default's budget, the headline pair unchanged", () => {
  const params = { profile: "default", seed: 42, otherSeeds: 3 };
  for (const name of ["psl-10s", "psl-5s", "ts-2s"]) assert.deepEqual(studentSeeds(params, name), [42, 43, 44], name);
  assert.deepEqual(studentSeeds(params, "weak"), [42, 43, 44]);
  assert.deepEqual(studentSeeds({ ...params, seeds: 2 }, "psl-2s"), [42, 43]);
  assert.equal(resolveSeries(params).studentSteps, SERIES_PROFILES.default.studentSteps, "same budget as the default");
  // The seed-42 run of a student is the same config (so the same cached run) whichever otherSeeds asked for it.
  const changes = { name: "psl-5s", chunkSeconds: 5 };
  assert.deepEqual(seriesConfig(params, changes), seriesConfig({ profile: "default", seed: 42 }, changes));
  assert.throws(() => resolveSeries({ ...params, otherSeeds: 0 }), /parameter otherSeeds: a positive integer, got 0/);
  assert.throws(() => resolveSeries({ ...params, otherSeeds: 1.5 }), /parameter otherSeeds/);
});

test("teacherCheckpoint: a given teacher wins over the shipped and the live one; paths from the repository root", () => {
  const shipped = join(repoRoot(), "data-manifests", "demo", "teacher", "teacher.safetensors");
  const dir = mkdtempSync(join(tmpdir(), "psl-given-teacher-"));
  try {
    const mine = join(dir, "mine.pt");
    writeFileSync(mine, "only its existence is checked here; the pipeline imports it");
    for (const profile of ["quick", "default", "full"]) {
      const config = seriesConfig({ profile, teacherCheckpoint: mine }, { name: "psl-2s", chunkSeconds: 2 });
      assert.equal(config.teacher.checkpoint, mine, `${profile}: the given teacher, not the shipped or a live one`);
      const resolved = resolveSeries({ profile, teacherCheckpoint: mine, retrainTeacher: true });
      assert.equal(resolved.useShippedTeacher, false);
      assert.equal(resolved.liveTeacher, false, "retrainTeacher does not override a given checkpoint");
      assert.equal(seriesConfig({ profile, teacherCheckpoint: mine, retrainTeacher: true }).teacher.checkpoint, mine);
    }
    // Relative to the repository root, wherever the process runs (a notebook's cwd is notebooks/).
    const relative = "data-manifests/demo/teacher/teacher.safetensors";
    assert.equal(resolveSeries({ profile: "quick", teacherCheckpoint: relative }).teacherCheckpoint, shipped);
    assert.equal(seriesConfig({ profile: "quick", teacherCheckpoint: relative }).teacher.checkpoint, shipped);
    // Without one, nothing changes: quick trains live, default uses the shipped teacher.
    assert.equal(resolveSeries({ profile: "quick", teacherCheckpoint: null }).liveTeacher, true);
    assert.equal(resolveSeries({ profile: "default" }).teacherCheckpoint, null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("teacherCheckpoint: a missing file or an empty path is refused before any work, naming the parameter and path", async () => {
  const missing = "data/audioset/no-such-teacher.pt";
  const named = (error: unknown) => error instanceof UserError && /parameter teacherCheckpoint/.test(error.message) && error.message.includes(join(repoRoot(), missing));
  assert.throws(() => resolveSeries({ profile: "quick", dataset: "audioset", teacherCheckpoint: missing }), named);
  assert.throws(() => seriesConfig({ profile: "default", teacherCheckpoint: missing }), named);
  await assert.rejects(trainTeacher({ profile: "quick", teacherCheckpoint: missing }), named);
  await assert.rejects(async () => loadSeriesData({ profile: "quick", teacherCheckpoint: missing }), named, "before the corpus or features are touched");
  assert.throws(() => resolveSeries({ profile: "quick", teacherCheckpoint: "" }), /parameter teacherCheckpoint: a checkpoint file path or null/);
  assert.throws(() => resolveSeries({ profile: "quick", teacherCheckpoint: "data-manifests/demo" }), /parameter teacherCheckpoint: .*data-manifests\/demo is not a file/);
});

test("student learning rates: per recipe from the profile (chosen on validation), the reference's 1e-3 otherwise", () => {
  const quick = { profile: "quick" };
  for (const r of STUDENT_RECIPES) assert.equal(studentLearningRate(quick, r.name), REFERENCE_LEARNING_RATE, `quick ${r.name}`);
  for (const profile of ["default", "full"] as const) {
    for (const r of STUDENT_RECIPES) {
      const rate = studentLearningRate({ profile }, r.name);
      assert.equal(rate, SERIES_PROFILES[profile].studentLearningRates[r.name] ?? REFERENCE_LEARNING_RATE);
      const config = seriesConfig({ profile }, { name: r.name, alpha: r.alpha, chunkSeconds: r.chunkSeconds, learningRate: rate });
      assert.equal(config.student.learningRate, rate, `${profile} ${r.name}: the config trains with it`);
      assert.equal(config.teacher.learningRate, REFERENCE_LEARNING_RATE, "the teacher's rate is not the students'");
    }
  }
  // The rates were chosen on the demo corpus' validation split: another dataset trains at the reference's rate.
  for (const dataset of ["audioset", "my-manifest.tsv"]) assert.equal(studentLearningRate({ profile: "default", dataset }, "psl-2s"), REFERENCE_LEARNING_RATE, dataset);
  // The default profile's table names every recipe it changes, and only known recipes.
  for (const name of Object.keys(SERIES_PROFILES.default.studentLearningRates)) assert.doesNotThrow(() => studentRecipe(name));
  assert.ok(Object.values(SERIES_PROFILES.default.studentLearningRates).some((r) => r !== REFERENCE_LEARNING_RATE), "the default profile changes some rate");
  // An explicit 1e-3 is the same config as none: caches keyed before per-student rates keep their keys.
  const recipe = studentRecipe("psl-2s");
  const changes = { name: recipe.name, alpha: recipe.alpha, chunkSeconds: recipe.chunkSeconds };
  assert.deepEqual(seriesConfig(quick, { ...changes, learningRate: REFERENCE_LEARNING_RATE }), seriesConfig(quick, changes));
  assert.throws(() => studentLearningRate(quick, "psl-1s"), /unknown student "psl-1s"/);
});
