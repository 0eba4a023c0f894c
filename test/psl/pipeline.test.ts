/**
 * End to end on a tiny synthetic corpus (3 tone classes, 2–2.5 s clips, width 0.1, 1 epoch each):
 * teacher → annotate → student → evaluate, then the caching contract: a threshold change re-uses teacher and
 * annotation; a chunk-size change re-uses the teacher only; the weak baseline needs no teacher.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { initBackend } from "../../lib/nn/backend";
import { resolveConfig } from "../../lib/psl/config";
import { runExperiment } from "../../lib/psl/pipeline";
import { readPslTable } from "../../lib/psl/table";
import { tinyExperimentData } from "./helpers";

test("teacher → annotate → student → evaluate, with caching by parameters", async () => {
  await initBackend({ preferred: "wasm", quiet: true });
  const data = tinyExperimentData({ teacherTrain: [16, 11], studentTrain: [8, 12], validation: [4, 13], eval: [6, 14] });
  const dir = mkdtempSync(join(tmpdir(), "psl-e2e-"));
  const base = {
    name: "tiny-psl",
    numClasses: 3,
    backend: "wasm",
    workers: 0,
    cacheDir: join(dir, "cache"),
    reportsDir: join(dir, "reports"),
    teacher: { widthMult: 0.1, epochs: 1, batchSize: 8, patience: 2 },
    student: { widthMult: 0.1, epochs: 1, batchSize: 8, patience: 2, alpha: 1 },
    annotation: { chunkSeconds: 1 },
  };
  const events: string[] = [];
  const first = await runExperiment(resolveConfig(base), { data, onProgress: (m) => events.push(m) });
  assert.ok(first.teacher && first.annotation && first.student);
  // 8 clips of 2 or 2.5 s in 1-s chunks: 2 or 3 chunks each.
  const table = readPslTable(first.annotation.table);
  assert.equal(table.filenames.length, first.annotation.rows);
  const expectedRows = data.studentTrain.reduce((n, r) => n + Math.ceil(r.duration / 1), 0);
  assert.equal(table.filenames.length, expectedRows);
  assert.ok(table.probs.every((p) => p > 0 && p < 1));
  const metrics = first.student.metrics!;
  assert.equal(metrics.numClips, 6);
  assert.ok(metrics.mAP > 0 && metrics.mAP <= 1 && metrics.meanAUC >= 0 && metrics.meanAUC <= 1);
  const saved = JSON.parse(readFileSync(join(first.reportDir, "student", "metrics.json"), "utf8"));
  assert.equal(saved.mAP, metrics.mAP);
  assert.ok(existsSync(join(first.reportDir, "student", "per_class.csv")));
  assert.ok(first.teacher.metrics && existsSync(join(first.reportDir, "teacher", "metrics.json")));
  assert.match(readFileSync(first.annotation.tsv, "utf8"), /tone:/);

  // A soft-target student does not depend on the threshold or k: changing them re-uses it (seconds, not a retraining).
  events.length = 0;
  const started = Date.now();
  const soft = await runExperiment(resolveConfig(base, ["annotation.threshold=0.3", "annotation.topK=5"]), { data, until: "student", onProgress: (m) => events.push(m) });
  assert.equal(soft.student!.key, first.student.key);
  assert.ok(events.some((e) => e.startsWith("student: cached")), events.join("\n"));
  assert.ok(Date.now() - started < 5000, `a cached student took ${Date.now() - started} ms`);

  // A hard-target threshold change: same teacher, same annotation, new student.
  events.length = 0;
  const hard = await runExperiment(resolveConfig(base, ["annotation.target=hard", "annotation.threshold=0.5"]), { data, until: "student", onProgress: (m) => events.push(m) });
  assert.equal(hard.teacher!.key, first.teacher.key);
  assert.equal(hard.annotation!.key, first.annotation.key);
  assert.notEqual(hard.student!.key, first.student.key);
  assert.ok(events.some((e) => e.startsWith("teacher: cached")) && events.some((e) => e.startsWith("annotation: cached")), events.join("\n"));

  // A chunk-size change: same teacher, new annotation.
  const chunk2 = await runExperiment(resolveConfig(base, ["annotation.chunkSeconds=2"]), { data, until: "annotate" });
  assert.equal(chunk2.teacher!.key, first.teacher.key);
  assert.notEqual(chunk2.annotation!.key, first.annotation.key);
  // 2- and 2.5-s clips in 2-s chunks: the 0.5-s tails are shorter than the minimum (half a chunk), one chunk each.
  assert.equal(chunk2.annotation!.rows, data.studentTrain.length);

  // Weak baseline: α = 0, no teacher, no annotation.
  const weak = await runExperiment(resolveConfig({ ...base, name: "tiny-weak", student: { ...base.student, alpha: 0 } }), { data });
  assert.equal(weak.teacher, undefined);
  assert.equal(weak.annotation, undefined);
  assert.equal(weak.student!.metrics!.numClips, 6);
});
