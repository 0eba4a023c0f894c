/**
 * A teacher's class priors moved to the split it labels (beyond the paper). A teacher learns each class's prior from its
 * own training split; when it labels a split where the class is rarer (AudioSet's unbalanced full set → the balanced
 * subset; the demo's Zipf-like `full` → `balanced`), it says the class too readily. Bayes' rule with the new priors
 * (Saerens, Latinne & Decaestecker, Neural Computation 2002) corrects each class's sigmoid output as its own binary
 * problem: the odds p / (1 − p) are multiplied by the target prior odds over the source prior odds. Both priors come
 * from the splits' weak labels — what a user of real data has; no truth, no validation or eval score.
 */
import { UserError } from "../errors";
import type { ChunkScores } from "./types";

/** Share of clips labelled with each class, smoothed (count + 1) / (clips + 2) so that no class has prior 0 or 1. */
export function classPriors(rows: Iterable<{ labels: readonly number[] }>, numClasses: number): Float64Array {
  const counts = new Float64Array(numClasses);
  let clips = 0;
  for (const row of rows) {
    clips++;
    for (const label of new Set(row.labels)) {
      if (!(Number.isInteger(label) && label >= 0 && label < numClasses)) {
        throw new UserError(`classPriors: label ${label} of clip ${clips} is not a class index in [0, ${numClasses})`);
      }
      counts[label]++;
    }
  }
  return counts.map((count) => (count + 1) / (clips + 2));
}

/** The chunk probabilities with each class's prior moved from `sourcePriors` to `targetPriors` (a new table). */
export function priorShiftedScores(chunks: ChunkScores, sourcePriors: Float64Array, targetPriors: Float64Array): ChunkScores {
  const C = chunks.numClasses;
  if (sourcePriors.length !== C || targetPriors.length !== C) {
    throw new UserError(`priorShiftedScores: ${C} classes, but priors for ${sourcePriors.length} (source) and ${targetPriors.length} (target)`);
  }
  const oddsFactor = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    const [source, target] = [sourcePriors[c], targetPriors[c]];
    if (!(source > 0 && source < 1 && target > 0 && target < 1)) {
      throw new UserError(`priorShiftedScores: class ${c}: priors must lie in (0, 1), got source ${source}, target ${target}`);
    }
    oddsFactor[c] = (target / (1 - target)) / (source / (1 - source));
  }
  const probs = new Float32Array(chunks.probs.length);
  for (let i = 0; i < probs.length; i++) {
    const p = chunks.probs[i];
    const shifted = p * oddsFactor[i % C];
    // p' = p·k / (p·k + 1 − p): the odds times k, written so that p = 0 and p = 1 stay exact.
    probs[i] = shifted / (shifted + 1 - p);
  }
  return { ...chunks, probs };
}
