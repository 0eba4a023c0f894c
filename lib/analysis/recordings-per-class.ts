/**
 * Is a class's eval AP limited by how many distinct recordings of it the model was trained on (issue 13)?
 *
 * The demo's eval split is mixed from held-out recordings, so a class heard through one training recording can only be
 * memorised, not generalised. These functions put each class's eval AP / AUC beside its number of training source
 * recordings and average them by bins of that number (1, 2–3, 4–7, 8–15, ≥ 16 by default).
 *
 * addedLabelsByClassCount splits the teacher's added-label precision the same way (notebook 05 shows it).
 *
 * The source list is taken as plain rows ({sourceId, classIndex, role}), so this layer does not depend on lib/demo:
 * `trainingRecordingsPerClass(demo.readSourceList())` is the demo corpus' count.
 */
import { UserError } from "../errors";
import type { ClassMetrics } from "../evaluation/metrics";
import { ratio } from "./threshold-counter";
import type { ClassRecovery } from "./missing-label-truth";

/** One source recording of a corpus' source list (a `demo.DemoSource` fits). */
export interface SourceRecording {
  sourceId: string;
  classIndex: number;
  /** Split family the recording feeds; only "train" counts as a training recording. */
  role: string;
}

/**
 * The recording a source row comes from: several cuts of one recording session are listed as `family#cut`
 * (the demo's source list), and count as one recording.
 */
export function recordingOf(sourceId: string): string {
  return sourceId.split("#")[0];
}

/**
 * Distinct training source recordings (role "train") per class index; the cuts `family#cut` of one recording count
 * once. Every row counts, whatever its usage: a music bed is a recording of its class too. Classes absent from the list
 * are absent from the map; read them with `?? 0`.
 */
export function trainingRecordingsPerClass(sources: Iterable<SourceRecording>): Map<number, number> {
  const ids = new Map<number, Set<string>>();
  for (const source of sources) {
    if (source.role !== "train") continue;
    const set = ids.get(source.classIndex) ?? new Set<string>();
    set.add(recordingOf(source.sourceId));
    ids.set(source.classIndex, set);
  }
  return new Map([...ids].map(([classIndex, set]) => [classIndex, set.size]));
}

/** Per-class metrics as evaluateCheckpoint gives them (or a shipped eval.json's perClass, which lacks `positives`). */
export type ClassScore = Pick<ClassMetrics, "index" | "name" | "ap" | "auc">;

export interface RecordingsClassRow {
  class: string;
  classIndex: number;
  trainingRecordings: number;
  ap: number;
  /** null when the class has no negative eval clip. */
  auc: number | null;
  /** The bin's label (e.g. "2–3"). */
  bin: string;
}

export interface RecordingsGroupRow {
  /** Bin label: "1", "2–3", "≥16"; classes below the first edge (e.g. none) form a leading "<1" bin when there are any. */
  trainingRecordings: string;
  classes: number;
  /** Mean AP of the bin's classes (= the group's mAP). */
  mAP: number;
  /** Mean AUC over the bin's classes that have one (NaN when none). */
  meanAUC: number;
}

export interface RecordingsSplit {
  /** Classes with fewer than `below` training recordings vs the rest. */
  below: number;
  fewer: { classes: number; mAP: number; meanAUC: number };
  atLeast: { classes: number; mAP: number; meanAUC: number };
}

export interface ApByTrainingRecordings {
  /** Classes with an AP (≥ 1 positive eval clip), fewest training recordings first. */
  perClass: RecordingsClassRow[];
  /** One row per bin, in edge order; bins without classes are kept (classes 0, NaN means). */
  bins: RecordingsGroupRow[];
  split: RecordingsSplit;
}

/** Lower edges of the default bins: 1, 2–3, 4–7, 8–15, ≥ 16 training recordings. */
export const DEFAULT_RECORDING_BIN_EDGES: readonly number[] = [1, 2, 4, 8, 16];

function checkEdges(edges: readonly number[]): void {
  if (edges.length === 0) throw new UserError("apByTrainingRecordings: bin edges must not be empty");
  edges.forEach((edge, i) => {
    if (!Number.isInteger(edge) || edge < 0) throw new UserError(`apByTrainingRecordings: bin edge ${edge} is not a non-negative integer`);
    if (i > 0 && edge <= edges[i - 1]) throw new UserError(`apByTrainingRecordings: bin edges must increase (${edges.join(", ")})`);
  });
}

/** Label of the bin [edges[i], edges[i + 1]) of integer counts: "1", "2–3", "≥16". */
function binLabel(edges: readonly number[], i: number): string {
  if (i === edges.length - 1) return `≥${edges[i]}`;
  const last = edges[i + 1] - 1;
  return last === edges[i] ? `${last}` : `${edges[i]}–${last}`;
}

function summary(rows: readonly RecordingsClassRow[]): { classes: number; mAP: number; meanAUC: number } {
  const aucs = rows.flatMap((r) => (r.auc === null ? [] : [r.auc]));
  return {
    classes: rows.length,
    mAP: ratio(rows.reduce((sum, r) => sum + r.ap, 0), rows.length),
    meanAUC: ratio(aucs.reduce((sum, a) => sum + a, 0), aucs.length),
  };
}

/**
 * Each class's eval AP and AUC beside its training recordings, the bins' mAP and mean AUC, and the split at `below`
 * (default 4) training recordings. Classes without an AP (no positive eval clip) are left out, as mAP leaves them out;
 * a class missing from `recordings` has 0 training recordings.
 */
export function apByTrainingRecordings(
  perClass: readonly ClassScore[],
  recordings: ReadonlyMap<number, number>,
  options: { edges?: readonly number[]; below?: number } = {},
): ApByTrainingRecordings {
  const edges = options.edges ?? DEFAULT_RECORDING_BIN_EDGES;
  checkEdges(edges);
  const below = options.below ?? 4;
  const binOf = (count: number): number => {
    let bin = -1;
    edges.forEach((edge, i) => {
      if (count >= edge) bin = i;
    });
    return bin;
  };
  const label = (bin: number) => (bin < 0 ? `<${edges[0]}` : binLabel(edges, bin));
  const rows: RecordingsClassRow[] = perClass
    .filter((c): c is ClassScore & { ap: number } => c.ap !== null && Number.isFinite(c.ap))
    .map((c) => {
      const trainingRecordings = recordings.get(c.index) ?? 0;
      return { class: c.name, classIndex: c.index, trainingRecordings, ap: c.ap, auc: c.auc, bin: label(binOf(trainingRecordings)) };
    })
    .sort((a, b) => a.trainingRecordings - b.trainingRecordings || a.classIndex - b.classIndex);
  const binIndices = rows.some((r) => binOf(r.trainingRecordings) < 0) ? [-1, ...edges.keys()] : [...edges.keys()];
  const bins = binIndices.map((bin) => ({
    trainingRecordings: label(bin),
    ...summary(rows.filter((r) => binOf(r.trainingRecordings) === bin)),
  }));
  const split = {
    below,
    fewer: summary(rows.filter((r) => r.trainingRecordings < below)),
    atLeast: summary(rows.filter((r) => r.trainingRecordings >= below)),
  };
  return { perClass: rows, bins, split };
}

/** Added labels of a group of classes, pooled (the headline's precision pools the same way over all classes). */
export interface AddedLabelGroup {
  classes: number;
  added: number;
  correct: number;
  trulyMissing: number;
  /** correct / added; NaN when the group's classes add nothing. */
  addedPrecision: number;
  /** correct / trulyMissing; NaN when none of the group's labels was dropped. */
  addedRecall: number;
}

export interface AddedLabelsByCount {
  below: number;
  fewer: AddedLabelGroup;
  atLeast: AddedLabelGroup;
}

/**
 * Which classes hold the teacher's added-label precision down? The per-class recovery rows (perClassRecovery at one
 * threshold) pooled into the classes whose count is below `below` and the rest — the count being what the caller asks
 * about: the class's training recordings (trainingRecordingsPerClass; `below` 4 by default), or its labels in the
 * teacher's training split (labelsPerClass). Pooled, not averaged per class: the two groups' counts add up to the
 * headline's (missingLabelsHeadline), so the headline precision lies between the groups'. A class missing from
 * `counts` has 0.
 */
export function addedLabelsByClassCount(
  recovery: readonly Pick<ClassRecovery, "classIndex" | "added" | "correct" | "trulyMissing">[],
  counts: ReadonlyMap<number, number>,
  options: { below?: number } = {},
): AddedLabelsByCount {
  const below = options.below ?? 4;
  if (!Number.isInteger(below) || below < 1) throw new UserError(`addedLabelsByClassCount: below must be a positive integer, got ${below}`);
  const pool = (rows: typeof recovery): AddedLabelGroup => {
    const added = rows.reduce((sum, r) => sum + r.added, 0);
    const correct = rows.reduce((sum, r) => sum + r.correct, 0);
    const trulyMissing = rows.reduce((sum, r) => sum + r.trulyMissing, 0);
    return { classes: rows.length, added, correct, trulyMissing, addedPrecision: ratio(correct, added), addedRecall: ratio(correct, trulyMissing) };
  };
  const count = (r: (typeof recovery)[number]) => counts.get(r.classIndex) ?? 0;
  return { below, fewer: pool(recovery.filter((r) => count(r) < below)), atLeast: pool(recovery.filter((r) => count(r) >= below)) };
}

/**
 * How often each class is labelled in manifest rows (e.g. the true labels of the teacher's training split): a class's
 * frequency there is the prior a teacher learns for it. Classes never labelled are absent; read them with `?? 0`.
 */
export function labelsPerClass(rows: Iterable<{ labels: readonly number[] }>): Map<number, number> {
  const counts = new Map<number, number>();
  for (const row of rows) for (const label of new Set(row.labels)) counts.set(label, (counts.get(label) ?? 0) + 1);
  return counts;
}
