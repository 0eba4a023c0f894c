/**
 * A tiny synthetic corpus for pipeline tests: 3 classes, each a tone band (class 0: 500 Hz, 1: 1500 Hz, 2: 3000 Hz),
 * clips of 2–3 s with 1–2 events at random times over noise; real log-mels through lib/audio (no audio files).
 */
import { logMel } from "../../lib/audio/melspec";
import { createRng } from "../../lib/data/random";
import { memoryFeatureSource, type FeatureSource } from "../../lib/psl/features";
import { SAMPLE_RATE } from "../../lib/audio/frontend";
import type { ExperimentData } from "../../lib/psl/pipeline";

export interface TinyClip {
  filename: string;
  labels: number[];
  duration: number;
}

const FREQS = [500, 1500, 3000];

export function tinyCorpus(count: number, seed: number, prefix: string): { rows: TinyClip[]; logMels: Map<string, { data: Float32Array; frames: number }> } {
  const rng = createRng(seed);
  const rows: TinyClip[] = [];
  const logMels = new Map<string, { data: Float32Array; frames: number }>();
  for (let i = 0; i < count; i += 1) {
    const duration = 2 + rng.int(2) * 0.5;
    const n = Math.round(duration * SAMPLE_RATE);
    const samples = new Float32Array(n);
    for (let k = 0; k < n; k += 1) samples[k] = (rng.next() - 0.5) * 0.01;
    const labels = new Set<number>();
    const events = 1 + rng.int(2);
    for (let e = 0; e < events; e += 1) {
      const cls = rng.int(3);
      labels.add(cls);
      const start = rng.int(Math.floor(n / 2));
      const length = Math.floor(n / 3);
      for (let k = start; k < Math.min(n, start + length); k += 1) samples[k] += 0.3 * Math.sin((2 * Math.PI * FREQS[cls] * k) / SAMPLE_RATE);
    }
    const filename = `${prefix}-${i}.wav`;
    const mel = logMel(samples);
    logMels.set(filename, { data: mel.data, frames: mel.frames });
    rows.push({ filename, labels: [...labels].sort(), duration });
  }
  return { rows, logMels };
}

export function tinyFeatures(...corpora: { logMels: Map<string, { data: Float32Array; frames: number }> }[]): FeatureSource {
  const all = new Map<string, { data: Float32Array; frames: number }>();
  for (const c of corpora) for (const [k, v] of c.logMels) all.set(k, v);
  return memoryFeatureSource(all);
}


/** Pipeline data from tiny corpora, one per split: [clips, seed] each (files named full-*, balanced-*, val-*, eval-*). */
export function tinyExperimentData(splits: { teacherTrain: [number, number]; studentTrain: [number, number]; validation: [number, number]; eval: [number, number] }): ExperimentData {
  const teacherTrain = tinyCorpus(...splits.teacherTrain, "full");
  const studentTrain = tinyCorpus(...splits.studentTrain, "balanced");
  const validation = tinyCorpus(...splits.validation, "val");
  const evalSet = tinyCorpus(...splits.eval, "eval");
  return {
    teacherTrain: teacherTrain.rows,
    studentTrain: studentTrain.rows,
    validation: validation.rows,
    eval: evalSet.rows,
    classNames: ["Low tone", "Mid tone", "High tone"],
    features: tinyFeatures(teacherTrain, studentTrain, validation, evalSet),
  };
}
