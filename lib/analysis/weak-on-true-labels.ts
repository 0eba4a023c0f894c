/**
 * The weak student trained on its clips' TRUE labels beside the same student on their noisy weak labels (issue 13: why
 * does the weak student's AUC stay far below 0.85?). scripts/weak-on-true-labels.ts writes the measurement: the default
 * profile's weak student per seed, each kept checkpoint selected on validation as always, then scored on the eval split
 * against the true labels. Those eval scores explain a missed target; no setting of the kit is chosen from them.
 */
import { UserError } from "../errors";
import { repoPath } from "../io/repo-root";
import { readJsonFile } from "../io/json-file";

/** Where the measurement is committed. */
export function weakOnTrueLabelsPath(): string {
  return repoPath("data-manifests", "demo", "curves", "weak-on-true-labels.json");
}

/** One group: the weak student trained on one kind of labels, over its seeds. */
export interface WeakOnTrueLabelsRow {
  trainingLabels: "noisy" | "truth";
  seeds: number[];
  /** Eval mAP and mean AUC against the true labels, per seed (the order of `seeds`) and their means. */
  evalMAP: number[];
  evalMeanAUC: number[];
  meanEvalMAP: number;
  meanEvalAUC: number;
}

const finite = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
const mean = (values: readonly number[]) => values.reduce((a, v) => a + v, 0) / values.length;

/** The file's runs grouped by training labels (noisy first), checked field by field; the file named in any error. */
export function weakOnTrueLabelsRows(file: unknown, where: string): WeakOnTrueLabelsRow[] {
  const runs = (file as { runs?: unknown } | null)?.runs;
  if (typeof runs !== "object" || runs === null) throw new UserError(`${where}: no "runs" object`);
  const checked = Object.entries(runs as Record<string, Record<string, unknown>>).map(([key, run]) => {
    const at = `${where}: runs.${key}`;
    if (run?.trainingLabels !== "noisy" && run?.trainingLabels !== "truth") throw new UserError(`${at}.trainingLabels must be "noisy" or "truth"`);
    if (!finite(run.seed)) throw new UserError(`${at}.seed is not a finite number`);
    const scores = (run.evalTrueLabels ?? {}) as Record<string, unknown>;
    const { mAP, meanAUC } = scores;
    if (!finite(mAP) || !finite(meanAUC)) throw new UserError(`${at}.evalTrueLabels needs numeric mAP and meanAUC`);
    return { trainingLabels: run.trainingLabels as "noisy" | "truth", seed: run.seed, mAP, meanAUC };
  });
  return (["noisy", "truth"] as const).flatMap((labels) => {
    const mine = checked.filter((r) => r.trainingLabels === labels).sort((a, b) => a.seed - b.seed);
    if (mine.length === 0) return [];
    const evalMAP = mine.map((r) => r.mAP);
    const evalMeanAUC = mine.map((r) => r.meanAUC);
    return [{ trainingLabels: labels, seeds: mine.map((r) => r.seed), evalMAP, evalMeanAUC, meanEvalMAP: mean(evalMAP), meanEvalAUC: mean(evalMeanAUC) }];
  });
}

/** The committed measurement (or `path`), read and grouped. */
export function committedWeakOnTrueLabels(path = weakOnTrueLabelsPath()): WeakOnTrueLabelsRow[] {
  return weakOnTrueLabelsRows(readJsonFile(path, "weak student on true labels"), path);
}
