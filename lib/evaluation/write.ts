/**
 * Saving evaluation results: a JSON summary (fractions in [0, 1]; NaN/±Infinity become null, which JSON cannot hold)
 * and a per-class CSV (one row per class, sorted by class index). Both written atomically.
 */
import { writeFileAtomic, writeJsonAtomic } from "../io/atomic";
import type { EvalMetrics } from "./metrics";

/** A number JSON can hold, or null. */
function finiteOrNull(value: number | null): number | null {
  return value === null || !Number.isFinite(value) ? null : value;
}

/** The summary object written to JSON: `mAP`, `meanAUC`, `dPrime`, `recallAt02`, counts (no per-class list). */
export function metricsSummary(metrics: EvalMetrics): Record<string, number | null> {
  return {
    mAP: finiteOrNull(metrics.mAP),
    meanAUC: finiteOrNull(metrics.meanAUC),
    dPrime: finiteOrNull(metrics.dPrime),
    recallAt02: finiteOrNull(metrics.recallAt02),
    numClips: metrics.numClips,
    numClassesEvaluated: metrics.numClassesEvaluated,
    numClassesWithAUC: metrics.numClassesWithAUC,
  };
}

/**
 * Writes the summary (plus `extra` fields such as the checkpoint or split it came from) and, with `perClass: true`,
 * the per-class AP/AUC list.
 */
export function writeMetricsJson(path: string, metrics: EvalMetrics, options: { extra?: Record<string, unknown>; perClass?: boolean } = {}): void {
  const body: Record<string, unknown> = { ...metricsSummary(metrics), ...(options.extra ?? {}) };
  if (options.perClass) {
    body.perClass = metrics.perClass.map((c) => ({ ...c, ap: finiteOrNull(c.ap), auc: finiteOrNull(c.auc) }));
  }
  writeJsonAtomic(path, body);
}

/** RFC 4180 quoting: AudioSet names contain commas ("Male speech, man speaking") and quotes. */
export function csvField(value: string | number | null): string {
  if (value === null) return "";
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Per-class CSV text: `index,name,ap,auc,positives` (empty ap/auc where undefined). */
export function perClassCsv(metrics: EvalMetrics): string {
  const lines = ["index,name,ap,auc,positives"];
  for (const c of metrics.perClass) {
    lines.push([c.index, c.name, finiteOrNull(c.ap), finiteOrNull(c.auc), c.positives].map(csvField).join(","));
  }
  return `${lines.join("\n")}\n`;
}

export function writePerClassCsv(path: string, metrics: EvalMetrics): void {
  writeFileAtomic(path, perClassCsv(metrics));
}
