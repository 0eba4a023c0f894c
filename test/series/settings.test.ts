/** lib/series/settings.ts: notebook parameters → one experiment config, the same in every notebook. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { seriesConfig, resolveSeries, SERIES_PROFILES, studentSeeds } from "../../lib/series/settings";

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
});
