/**
 * The caveat every quick-profile mAP needs (issue 13). The quick corpus' eval split has 30 clips, and AP on so few
 * clips is biased upwards: scripts/quick-eval-check.ts scored one teacher on random 30-clip subsets of the default eval
 * split and on the whole split (data-manifests/demo/curves/teacher-on-quick-eval.json) and the subsets average far
 * higher. A quick run's mAP is therefore no estimate of a default run's, let alone the paper's. The note quotes that
 * committed measurement, so it stays true when the measurement is redone.
 */
import { readJsonFile } from "../io/json-file";
import { repoPath } from "../io/repo-root";
import { UserError } from "../errors";

/** The committed measurement of mAP on small eval subsets. */
export function quickEvalCheckPath(): string {
  return repoPath("data-manifests", "demo", "curves", "teacher-on-quick-eval.json");
}

/** The figures the note quotes: one teacher's mAP on the whole default eval split and on random subsets of it. */
export interface SmallEvalBias {
  /** Clips per random subset (the quick eval split's size). */
  subsetClips: number;
  /** Mean mAP over the random subsets. */
  subsetMeanMAP: number;
  /** mAP on the whole default eval split. */
  wholeSplitMAP: number;
}

export function readSmallEvalBias(path = quickEvalCheckPath()): SmallEvalBias {
  const file = readJsonFile(path, "quick-eval check") as { random30ClipSubsets?: { clips?: unknown; meanMAP?: unknown }; defaultEval?: { mAP?: unknown } } | null;
  const numberAt = (field: string, value: unknown): number => {
    if (typeof value !== "number" || !Number.isFinite(value)) throw new UserError(`${path}: ${field} is not a number`);
    return value;
  };
  return {
    subsetClips: numberAt("random30ClipSubsets.clips", file?.random30ClipSubsets?.clips),
    subsetMeanMAP: numberAt("random30ClipSubsets.meanMAP", file?.random30ClipSubsets?.meanMAP),
    wholeSplitMAP: numberAt("defaultEval.mAP", file?.defaultEval?.mAP),
  };
}

/**
 * One sentence for the reader of quick-profile mAP figures on `evalClips` eval clips; "" for any other profile (their
 * eval split is the default corpus' 500 clips).
 */
export function quickEvalNote(profile: string, evalClips: number, measured?: SmallEvalBias): string {
  if (profile !== "quick") return "";
  const bias = measured ?? readSmallEvalBias();
  return `Quick profile: these mAPs are measured on ${evalClips} eval clips, and AP on so few clips is biased upwards `
    + `(random ${bias.subsetClips}-clip subsets of the default eval split gave one teacher ${bias.subsetMeanMAP.toFixed(3)} mAP on `
    + `average against ${bias.wholeSplitMAP.toFixed(3)} on the whole split; data-manifests/demo/curves/teacher-on-quick-eval.json), `
    + "so compare them only with other quick-profile figures, never with the default profile's or the paper's.";
}
