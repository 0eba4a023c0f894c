/**
 * Evaluation of a model on full clips (the paper evaluates on 10-s AudioSet eval clips): clip scores → lib/evaluation
 * metrics, saved as JSON + per-class CSV. Clips are streamed in groups, so an eval set never has to fit in memory.
 */
import { join } from "node:path";
import type { MobileNetV2 } from "../model/mobilenetv2";
import { predictClips, predictClipsAsync, type LogMelInput } from "../model/predict";
import { withFoldedModel } from "../engine/infer";
import { evaluateScores, writeMetricsJson, writePerClassCsv, type EvalMetrics } from "../evaluation";
import { createProgress } from "../report/progress";
import type { FeatureSource } from "./features";

export interface ClipRow {
  filename: string;
  labels: readonly number[];
}

export interface EvaluateOptions {
  classNames?: readonly string[];
  /** Clips per forward pass (default 16). */
  batchSize?: number;
  /** Show a progress bar (default false: validation runs every epoch and would clutter the log). */
  progressLabel?: string;
}

/** The rows' full-clip log-mels in groups of `group` (streamed: an eval set never has to fit in memory). */
function* clipGroups(rows: readonly ClipRow[], features: FeatureSource, group: number): Generator<{ start: number; logMels: LogMelInput[] }> {
  for (let start = 0; start < rows.length; start += group) {
    const logMels = rows.slice(start, start + group).map((row) => {
      const frames = features.clipFrames(row.filename);
      return { data: features.readFrames(row.filename, 0, frames), frames };
    });
    yield { start, logMels };
  }
}

/** Clip probabilities [clips, numClasses] (row-major) for every row, in row order (the model folded: lib/engine/infer.ts). */
export function scoreClips(model: MobileNetV2, rows: readonly ClipRow[], features: FeatureSource, options: EvaluateOptions = {}): Float32Array {
  const C = model.config.numClasses;
  const out = new Float32Array(rows.length * C);
  const batchSize = options.batchSize ?? 16;
  const progress = options.progressLabel ? createProgress({ label: options.progressLabel, total: rows.length, unit: "clips" }) : undefined;
  withFoldedModel(model, (folded) => {
    for (const { start, logMels } of clipGroups(rows, features, Math.max(1, batchSize * 4))) {
      predictClips(folded, logMels, { batchSize }).forEach((s, i) => out.set(s, (start + i) * C));
      progress?.tick(logMels.length);
    }
  });
  progress?.done();
  return out;
}

/** scoreClips reading results asynchronously (needed on the webgpu backend; see lib/model predictClipsAsync). */
export async function scoreClipsAsync(model: MobileNetV2, rows: readonly ClipRow[], features: FeatureSource, options: EvaluateOptions = {}): Promise<Float32Array> {
  const C = model.config.numClasses;
  const out = new Float32Array(rows.length * C);
  const batchSize = options.batchSize ?? 16;
  const progress = options.progressLabel ? createProgress({ label: options.progressLabel, total: rows.length, unit: "clips" }) : undefined;
  await withFoldedModel(model, async (folded) => {
    for (const { start, logMels } of clipGroups(rows, features, Math.max(1, batchSize * 4))) {
      (await predictClipsAsync(folded, logMels, { batchSize })).forEach((s, i) => out.set(s, (start + i) * C));
      progress?.tick(logMels.length);
    }
  });
  progress?.done();
  return out;
}

/** Multi-hot targets [clips, numClasses] of the rows' labels. */
export function clipTargets(rows: readonly ClipRow[], numClasses: number): Float32Array {
  const out = new Float32Array(rows.length * numClasses);
  rows.forEach((row, i) => {
    for (const c of row.labels) if (c >= 0 && c < numClasses) out[i * numClasses + c] = 1;
  });
  return out;
}

/** Metrics of `model` on `rows` (full clips), read asynchronously (it works on every backend, webgpu included). */
export async function evaluateModelAsync(model: MobileNetV2, rows: readonly ClipRow[], features: FeatureSource, options: EvaluateOptions = {}): Promise<EvalMetrics> {
  const C = model.config.numClasses;
  const scores = await scoreClipsAsync(model, rows, features, options);
  return evaluateScores(clipTargets(rows, C), scores, C, options.classNames);
}

/** Writes `<dir>/metrics.json` (summary + per-class) and `<dir>/per_class.csv`; returns the two paths. */
export function saveEvaluation(dir: string, metrics: EvalMetrics, extra: Record<string, unknown> = {}): { json: string; csv: string } {
  const json = join(dir, "metrics.json");
  const csv = join(dir, "per_class.csv");
  writeMetricsJson(json, metrics, { extra, perClass: true });
  writePerClassCsv(csv, metrics);
  return { json, csv };
}
