/**
 * resolveData with a named dataset (lib/data/named-dataset.ts): the pipeline reads the manifests the dataset prepares
 * (as the demo corpus does for `"dataset": "demo"`), without importing any corpus itself; a name that no dataset
 * claims is a manifest path, as before.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
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

test("one file under two names in two manifests (a.wav, ./a.wav): both rows kept, none dropped", async () => {
  const dir = mkdtempSync(join(tmpdir(), "psl-two-names-"));
  try {
    for (const name of ["a", "b", "c"]) writeWav(join(dir, `${name}.wav`), Float32Array.from({ length: SAMPLE_RATE }, (_, k) => 0.2 * Math.sin(k / (3 + name.charCodeAt(0)))), SAMPLE_RATE);
    const manifest = (file: string, names: string[]) => {
      writeFileSync(join(dir, file), `filename\tlabels\tduration\n${names.map((n, i) => `${n}\t${i % 2}\t1`).join("\n")}\n`);
      return join(dir, file);
    };
    const config = resolveConfig({
      name: "two-names", dataset: manifest("train.tsv", ["a.wav", "b.wav", "c.wav"]), numClasses: 2, cacheDir: join(dir, "cache"),
      teacher: { selfDistillation: true }, data: { validation: manifest("val.tsv", ["b.wav"]), eval: manifest("eval.tsv", ["./a.wav"]) },
    });
    const data = await resolveData(config);
    assert.deepEqual(data.studentTrain.map((r) => r.filename), ["a.wav", "b.wav", "c.wav"]);
    assert.deepEqual(data.eval.map((r) => r.filename), ["./a.wav"], "was: dropped, its path's features cached under the other name");
    assert.deepEqual(data.features.readFrames("./a.wav", 0, 101), data.features.readFrames("a.wav", 0, 101));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
