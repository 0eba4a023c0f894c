/** lib/series/settings.ts: notebook parameters → one experiment config, the same in every notebook. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { seriesConfig, resolveSeries, SERIES_PROFILES } from "../../lib/series/settings";

test("every notebook gets the same teacher config for the same parameters; students differ only where they should", () => {
  const params = { profile: "quick", dataset: "demo", teacherEpochs: null, widthMult: null, seed: 42 };
  const a = seriesConfig(params);
  const b = seriesConfig({ ...params, epochs: 7 }, { name: "psl-5s", chunkSeconds: 5, alpha: 1 });
  assert.deepEqual(a.teacher, b.teacher, "teacher settings do not depend on the student's");
  assert.equal(a.cacheDir, b.cacheDir);
  assert.equal(b.student.epochs, 7);
  assert.equal(b.annotation.chunkSeconds, 5);
  assert.equal(a.teacher.epochs, SERIES_PROFILES.quick.teacherEpochs);
  assert.notEqual(seriesConfig({ ...params, profile: "default" }).cacheDir, a.cacheDir, "quick and default corpora never share a feature cache");
  assert.equal(resolveSeries({ profile: "quick", widthMult: 0.5 }).widthMult, 0.5);
  assert.throws(() => resolveSeries({ profile: "fast" }), /quick.*default/);
});
