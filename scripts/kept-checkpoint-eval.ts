/**
 * The one eval score the explanation scripts take (weak-on-true-labels, psl-oracle-teacher, weak-by-training-clips,
 * weak-by-model-width): a run's KEPT checkpoint — the one its loop selected on validation — scored on the eval split
 * against the true labels. It lives apart from student-validation-run.ts, whose runs promise no eval score (the scripts
 * that choose a setting use only that module); a script that imports this one explains a target and chooses nothing.
 */
import { join, resolve } from "node:path";
import { repoPath } from "../lib/io/repo-root";
import { evaluateCheckpoint, headline, type loadSeriesData } from "../lib/series";

/** Eval mAP, mean AUC and d′ (4 decimals) of `runDir`/best.safetensors; `runDir` absolute or from the repository root. */
export async function keptCheckpointOnEval(
  series: Awaited<ReturnType<typeof loadSeriesData>>,
  runDir: string,
): Promise<ReturnType<typeof headline>> {
  return headline(await evaluateCheckpoint(series, join(resolve(repoPath(), runDir), "best.safetensors")));
}
