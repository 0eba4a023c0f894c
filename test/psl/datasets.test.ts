/**
 * resolveData with a named dataset (lib/data/named-dataset.ts): the pipeline reads the manifests the dataset prepares
 * (as the demo corpus does for `"dataset": "demo"`), without importing any corpus itself; a name that no dataset
 * claims is a manifest path, as before.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SAMPLE_RATE } from "../../lib/audio/frontend";
import { writeWav } from "../../lib/audio/wav";
import { writeManifest } from "../../lib/data/manifest";
import type { NamedDataset } from "../../lib/data/named-dataset";
import { UserError } from "../../lib/errors";
import { resolveConfig } from "../../lib/psl/config";
import { resolveData } from "../../lib/psl/pipeline";

test("a named dataset's manifests and class names feed the experiment; its profile and corpus seed come from the config (data.demoProfile, data.demoSeed)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "psl-named-"));
  try {
    const manifests: Record<string, string> = {};
    for (const [split, count] of [["full", 4], ["balanced", 3], ["val", 2], ["eval", 2]] as const) {
      const rows = Array.from({ length: count }, (_, i) => {
        const filename = `${split}-${i}.wav`;
        writeWav(join(dir, filename), Float32Array.from({ length: SAMPLE_RATE }, (_, k) => 0.2 * Math.sin((k * (i + 1)) / 7)), SAMPLE_RATE);
        return { filename, labels: [i % 2], duration: 1 };
      });
      manifests[split] = join(dir, `${split}.tsv`);
      writeManifest(manifests[split], rows);
    }
    const asked: { profile: string; seed: number }[] = [];
    const toy: NamedDataset = {
      name: "toy",
      async prepare({ profile, seed, onProgress }) {
        asked.push({ profile, seed });
        onProgress?.();
        return { teacherTrain: manifests.full, studentTrain: manifests.balanced, validation: manifests.val, eval: manifests.eval, classes: [{ index: 0, displayName: "Zero" }, { index: 1, displayName: "One" }] };
      },
    };
    const config = resolveConfig({ name: "named", dataset: "toy", numClasses: 2, seed: 3, cacheDir: join(dir, "cache"), data: { demoProfile: "quick", demoSeed: 7 } });
    const data = await resolveData(config, () => {}, { datasets: [toy] });
    assert.deepEqual(asked, [{ profile: "quick", seed: 7 }]);
    assert.deepEqual([data.teacherTrain.length, data.studentTrain.length, data.validation.length, data.eval.length], [4, 3, 2, 2]);
    assert.deepEqual(data.classNames, ["Zero", "One"]);
    assert.equal(data.features.clipFrames("eval-1.wav"), 101);

    // Without the dataset, "toy" is a manifest path like any other value.
    await assert.rejects(resolveData({ ...config, data: { ...config.data, eval: manifests.eval } }), (e: unknown) => e instanceof UserError && /toy/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
