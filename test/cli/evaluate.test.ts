/**
 * `psl evaluate --config` through the real launcher on a manifest dataset of real WAV files (feature cache, held-out
 * validation split from the training manifest, cached stages), then `psl annotate` re-using the cached teacher.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeWav } from "../../lib/audio/wav";
import { writeManifest } from "../../lib/data/manifest";
import { createRng } from "../../lib/data/random";
import { repoRoot } from "../../lib/io/repo-root";
import { SAMPLE_RATE } from "../../lib/audio/frontend";

const root = repoRoot();
const FREQS = [500, 1500, 3000];

function writeClips(dir: string, prefix: string, count: number, seed: number): { filename: string; labels: number[]; duration: number }[] {
  const rng = createRng(seed);
  return Array.from({ length: count }, (_, i) => {
    const cls = rng.int(3);
    const samples = new Float32Array(32000);
    for (let k = 0; k < samples.length; k += 1) samples[k] = (rng.next() - 0.5) * 0.01 + (k > 8000 && k < 24000 ? 0.3 * Math.sin((2 * Math.PI * FREQS[cls] * k) / SAMPLE_RATE) : 0);
    const filename = `${prefix}-${i}.wav`;
    writeWav(join(dir, filename), samples, SAMPLE_RATE);
    return { filename, labels: [cls], duration: 2 };
  });
}

test("psl evaluate / annotate on a manifest dataset", () => {
  const dir = mkdtempSync(join(tmpdir(), "psl-cli-"));
  writeManifest(join(dir, "train.tsv"), writeClips(dir, "train", 10, 1));
  writeManifest(join(dir, "eval.tsv"), writeClips(dir, "eval", 4, 2));
  const config = {
    name: "cli-tiny",
    dataset: join(dir, "train.tsv"),
    data: { eval: join(dir, "eval.tsv"), validationFraction: 0.2 },
    numClasses: 3,
    backend: "wasm",
    workers: 0,
    cacheDir: join(dir, "cache"),
    reportsDir: join(dir, "reports"),
    teacher: { widthMult: 0.1, epochs: 1, batchSize: 8, selfDistillation: true },
    student: { widthMult: 0.1, epochs: 1, batchSize: 8, alpha: 0.5 },
    annotation: { chunkSeconds: 2 },
  };
  writeFileSync(join(dir, "tiny.json"), JSON.stringify(config));
  const run = (...args: string[]) => spawnSync(process.execPath, [join(root, "lib/bin/psl.js"), ...args], { encoding: "utf8", env: { ...process.env, PSL_BACKEND: "" } });
  const evaluate = run("evaluate", "--config", join(dir, "tiny.json"));
  assert.equal(evaluate.status, 0, evaluate.stderr);
  assert.match(evaluate.stdout, /student \(eval\): mAP \d+\.\d+  meanAUC \d+\.\d+  d′ -?\d+\.\d+/);
  assert.match(evaluate.stdout, /teacher \(eval\): mAP/);
  assert.ok(existsSync(join(dir, "reports", "cli-tiny", "student", "metrics.json")));
  assert.match(evaluate.stderr, /held out 2 of 10 training clips/);

  const annotate = run("annotate", "--config", join(dir, "tiny.json"), "--set", "annotation.chunkSeconds=1");
  assert.equal(annotate.status, 0, annotate.stderr);
  assert.match(annotate.stderr, /teacher: cached/);
  assert.match(annotate.stdout, /annotation: .*psl\.arrow \(16 chunks/);
});
