/**
 * Audio-tagging metrics as the paper (and the whole field) reports them, with sklearn's exact definitions:
 * per-class average precision (sklearn `average_precision_score`), per-class ROC-AUC (sklearn `roc_auc_score`),
 * their means over classes, d′ = √2·Φ⁻¹(mean AUC), and Recall@0.2.
 *
 * Hand-written (not a library) because no JS package reproduces sklearn's tie handling; parity with Debian
 * python3-sklearn/scipy is tested to 1e-6 on fixtures with ties, empty classes and constant scores.
 *
 * Class inclusion (stated, because sklearn itself would warn or raise):
 * - AP is defined only for a class with ≥ 1 positive clip; mAP = mean AP over those classes.
 * - AUC additionally needs ≥ 1 negative clip (sklearn raises otherwise); meanAUC = mean AUC over classes with both.
 *   On real eval sets (AudioSet eval: every class has positives and negatives) both sets are the same.
 * - Classes left out have `ap`/`auc` = null in `perClass`; `numClassesEvaluated` counts the AP classes.
 */
import { UserError } from "../errors";
import { normalQuantile } from "./normal";

/** Rows = clips, columns = classes: either row arrays or one row-major flat array of numClips × numClasses. */
export type ScoreMatrix = Float32Array | Float64Array | ArrayLike<number> | ReadonlyArray<ArrayLike<number>>;

export interface ClassMetrics {
  index: number;
  name: string;
  /** sklearn average precision; null when the class has no positive clip. */
  ap: number | null;
  /** sklearn ROC-AUC; null when the class has no positive or no negative clip. */
  auc: number | null;
  /** Number of clips labelled with the class. */
  positives: number;
}

export interface EvalMetrics {
  /** Mean AP over classes with ≥ 1 positive (fraction in [0, 1]). */
  mAP: number;
  /** Mean ROC-AUC over classes with ≥ 1 positive and ≥ 1 negative. */
  meanAUC: number;
  /** √2·Φ⁻¹(meanAUC): ±Infinity at AUC 1 / 0 (written as null in JSON). */
  dPrime: number;
  /**
   * Micro-averaged recall at threshold 0.2: #(clip, class) pairs with target 1 and score > 0.2, divided by
   * #(clip, class) pairs with target 1. This is what the reference's evaluation reports as "Rec@0.2" (ignite Recall on
   * the binarised matrix, flattened); the threshold is strict (> 0.2) as there.
   */
  recallAt02: number;
  numClips: number;
  /** Classes with ≥ 1 positive (the mAP average). */
  numClassesEvaluated: number;
  /** Classes with ≥ 1 positive and ≥ 1 negative (the meanAUC average). */
  numClassesWithAUC: number;
  perClass: ClassMetrics[];
}

export const RECALL_THRESHOLD = 0.2;

/** Flattens a score matrix into row-major float64 and checks its shape. */
function toFlat(matrix: ScoreMatrix, numClasses: number, what: string): { flat: Float64Array; rows: number } {
  const first = (matrix as ArrayLike<unknown>)[0];
  if (first !== undefined && typeof first === "object" && first !== null) {
    const rows = matrix as ReadonlyArray<ArrayLike<number>>;
    const flat = new Float64Array(rows.length * numClasses);
    rows.forEach((row, i) => {
      if (row.length !== numClasses) throw new UserError(`${what}: row ${i} has ${row.length} values, expected ${numClasses} classes`);
      for (let c = 0; c < numClasses; c += 1) flat[i * numClasses + c] = row[c];
    });
    return { flat, rows: rows.length };
  }
  const values = matrix as ArrayLike<number>;
  if (values.length % numClasses !== 0) {
    throw new UserError(`${what}: ${values.length} values is not a whole number of rows of ${numClasses} classes`);
  }
  return { flat: Float64Array.from(values), rows: values.length / numClasses };
}

/**
 * Indices of `scores` sorted by decreasing score (order within ties does not matter: ties are grouped below).
 */
function descendingOrder(scores: Float64Array): Uint32Array {
  const order = new Uint32Array(scores.length);
  for (let i = 0; i < order.length; i += 1) order[i] = i;
  order.sort((a, b) => scores[b] - scores[a]);
  return order;
}

/**
 * Cumulative (false positives, true positives) at each distinct score, highest first — sklearn's `_binary_clf_curve`.
 * Tied scores form one threshold, so their order never matters.
 */
function binaryCurve(labels: Uint8Array, scores: Float64Array): { fps: number[]; tps: number[] } {
  const order = descendingOrder(scores);
  const fps: number[] = [];
  const tps: number[] = [];
  let tp = 0;
  for (let k = 0; k < order.length; k += 1) {
    tp += labels[order[k]];
    const isLastOfTie = k === order.length - 1 || scores[order[k + 1]] !== scores[order[k]];
    if (isLastOfTie) {
      tps.push(tp);
      fps.push(k + 1 - tp);
    }
  }
  return { fps, tps };
}

/**
 * sklearn `average_precision_score` for one class: Σₖ (Rₖ − Rₖ₋₁)·Pₖ over distinct thresholds (step-wise, no
 * interpolation). NaN when there is no positive.
 */
export function averagePrecision(labels: Uint8Array, scores: Float64Array): number {
  const { fps, tps } = binaryCurve(labels, scores);
  const totalPositives = tps[tps.length - 1] ?? 0;
  if (totalPositives === 0) return NaN;
  let ap = 0;
  let previousRecall = 0;
  for (let k = 0; k < tps.length; k += 1) {
    const recall = tps[k] / totalPositives;
    const precision = tps[k] / (tps[k] + fps[k]);
    ap += (recall - previousRecall) * precision;
    previousRecall = recall;
  }
  return ap;
}

/**
 * sklearn `roc_auc_score` for one class: trapezoidal area under the ROC curve through the distinct thresholds
 * (a tie between a positive and a negative counts one half). NaN without both a positive and a negative.
 */
export function rocAuc(labels: Uint8Array, scores: Float64Array): number {
  const { fps, tps } = binaryCurve(labels, scores);
  const positives = tps[tps.length - 1] ?? 0;
  const negatives = fps[fps.length - 1] ?? 0;
  if (positives === 0 || negatives === 0) return NaN;
  // Area in count units (exact integers up to 2⁵³), normalised once at the end.
  let twiceArea = 0;
  let previousFp = 0;
  let previousTp = 0;
  for (let k = 0; k < tps.length; k += 1) {
    twiceArea += (fps[k] - previousFp) * (tps[k] + previousTp);
    previousFp = fps[k];
    previousTp = tps[k];
  }
  return twiceArea / (2 * positives * negatives);
}

/** d′ = √2·Φ⁻¹(AUC), the paper's (and AudioSet literature's) summary of the mean AUC. */
export function dPrimeFromAuc(auc: number): number {
  return Math.SQRT2 * normalQuantile(auc);
}

/**
 * All evaluation metrics for a score matrix against binary targets.
 * @param targets 0/1 per clip and class (rows = clips); any other value is a UserError.
 * @param scores probabilities (any real numbers rank the same way); NaN is a UserError.
 * @param classNames optional display names (default: the class index as text).
 */
export function evaluateScores(
  targets: ScoreMatrix,
  scores: ScoreMatrix,
  numClasses: number,
  classNames?: readonly string[],
): EvalMetrics {
  if (!Number.isInteger(numClasses) || numClasses <= 0) throw new UserError(`numClasses must be a positive integer, got ${numClasses}`);
  if (classNames && classNames.length !== numClasses) {
    throw new UserError(`classNames has ${classNames.length} names for ${numClasses} classes`);
  }
  const t = toFlat(targets, numClasses, "targets");
  const s = toFlat(scores, numClasses, "scores");
  if (t.rows !== s.rows) throw new UserError(`targets have ${t.rows} clips but scores have ${s.rows}`);
  const numClips = t.rows;
  if (numClips === 0) throw new UserError("no clips to evaluate");

  const labels = new Uint8Array(numClips);
  const column = new Float64Array(numClips);
  const perClass: ClassMetrics[] = [];
  let apSum = 0;
  let apCount = 0;
  let aucSum = 0;
  let aucCount = 0;
  let positivePairs = 0;
  let recalledPairs = 0;
  for (let c = 0; c < numClasses; c += 1) {
    let positives = 0;
    for (let i = 0; i < numClips; i += 1) {
      const target = t.flat[i * numClasses + c];
      const score = s.flat[i * numClasses + c];
      if (target !== 0 && target !== 1) throw new UserError(`targets: clip ${i}, class ${c} is ${target}; targets must be 0 or 1`);
      if (Number.isNaN(score)) throw new UserError(`scores: clip ${i}, class ${c} is NaN`);
      labels[i] = target;
      column[i] = score;
      positives += target;
      if (target === 1 && score > RECALL_THRESHOLD) recalledPairs += 1;
    }
    positivePairs += positives;
    const ap = positives > 0 ? averagePrecision(labels, column) : NaN;
    const auc = positives > 0 && positives < numClips ? rocAuc(labels, column) : NaN;
    if (!Number.isNaN(ap)) {
      apSum += ap;
      apCount += 1;
    }
    if (!Number.isNaN(auc)) {
      aucSum += auc;
      aucCount += 1;
    }
    perClass.push({
      index: c,
      name: classNames?.[c] ?? String(c),
      ap: Number.isNaN(ap) ? null : ap,
      auc: Number.isNaN(auc) ? null : auc,
      positives,
    });
  }
  const meanAUC = aucCount > 0 ? aucSum / aucCount : NaN;
  return {
    mAP: apCount > 0 ? apSum / apCount : NaN,
    meanAUC,
    dPrime: dPrimeFromAuc(meanAUC),
    recallAt02: positivePairs > 0 ? recalledPairs / positivePairs : NaN,
    numClips,
    numClassesEvaluated: apCount,
    numClassesWithAUC: aucCount,
    perClass,
  };
}
