/**
 * Tiny on-disk corpora for the robustness tests: tone clips written as real WAV files (lib/audio/wav.ts), a manifest
 * over them, and an experiment config small enough to train in seconds (widthMult 0.1, one or two epochs).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { writeWav } from "../../lib/audio/wav";
import { createRng } from "../../lib/data/random";
import { SAMPLE_RATE } from "../../lib/audio/frontend";

const FREQS = [500, 1500, 3000];

/** `count` clips of `seconds` s at 16 kHz: noise plus the tone of each labelled class (class i: FREQS[i]). */
export function writeToneClips(dir: string, count: number, seed: number, seconds = 2): { filename: string; labels: number[]; duration: number }[] {
  mkdirSync(dir, { recursive: true });
  const rng = createRng(seed);
  const rows = [];
  for (let i = 0; i < count; i++) {
    const n = seconds * SAMPLE_RATE;
    const samples = new Float32Array(n);
    for (let k = 0; k < n; k++) samples[k] = (rng.next() - 0.5) * 0.01;
    const labels = [i % 3, ...(rng.next() < 0.3 ? [(i + 1) % 3] : [])].sort();
    for (const c of labels) {
      const start = rng.int(n / 2);
      for (let k = start; k < Math.min(n, start + n / 3); k++) samples[k] += 0.3 * Math.sin((2 * Math.PI * FREQS[c] * k) / SAMPLE_RATE);
    }
    const filename = `clip-${i}.wav`;
    writeWav(join(dir, filename), samples, SAMPLE_RATE);
    rows.push({ filename, labels, duration: seconds });
  }
  return rows;
}

/** `count` tone clips in `dir`, the first `trainClips` listed in train.tsv and the rest in eval.tsv. */
export function writeSplitCorpus(dir: string, count: number, trainClips: number, seed: number, seconds = 2): { filename: string; labels: number[]; duration: number }[] {
  const rows = writeToneClips(dir, count, seed, seconds);
  writeFileSync(join(dir, "train.tsv"), manifestText(rows.slice(0, trainClips)));
  writeFileSync(join(dir, "eval.tsv"), manifestText(rows.slice(trainClips)));
  return rows;
}

export function manifestText(rows: readonly { filename: string; labels: number[]; duration: number }[]): string {
  return "filename\tlabels\tduration\n" + rows.map((r) => `${r.filename}\t${r.labels.join(";")}\t${r.duration}`).join("\n") + "\n";
}

/** A config over manifest files in `dir` (train.tsv, eval.tsv), caches under `dir`, written to `dir/<file>`. */
export function writeTinyConfig(dir: string, overrides: Record<string, unknown> = {}, file = "config.json"): string {
  const training = { widthMult: 0.1, epochs: 2, patience: 5, batchSize: 4, checkpointEverySteps: 1 };
  const config: Record<string, unknown> = {
    name: "robustness",
    dataset: join(dir, "train.tsv"),
    numClasses: 3,
    seed: 3,
    backend: "wasm",
    workers: 0,
    cacheDir: join(dir, "cache"),
    reportsDir: join(dir, "reports"),
    data: { eval: join(dir, "eval.tsv"), validationFraction: 0.25 },
    teacher: training,
    student: training,
    annotation: { chunkSeconds: 1, shardClips: 2 },
    ...overrides,
  };
  // These corpora have no teacher manifest: the teacher trains on the student's clips, which the kit only does when
  // asked (teacher.selfDistillation), unless the test gives the teacher a source of its own.
  const teacher = config.teacher as Record<string, unknown>;
  if (teacher.checkpoint === undefined && teacher.selfDistillation === undefined) config.teacher = { selfDistillation: true, ...teacher };
  const path = join(dir, file);
  writeFileSync(path, JSON.stringify(config, null, 1));
  return path;
}
