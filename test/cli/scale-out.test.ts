/**
 * Scale-out through the real launcher: features and annotation computed by three concurrent shard processes
 * (`psl features --shard i/3`, `psl annotate --shard i/3`) and merged, against a single `psl annotate` run on a copy of
 * the same experiment: the merged PSL table, its TSV and done.json are byte-identical. Also: merging before every job
 * finished fails naming the missing jobs, and a shard job refuses to train the teacher itself. Locks: jobs take only
 * their own part's / shard's lock (they run while the whole stage's lock is held), merges take the whole stage's lock.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { writeWav } from "../../lib/audio/wav";
import { writeManifest } from "../../lib/data/manifest";
import { createRng } from "../../lib/data/random";
import { createMobileNetV2 } from "../../lib/model/mobilenetv2";
import { saveCheckpoint } from "../../lib/model/checkpoint";
import { withLock } from "../../lib/io/lock";
import { shardLockFile } from "../../lib/psl/annotate";

const root = join(__dirname, "../..");
const psl = join(root, "lib/bin/psl.js");
const env = { ...process.env, PSL_BACKEND: "" };

function writeClips(dir: string, prefix: string, count: number, seed: number): { filename: string; labels: number[]; duration: number }[] {
  const rng = createRng(seed);
  return Array.from({ length: count }, (_, i) => {
    const samples = new Float32Array(16000 * 3);
    for (let k = 0; k < samples.length; k += 1) samples[k] = (rng.next() - 0.5) * 0.2 * Math.sin(k / (50 + 10 * i));
    const filename = `${prefix}-${i}.wav`;
    writeWav(join(dir, filename), samples, 16000);
    return { filename, labels: [i % 3], duration: 3 };
  });
}

function run(...args: string[]) {
  return spawnSync(process.execPath, [psl, ...args], { encoding: "utf8", env });
}

/** Three processes at once; resolves with their exit codes and outputs. */
function concurrently(argLists: string[][]): Promise<{ status: number | null; stdout: string; stderr: string }[]> {
  return Promise.all(argLists.map((args) => new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [psl, ...args], { env });
    let stdout = "", stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  })));
}

test("three shard processes + merge write exactly the annotation a single run writes", async () => {
  const dir = mkdtempSync(join(tmpdir(), "psl-scale-out-"));
  try {
    writeManifest(join(dir, "train.tsv"), writeClips(dir, "train", 11, 1));
    writeManifest(join(dir, "eval.tsv"), writeClips(dir, "eval", 2, 2));
    const teacher = createMobileNetV2({ numClasses: 3, widthMult: 0.1 }, 5);
    saveCheckpoint(join(dir, "teacher.safetensors"), { model: teacher });
    teacher.dispose();
    const config = (cacheDir: string) => ({
      name: "scale-out",
      dataset: join(dir, "train.tsv"),
      data: { eval: join(dir, "eval.tsv"), validationFraction: 0.2 },
      numClasses: 3,
      backend: "wasm",
      workers: 0,
      cacheDir: join(dir, cacheDir),
      reportsDir: join(dir, "reports"),
      teacher: { checkpoint: join(dir, "teacher.safetensors") },
      student: { widthMult: 0.1, epochs: 1, batchSize: 4 },
      // 9 student clips in shards of 2: 5 shards over 3 jobs (1 + 2 + 2).
      annotation: { chunkSeconds: 1, shardClips: 2 },
    });
    writeFileSync(join(dir, "single.json"), JSON.stringify(config("single")));
    writeFileSync(join(dir, "sharded.json"), JSON.stringify(config("sharded")));
    const sharded = join(dir, "sharded.json");

    const single = run("annotate", "--config", join(dir, "single.json"));
    assert.equal(single.status, 0, single.stderr);

    // Features: two concurrent jobs while another process holds the whole cache's lock (jobs take only their part's
    // lock; --no-wait would fail on a held one), a merge that refuses while the lock is held and while a job is
    // missing, then the real merge.
    const featuresLock = join(dir, "sharded", "features", ".lock");
    const features = await withLock(featuresLock, { what: "test: the whole feature cache" }, async () => {
      const jobs = await concurrently([0, 1].map((i) => ["features", "--config", sharded, "--shard", `${i}/3`, "--no-wait"]));
      const locked = run("features", "--config", sharded, "--merge", "--no-wait");
      assert.notEqual(locked.status, 0);
      assert.match(locked.stderr, /feature cache .*another process is computing it \(lock .*features\/\.lock, held by pid \d+/);
      return jobs;
    });
    for (const f of features) assert.equal(f.status, 0, f.stderr);
    assert.match(features[0].stdout, /features job 0\/3: \d+ of 13 clips/);
    const early = run("features", "--config", sharded, "--merge");
    assert.notEqual(early.status, 0);
    assert.match(early.stderr, /1 of 3 feature jobs are not finished \(--shard 2\/3\)/);
    const last = run("features", "--config", sharded, "--shard", "2/3");
    assert.equal(last.status, 0, last.stderr);
    const merged = run("features", "--config", sharded, "--merge");
    assert.equal(merged.status, 0, merged.stderr);
    assert.match(merged.stdout, /merged 3 parts .* \(13 clips cached, 0 skipped\)/);

    // A shard job never trains: without a finished teacher it stops with what to run first.
    const untrained = run("annotate", "--config", sharded, "--set", "teacher.checkpoint=null", "--set", "teacher.selfDistillation=true", "--shard", "0/3");
    assert.notEqual(untrained.status, 0);
    assert.match(untrained.stderr, /teacher: not trained yet .*run psl train-teacher/);

    const annotationDir = (cache: string) => {
      const base = join(dir, cache, "annotation");
      const keys = readdirSync(base);
      assert.equal(keys.length, 1, `${base}: ${keys.join(", ")}`);
      return join(base, keys[0]);
    };
    // The annotation's folder is named by its cache key, which does not depend on cacheDir: the single run's tells it.
    const a = annotationDir("single"), b = join(dir, "sharded", "annotation", basename(a));

    // Annotation: jobs 0 and 2 at once, with --no-wait, while another process holds the whole-annotation stage lock:
    // slice jobs lock only their own shards. A merge (it writes the whole table) refuses while that lock is held.
    const jobs = await withLock(join(b, ".lock"), { what: "test: the whole annotation" }, async () => {
      const slices = await concurrently([0, 2].map((i) => ["annotate", "--config", sharded, "--shard", `${i}/3`, "--no-wait"]));
      const locked = run("annotate", "--config", sharded, "--merge", "--no-wait");
      assert.notEqual(locked.status, 0);
      assert.match(locked.stderr, /annotation in .*another process is computing it \(lock .*\.lock, held by pid \d+/);
      return slices;
    });
    for (const j of jobs) assert.equal(j.status, 0, j.stderr);
    assert.match(jobs[0].stdout, /annotation job 0\/3: shards 0…0 of 5 \(1 computed now\)/);
    assert.match(jobs[1].stdout, /annotation job 2\/3: shards 3…4 of 5 \(2 computed now\)/);
    const tooEarly = run("annotate", "--config", sharded, "--merge");
    assert.notEqual(tooEarly.status, 0);
    assert.match(tooEarly.stderr, /2 of 5 shards are not finished \(1, 2\)/);
    // Each shard has its own lock: a job whose shard another process is computing fails with --no-wait, naming it.
    await withLock(shardLockFile(b, 1), { what: "test: shard 1" }, () => {
      const busy = run("annotate", "--config", sharded, "--shard", "1/3", "--no-wait");
      assert.notEqual(busy.status, 0);
      assert.match(busy.stderr, /annotation shard 1 in .*another process is computing it \(lock .*shard-00001\.lock/);
    });
    const middle = run("annotate", "--config", sharded, "--shard", "1/3");
    assert.equal(middle.status, 0, middle.stderr);
    const final = run("annotate", "--config", sharded, "--merge");
    assert.equal(final.status, 0, final.stderr);
    assert.deepEqual(readdirSync(join(b, "shards")).filter((name) => name.endsWith(".lock")), [], "shard locks are released");

    for (const file of ["psl.arrow", "psl-top.tsv", "done.json"]) {
      assert.ok(existsSync(join(b, file)), `merged ${file} missing`);
      assert.ok(readFileSync(join(a, file)).equals(readFileSync(join(b, file))), `${file} differs between the single run and the merged shards`);
    }
    // The merged annotation is a finished artefact: a plain run re-uses it.
    const again = run("annotate", "--config", sharded);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stderr, /annotation: cached/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("feature and annotation jobs (--shard, --merge) run the same output-over-input preflight as every command", () => {
  const dir = mkdtempSync(join(tmpdir(), "psl-scale-out-preflight-"));
  try {
    writeManifest(join(dir, "train.tsv"), writeClips(dir, "train", 3, 3));
    const config = {
      name: "preflight", dataset: join(dir, "train.tsv"), numClasses: 3, backend: "wasm", workers: 0,
      cacheDir: join(dir, "cache"), reportsDir: join(dir, "reports"),
      teacher: { checkpoint: join(dir, "teacher.safetensors") }, student: { widthMult: 0.1, epochs: 1, batchSize: 4 },
    };
    const path = join(dir, "config.json");
    writeFileSync(path, JSON.stringify(config));
    // An eval manifest inside the cache folders those jobs write: refused before any work, naming the field.
    for (const stage of ["features", "annotation"]) {
      mkdirSync(join(dir, "cache", stage), { recursive: true });
      const inside = join(dir, "cache", stage, "eval.tsv");
      copyFileSync(join(dir, "train.tsv"), inside);
      for (const command of ["features", "annotate"]) {
        for (const mode of [["--shard", "0/2"], ["--merge"]]) {
          const r = run(command, "--config", path, "--set", `data.eval=${inside}`, ...mode);
          assert.notEqual(r.status, 0, `${command} ${mode.join(" ")}`);
          assert.match(r.stderr, new RegExp(`data\\.eval .*eval\\.tsv lies inside the cache folder .*${stage}`), `${command} ${mode.join(" ")}: ${r.stderr}`);
        }
      }
      rmSync(inside);
    }
    // The feature cache's own paths: a --config file inside it is refused too (the other commands' rule).
    const inside = join(dir, "cache", "features", "config.json");
    copyFileSync(path, inside);
    const r = run("features", "--config", inside, "--shard", "0/2");
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /--config file .*config\.json lies inside the cache folder/);
    assert.ok(!existsSync(join(dir, "cache", "features", "parts")), "no feature job ran");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
