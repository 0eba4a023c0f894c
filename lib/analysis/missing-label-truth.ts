/**
 * Missing labels measured against ground truth — what the paper could only estimate on AudioSet.
 *
 * Definitions (clip level), for every clip of the chunk table, with W = weak labels, T = true labels and
 * S(t) = classes some chunk scores ≥ t:
 *   truly missing   = T \ W                     (labels the weak annotation dropped)
 *   added(t)        = S(t) \ W                  (labels the teacher adds)
 *   correct(t)      = added(t) ∩ T              (an added label is correct iff the class is among the clip's TRUE labels)
 *   addedPrecision  = |correct| / |added|       (NaN when nothing is added)
 *   addedRecall     = |correct| / |truly missing| (the share of dropped labels the teacher recovers; NaN when none dropped)
 * Counts are summed over clips (micro average). Weak labels that are not true (W \ T, label noise) are tracked
 * separately: an unconfirmed weak label is "rightly unconfirmed" when it is not in T.
 */
import { UserError } from "../errors";
import { clipMaxScores, labelSetsFor } from "./chunk-scores";
import { DEFAULT_THRESHOLDS, normalizeThresholds, ratio, ThresholdCounter } from "./threshold-counter";
import { className, type ChunkScores, type ChunkSizeTable, type ClassNames, type LabelledClip, type StrongEvent } from "./types";

export interface AddedLabelPoint {
  threshold: number;
  clips: number;
  /** |T \ W| summed over clips. */
  trulyMissing: number;
  added: number;
  correct: number;
  addedPrecision: number;
  addedRecall: number;
  addedF1: number;
  /** Recall of the weak labels alone, |W ∩ T| / |T|. */
  weakRecall: number;
  /** Recall of weak ∪ added, |(W ∪ added) ∩ T| / |T|: how complete the label set becomes with the teacher's help. */
  augmentedRecall: number;
  /** Precision of weak ∪ added against T. */
  augmentedPrecision: number;
  /** |W \ T|: weak labels that are wrong. */
  falseWeak: number;
  /** Weak labels no chunk confirms at t. */
  unconfirmed: number;
  /** Unconfirmed weak labels that are indeed not true. */
  rightlyUnconfirmed: number;
}

export interface CurveOptions {
  thresholds?: Iterable<number>;
}

/**
 * Precision/recall of the teacher's added labels against the truth, one row per threshold (ascending).
 * Monotone by construction as the threshold rises: added, correct, addedRecall, augmentedRecall never increase and
 * unconfirmed never decreases; precision need not be monotone.
 */
export function addedLabelCurve(
  chunks: ChunkScores,
  weak: Iterable<LabelledClip>,
  truth: Iterable<LabelledClip>,
  options: CurveOptions = {},
): AddedLabelPoint[] {
  const thresholds = normalizeThresholds(options.thresholds ?? DEFAULT_THRESHOLDS);
  const clipMax = clipMaxScores(chunks);
  const C = chunks.numClasses;
  const weakSets = labelSetsFor(clipMax.filenames, weak, C, "weak labels");
  const truthSets = labelSetsFor(clipMax.filenames, truth, C, "true labels");
  // Four disjoint groups of (clip, class) pairs by membership in W and T; each counts its maxima ≥ t.
  const missing = new ThresholdCounter(thresholds); // ∉W, ∈T
  const negative = new ThresholdCounter(thresholds); // ∉W, ∉T
  const weakTrue = new ThresholdCounter(thresholds); // ∈W, ∈T
  const weakFalse = new ThresholdCounter(thresholds); // ∈W, ∉T
  clipMax.filenames.forEach((_, clip) => {
    const w = weakSets[clip];
    const t = truthSets[clip];
    for (let c = 0; c < C; c++) {
      const p = clipMax.maxProbs[clip * C + c];
      if (w.has(c)) (t.has(c) ? weakTrue : weakFalse).add(p);
      else (t.has(c) ? missing : negative).add(p);
    }
  });
  const correctAt = missing.atOrAbove();
  const falseAddedAt = negative.atOrAbove();
  const weakTrueAt = weakTrue.atOrAbove();
  const weakFalseAt = weakFalse.atOrAbove();
  const trueTotal = missing.total + weakTrue.total;
  const weakTotal = weakTrue.total + weakFalse.total;
  return thresholds.map((threshold, i): AddedLabelPoint => {
    const correct = correctAt[i];
    const added = correct + falseAddedAt[i];
    const addedPrecision = ratio(correct, added);
    const addedRecall = ratio(correct, missing.total);
    return {
      threshold,
      clips: clipMax.filenames.length,
      trulyMissing: missing.total,
      added,
      correct,
      addedPrecision,
      addedRecall,
      addedF1: f1(addedPrecision, addedRecall),
      weakRecall: ratio(weakTrue.total, trueTotal),
      augmentedRecall: ratio(weakTrue.total + correct, trueTotal),
      augmentedPrecision: ratio(weakTrue.total + correct, weakTotal + added),
      falseWeak: weakFalse.total,
      unconfirmed: weakTotal - weakTrueAt[i] - weakFalseAt[i],
      rightlyUnconfirmed: weakFalse.total - weakFalseAt[i],
    };
  });
}

function f1(precision: number, recall: number): number {
  if (Number.isNaN(precision) || Number.isNaN(recall)) return NaN;
  return precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
}

/** `addedLabelCurve` for several PSL tables (one per chunk size), as one tidy table with a chunkSeconds column. */
export function addedLabelCurves(
  tables: readonly ChunkSizeTable[],
  weak: Iterable<LabelledClip>,
  truth: Iterable<LabelledClip>,
  options: CurveOptions = {},
): (AddedLabelPoint & { chunkSeconds: number })[] {
  const weakList = [...weak];
  const truthList = [...truth];
  return tables.flatMap(({ chunkSeconds, chunks }) =>
    addedLabelCurve(chunks, weakList, truthList, options).map((row) => ({ chunkSeconds, ...row })),
  );
}

export interface ChunkLevelPoint {
  threshold: number;
  chunks: number;
  /** Σ over chunks of |chunk truth|: (chunk, class) pairs with an event of the class overlapping the chunk. */
  truePairs: number;
  /** Teacher chunk labels (score ≥ t) against the chunk truth. */
  teacherPrecision: number;
  teacherRecall: number;
  teacherF1: number;
  /** Chunk labels of classes NOT among the clip's weak labels, against the chunk truth. */
  added: number;
  correct: number;
  addedPrecision: number;
  /** correct / |chunk truth \ W| summed over chunks. */
  addedRecall: number;
  /**
   * The weak baseline: every chunk inherits the clip's weak labels (what the student sees without PSL).
   * Threshold-independent (repeated on every row, for a reference line).
   */
  inheritedPrecision: number;
  inheritedRecall: number;
}

export interface ChunkLevelOptions extends CurveOptions {
  /**
   * An event marks a chunk when it overlaps it by MORE than this many seconds (default 0: any positive overlap).
   * Events that merely touch a chunk boundary never count.
   */
  minOverlapSeconds?: number;
}

/**
 * Chunk truth per row of the chunk table: classes with an event overlapping [from, to).
 * Returned as one Set per row. Events of clips absent from the table are ignored; bad events throw.
 */
export function chunkTruth(chunks: ChunkScores, strong: Iterable<StrongEvent>, minOverlapSeconds = 0): Set<number>[] {
  const byClip = new Map<string, StrongEvent[]>();
  for (const event of strong) {
    if (!(event.offset > event.onset) || !(event.onset >= 0)) {
      throw new UserError(`strong labels: event of ${event.filename} has onset ${event.onset}, offset ${event.offset}`);
    }
    if (!Number.isInteger(event.label) || event.label < 0 || event.label >= chunks.numClasses) {
      throw new UserError(`strong labels: event of ${event.filename} has label ${event.label}, outside 0..${chunks.numClasses - 1}`);
    }
    const list = byClip.get(event.filename);
    if (list) list.push(event);
    else byClip.set(event.filename, [event]);
  }
  return chunks.filenames.map((name, row) => {
    const set = new Set<number>();
    const from = chunks.from[row];
    const to = chunks.to[row];
    for (const event of byClip.get(name) ?? []) {
      const overlap = Math.min(to, event.offset) - Math.max(from, event.onset);
      if (overlap > minOverlapSeconds) set.add(event.label);
    }
    return set;
  });
}

/**
 * Chunk-level quality of the teacher's labels, using strong labels as chunk truth (a chunk label is true when an event
 * of the class overlaps the chunk). Also reports the weak-inheritance baseline the PSL student replaces.
 */
export function chunkLevelCurve(
  chunks: ChunkScores,
  weak: Iterable<LabelledClip>,
  strong: Iterable<StrongEvent>,
  options: ChunkLevelOptions = {},
): ChunkLevelPoint[] {
  const thresholds = normalizeThresholds(options.thresholds ?? DEFAULT_THRESHOLDS);
  const C = chunks.numClasses;
  const truthPerRow = chunkTruth(chunks, strong, options.minOverlapSeconds ?? 0);
  const weakByClip = new Map<string, Set<number>>();
  const clipNames = [...new Set(chunks.filenames)];
  labelSetsFor(clipNames, weak, C, "weak labels").forEach((set, i) => weakByClip.set(clipNames[i], set));
  const missing = new ThresholdCounter(thresholds); // ∉W, ∈chunk truth
  const negative = new ThresholdCounter(thresholds); // ∉W, ∉chunk truth
  const weakTrue = new ThresholdCounter(thresholds); // ∈W, ∈chunk truth
  const weakFalse = new ThresholdCounter(thresholds); // ∈W, ∉chunk truth
  for (let row = 0; row < chunks.filenames.length; row++) {
    const w = weakByClip.get(chunks.filenames[row])!;
    const t = truthPerRow[row];
    for (let c = 0; c < C; c++) {
      const p = chunks.probs[row * C + c];
      if (w.has(c)) (t.has(c) ? weakTrue : weakFalse).add(p);
      else (t.has(c) ? missing : negative).add(p);
    }
  }
  const correctAt = missing.atOrAbove();
  const falseAddedAt = negative.atOrAbove();
  const weakTrueAt = weakTrue.atOrAbove();
  const weakFalseAt = weakFalse.atOrAbove();
  const truePairs = missing.total + weakTrue.total;
  const inheritedPrecision = ratio(weakTrue.total, weakTrue.total + weakFalse.total);
  const inheritedRecall = ratio(weakTrue.total, truePairs);
  return thresholds.map((threshold, i): ChunkLevelPoint => {
    const correct = correctAt[i];
    const added = correct + falseAddedAt[i];
    const teacherTrue = correct + weakTrueAt[i];
    const teacherAll = added + weakTrueAt[i] + weakFalseAt[i];
    const teacherPrecision = ratio(teacherTrue, teacherAll);
    const teacherRecall = ratio(teacherTrue, truePairs);
    return {
      threshold,
      chunks: chunks.filenames.length,
      truePairs,
      teacherPrecision,
      teacherRecall,
      teacherF1: f1(teacherPrecision, teacherRecall),
      added,
      correct,
      addedPrecision: ratio(correct, added),
      addedRecall: ratio(correct, missing.total),
      inheritedPrecision,
      inheritedRecall,
    };
  });
}

/** `chunkLevelCurve` for several chunk sizes as one tidy table. */
export function chunkLevelCurves(
  tables: readonly ChunkSizeTable[],
  weak: Iterable<LabelledClip>,
  strong: Iterable<StrongEvent>,
  options: ChunkLevelOptions = {},
): (ChunkLevelPoint & { chunkSeconds: number })[] {
  const weakList = [...weak];
  const strongList = [...strong];
  return tables.flatMap(({ chunkSeconds, chunks }) =>
    chunkLevelCurve(chunks, weakList, strongList, options).map((row) => ({ chunkSeconds, ...row })),
  );
}

export interface ClassMissingTruth {
  classIndex: number;
  name: string;
  /** Clips whose true labels contain the class. */
  trueCount: number;
  /** Clips where the class is true but not a weak label. */
  missingCount: number;
  /** missingCount / trueCount (NaN when the class never occurs). */
  missingRate: number;
}

/**
 * Per class, how often the weak labels drop it (over the clips present in BOTH lists; clips only in one are ignored).
 * One row per class, in class order.
 */
export function missingRateFromTruth(
  weak: Iterable<LabelledClip>,
  truth: Iterable<LabelledClip>,
  numClasses: number,
  classNames?: ClassNames,
): ClassMissingTruth[] {
  const weakByName = new Map<string, Set<number>>();
  for (const clip of weak) weakByName.set(clip.filename, new Set(clip.labels));
  const trueCount = new Int32Array(numClasses);
  const missingCount = new Int32Array(numClasses);
  for (const clip of truth) {
    const w = weakByName.get(clip.filename);
    if (!w) continue;
    for (const c of new Set(clip.labels)) {
      if (!Number.isInteger(c) || c < 0 || c >= numClasses) {
        throw new UserError(`true labels: clip ${clip.filename} has label ${c}, outside 0..${numClasses - 1}`);
      }
      trueCount[c]++;
      if (!w.has(c)) missingCount[c]++;
    }
  }
  return Array.from({ length: numClasses }, (_, c) => ({
    classIndex: c,
    name: className(classNames, c),
    trueCount: trueCount[c],
    missingCount: missingCount[c],
    missingRate: ratio(missingCount[c], trueCount[c]),
  }));
}

export interface ClassRecovery {
  classIndex: number;
  name: string;
  trulyMissing: number;
  added: number;
  correct: number;
  addedPrecision: number;
  addedRecall: number;
}

/**
 * Per class at one threshold: how many of its dropped labels the teacher recovers and how many of its additions are
 * right. Rows for classes with anything missing or added, sorted by trulyMissing desc, then added desc, then index.
 */
export function perClassRecovery(
  chunks: ChunkScores,
  weak: Iterable<LabelledClip>,
  truth: Iterable<LabelledClip>,
  options: { threshold: number; classNames?: ClassNames },
): ClassRecovery[] {
  const { threshold } = options;
  if (!(threshold >= 0 && threshold <= 1)) throw new UserError(`threshold must be in [0, 1], got ${threshold}`);
  const clipMax = clipMaxScores(chunks);
  const C = chunks.numClasses;
  const weakSets = labelSetsFor(clipMax.filenames, weak, C, "weak labels");
  const truthSets = labelSetsFor(clipMax.filenames, truth, C, "true labels");
  const trulyMissing = new Int32Array(C);
  const added = new Int32Array(C);
  const correct = new Int32Array(C);
  clipMax.filenames.forEach((_, clip) => {
    for (let c = 0; c < C; c++) {
      if (weakSets[clip].has(c)) continue;
      const isTrue = truthSets[clip].has(c);
      if (isTrue) trulyMissing[c]++;
      if (clipMax.maxProbs[clip * C + c] >= threshold) {
        added[c]++;
        if (isTrue) correct[c]++;
      }
    }
  });
  const rows: ClassRecovery[] = [];
  for (let c = 0; c < C; c++) {
    if (trulyMissing[c] === 0 && added[c] === 0) continue;
    rows.push({
      classIndex: c,
      name: className(options.classNames, c),
      trulyMissing: trulyMissing[c],
      added: added[c],
      correct: correct[c],
      addedPrecision: ratio(correct[c], added[c]),
      addedRecall: ratio(correct[c], trulyMissing[c]),
    });
  }
  rows.sort((a, b) => b.trulyMissing - a.trulyMissing || b.added - a.added || a.classIndex - b.classIndex);
  return rows;
}

/** A type alias, not an interface, so that it is assignable to report.recordSummary's JSON value type. */
export type MissingLabelsHeadline = {
  threshold: number;
  chunkSeconds: number;
  /** null when undefined (nothing added / nothing missing), since JSON has no NaN. */
  addedPrecision: number | null;
  addedRecall: number | null;
};

/** The `missingLabels` entry of reports/summary.json: added-label precision/recall at one threshold and chunk size. */
export function missingLabelsHeadline(
  chunks: ChunkScores,
  weak: Iterable<LabelledClip>,
  truth: Iterable<LabelledClip>,
  options: { threshold: number; chunkSeconds: number },
): MissingLabelsHeadline {
  const [point] = addedLabelCurve(chunks, weak, truth, { thresholds: [options.threshold] });
  const finite = (x: number) => (Number.isFinite(x) ? x : null);
  return {
    threshold: options.threshold,
    chunkSeconds: options.chunkSeconds,
    addedPrecision: finite(point.addedPrecision),
    addedRecall: finite(point.addedRecall),
  };
}
