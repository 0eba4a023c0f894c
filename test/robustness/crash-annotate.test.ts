/**
 * Crash safety of annotation: `psl annotate` is SIGKILLed (no cleanup, no signal handler) after it has written some of
 * its per-clip shards; `psl annotate --resume` must then finish with no corrupt file, a PSL table identical bit for bit
 * to an uninterrupted run's, and without recomputing the shards finished before the kill.
 * Both runs share one teacher: it is trained once, then the whole cacheDir (teacher + feature cache) is copied to a
 * second cacheDir — artefact keys leave the cache folder out (lib/psl/cache.ts), so both resolve the same keys.
 * The cpu backend makes the teacher's scores compare bit for bit across processes.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { initBackend } from "../../lib/nn/backend";
import { createMobileNetV2 } from "../../lib/model/mobilenetv2";
import { AnnotationAborted, annotateToDir } from "../../lib/psl/annotate";
import { readPslTable } from "../../lib/psl/table";
import { tinyCorpus, tinyFeatures } from "../psl/helpers";
import { listFiles, runChild, runChildUntilKilled } from "./child";
import { manifestText, writeTinyConfig, writeToneClips } from "./corpus";

const TRAIN_CLIPS = 40;
/** writeTinyConfig holds out validationFraction 0.25 of train.tsv; the rest is annotated, one clip per shard. */
const ANNOTATED_CLIPS = 30;
const SHARD = /^shard-\d{5}\.arrow$/;

test("kill -9 during annotation, then --resume: same PSL table as an uninterrupted run, finished shards kept", { timeout: 180_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "psl-crash-annotate-"));
  try {
    const rows = writeToneClips(dir, TRAIN_CLIPS + 4, 11, 2);
    writeFileSync(join(dir, "train.tsv"), manifestText(rows.slice(0, TRAIN_CLIPS)));
    writeFileSync(join(dir, "eval.tsv"), manifestText(rows.slice(TRAIN_CLIPS)));
    const config = (cacheDir: string) =>
      writeTinyConfig(dir, {
        backend: "cpu",
        cacheDir: join(dir, cacheDir),
        teacher: { widthMult: 0.1, epochs: 1, patience: 5, batchSize: 8, checkpointEverySteps: 0 },
        annotation: { chunkSeconds: 1, shardClips: 1 },
      }, `${cacheDir}.json`);
    const configA = config("cache-a");
    const configB = config("cache-b");
    const teacher = runChild("psl", "train-teacher", "--config", configA);
    assert.equal(teacher.status, 0, teacher.stderr);
    cpSync(join(dir, "cache-a"), join(dir, "cache-b"), { recursive: true });

    const reference = runChild("psl", "annotate", "--config", configA);
    assert.equal(reference.status, 0, reference.stderr);
    assert.doesNotMatch(reference.stderr, /teacher: training/, "the teacher is re-used, not retrained");

    const annotationDir = (cacheDir: string) => {
      const base = join(dir, cacheDir, "annotation");
      const keys = existsSync(base) ? readdirSync(base) : [];
      assert.ok(keys.length <= 1, `one annotation key expected, found ${keys.join(", ")}`);
      return keys.length ? join(base, keys[0]) : undefined;
    };
    const shardNames = (d: string) => (existsSync(join(d, "shards")) ? readdirSync(join(d, "shards")).filter((f) => SHARD.test(f)).sort() : []);

    // Kill once two shards are committed and the run has not finished (30 shards in all).
    const run = await runChildUntilKilled(() => {
      const d = annotationDir("cache-b");
      return d !== undefined && shardNames(d).length >= 2 && !existsSync(join(d, "done.json"));
    }, ["psl", "annotate", "--config", configB]);
    assert.ok(run.killed, `the child was not killed mid-annotation:\n${run.output}`);
    const killedDir = annotationDir("cache-b")!;
    const left = shardNames(killedDir);
    t.diagnostic(`left by the kill: ${listFiles(killedDir).map((f) => f.slice(killedDir.length + 1)).sort().join(" ")}`);
    assert.ok(left.length >= 2 && left.length < ANNOTATED_CLIPS, `${left.length} of ${ANNOTATED_CLIPS} shards written before the kill`);
    assert.ok(!existsSync(join(killedDir, "done.json")), "done.json written although the run was killed");
    if (existsSync(join(killedDir, "psl.arrow"))) readPslTable(join(killedDir, "psl.arrow")); // a complete table or none
    // Every shard under its final name is complete: it reads back, and holds its one clip's two 1 s chunks.
    for (const name of left) {
      const shard = readPslTable(join(killedDir, "shards", name));
      const index = Number(name.slice(6, 11));
      assert.deepEqual([...shard.clipIndex], [index, index], `${name}: clip indices`);
      assert.deepEqual([...shard.chunkIndex], [0, 1], `${name}: chunk indices`);
    }
    // A rewritten shard is a new file (atomic rename): same inode and mtime = not recomputed by the resumed run.
    const identity = (name: string) => {
      const s = statSync(join(killedDir, "shards", name));
      return `${s.ino}:${s.mtimeMs}`;
    };
    const before = new Map(left.map((name) => [name, identity(name)]));

    const resumed = runChild("psl", "annotate", "--config", configB, "--resume");
    assert.equal(resumed.status, 0, resumed.stderr);
    const referenceDir = annotationDir("cache-a")!;
    assert.equal(killedDir.slice(join(dir, "cache-b").length), referenceDir.slice(join(dir, "cache-a").length), "same annotation key");
    assert.equal(shardNames(killedDir).length, ANNOTATED_CLIPS);
    for (const [name, id] of before) assert.equal(identity(name), id, `${name} was recomputed by the resumed run`);

    const a = readPslTable(join(referenceDir, "psl.arrow"));
    const b = readPslTable(join(killedDir, "psl.arrow"));
    assert.equal(a.filenames.length, 2 * ANNOTATED_CLIPS);
    assert.deepEqual(b, a); // filenames, clipIndex, chunkIndex, from, to, weak, probs: typed arrays compared element-wise
    assert.ok(readFileSync(join(killedDir, "psl.arrow")).equals(readFileSync(join(referenceDir, "psl.arrow"))), "psl.arrow bytes differ");
    assert.equal(readFileSync(join(killedDir, "psl-top.tsv"), "utf8"), readFileSync(join(referenceDir, "psl-top.tsv"), "utf8"));
    assert.ok(existsSync(join(killedDir, "done.json")));

    // Besides the expected files, only temp files of the killed writer (".<name>.tmp-<pid>-<n>"), never read.
    const expected = /\/(params\.json|done\.json|psl\.arrow|psl-top\.tsv|shards\/layout\.json|shards\/shard-\d{5}\.arrow)$/;
    const strays = listFiles(killedDir).filter((f) => !expected.test(f));
    assert.ok(strays.every((f) => /\/\.[^/]+\.tmp-\d+-\d+$/.test(f)), `unexpected files: ${strays.join(", ")}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("shards left by a run with another shardClips are not mixed into the resumed table", async () => {
  // shardClips is not part of the annotation key (it does not change any score), so a run resumed with another value
  // finds the killed run's shards under the same names but covering other clips.
  await initBackend({ preferred: "cpu", quiet: true });
  const teacher = createMobileNetV2({ numClasses: 3, widthMult: 0.1 }, 5);
  const dir = mkdtempSync(join(tmpdir(), "psl-annotate-layout-"));
  try {
    const corpus = tinyCorpus(7, 4, "clip");
    const features = tinyFeatures(corpus);
    const options = { chunkSeconds: 1, hopSeconds: 1 };
    const fresh = (await annotateToDir(teacher, corpus.rows, features, join(dir, "fresh"), { ...options, shardClips: 2 })).table!;
    await assert.rejects(annotateToDir(teacher, corpus.rows, features, join(dir, "changed"), { ...options, shardClips: 1, abortAfterShards: 3 }), AnnotationAborted);
    const resumed = (await annotateToDir(teacher, corpus.rows, features, join(dir, "changed"), { ...options, shardClips: 2 })).table!;
    assert.deepEqual(new Set(resumed.clipIndex), new Set(corpus.rows.map((_, i) => i)), "every clip annotated");
    assert.deepEqual(resumed, fresh);
    assert.deepEqual(readdirSync(join(dir, "changed", "shards")).filter((f) => SHARD.test(f)), ["shard-00000.arrow", "shard-00001.arrow", "shard-00002.arrow", "shard-00003.arrow"]);
  } finally {
    teacher.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});
