/**
 * FSD generalization study: AudioSet-trained models (weak vs PSL students) scored on a Freesound dataset whose
 * vocabulary is a subset of the AudioSet ontology, with no fine-tuning. FSD classes are mapped to AudioSet output
 * indices through their ontology mids; the models' 527-way clip scores are restricted to the mapped classes and
 * evaluated with the kit's standard metrics (sklearn-exact AP/AUC, d′) against the FSD labels.
 *
 * A class whose mid is not among AudioSet's 527 output classes (in the ontology but not trained, e.g. FSD50K's
 * "Human_voice", FSDKaggle2018's "Oboe") cannot be scored and is reported as unmapped; clips keep their other labels.
 */
import { UserError } from "../errors";
import { evaluateScores, type ScoreMatrix } from "../eval/metrics";
import { ratio } from "./threshold-counter";

/** One row of an FSD vocabulary (FSD50K vocabulary.csv is headerless `idx,label,mid`). */
export interface FsdVocabularyEntry {
  index: number;
  label: string;
  mid: string;
}

/** One AudioSet output class (class_labels_indices.csv `index,mid,display_name`). */
export interface AudioSetClassEntry {
  index: number;
  mid: string;
  name: string;
}

export interface MappedFsdClass {
  fsdIndex: number;
  fsdLabel: string;
  mid: string;
  audioSetIndex: number;
  audioSetName: string;
}

export interface UnmappedFsdClass {
  fsdIndex: number;
  fsdLabel: string;
  mid: string;
  reason: string;
}

export interface FsdMapping {
  vocabularySize: number;
  /** In FSD index order. */
  mapped: MappedFsdClass[];
  unmapped: UnmappedFsdClass[];
}

/**
 * Maps an FSD vocabulary to AudioSet output indices by mid. Duplicate FSD labels, indices or mids are input errors
 * (each would silently merge two classes); two FSD classes may not map to one AudioSet class for the same reason.
 */
export function mapFsdToAudioSet(
  vocabulary: readonly FsdVocabularyEntry[],
  audioSetClasses: readonly AudioSetClassEntry[],
): FsdMapping {
  const byMid = new Map<string, AudioSetClassEntry>();
  for (const entry of audioSetClasses) byMid.set(entry.mid, entry);
  const seenLabels = new Set<string>();
  const seenIndices = new Set<number>();
  const seenMids = new Set<string>();
  const mapped: MappedFsdClass[] = [];
  const unmapped: UnmappedFsdClass[] = [];
  for (const entry of [...vocabulary].sort((a, b) => a.index - b.index)) {
    if (seenLabels.has(entry.label)) throw new UserError(`FSD vocabulary: label ${entry.label} appears twice`);
    if (seenIndices.has(entry.index)) throw new UserError(`FSD vocabulary: index ${entry.index} appears twice`);
    seenLabels.add(entry.label);
    seenIndices.add(entry.index);
    const mid = entry.mid.trim();
    if (mid === "") {
      unmapped.push({ fsdIndex: entry.index, fsdLabel: entry.label, mid, reason: "no mid" });
      continue;
    }
    if (seenMids.has(mid)) throw new UserError(`FSD vocabulary: mid ${mid} appears twice (second at ${entry.label})`);
    seenMids.add(mid);
    const target = byMid.get(mid);
    if (!target) {
      unmapped.push({ fsdIndex: entry.index, fsdLabel: entry.label, mid, reason: `mid not among the ${audioSetClasses.length} AudioSet classes` });
      continue;
    }
    mapped.push({ fsdIndex: entry.index, fsdLabel: entry.label, mid, audioSetIndex: target.index, audioSetName: target.name });
  }
  return { vocabularySize: vocabulary.length, mapped, unmapped };
}

/** An FSD eval clip: its labels as FSD label names (or mids; both are accepted, as FSD50K's eval.csv carries both). */
export interface FsdClip {
  filename: string;
  labels: readonly string[];
}

/**
 * Multi-hot targets [clips, mapped classes] for the mapped classes. Labels of unmapped classes are dropped; a label
 * that is neither an FSD label nor a mid of the vocabulary is an input error.
 */
export function fsdTargets(mapping: FsdMapping, clips: readonly FsdClip[]): Uint8Array {
  const column = new Map<string, number | null>();
  mapping.mapped.forEach((m, j) => {
    column.set(m.fsdLabel, j);
    column.set(m.mid, j);
  });
  for (const u of mapping.unmapped) {
    column.set(u.fsdLabel, null);
    if (u.mid) column.set(u.mid, null);
  }
  const K = mapping.mapped.length;
  const targets = new Uint8Array(clips.length * K);
  clips.forEach((clip, i) => {
    for (const label of clip.labels) {
      const j = column.get(label);
      if (j === undefined) throw new UserError(`FSD labels: clip ${clip.filename} has label ${label}, which is not in the vocabulary`);
      if (j !== null) targets[i * K + j] = 1;
    }
  });
  return targets;
}

/** AudioSet-label-space clip scores of one model: row-major [filenames.length, numClasses]. */
export interface ModelClipScores {
  model: string;
  filenames: readonly string[];
  numClasses: number;
  scores: Float32Array | Float64Array | ArrayLike<number>;
}

/**
 * The model's scores for `clips` (matched by filename, in the clips' order) restricted to the mapped classes:
 * [clips, mapped] row-major. A clip without scores is an input error (a silently shorter eval set would shift mAP).
 */
export function restrictScores(mapping: FsdMapping, model: ModelClipScores, clips: readonly FsdClip[]): Float32Array {
  const C = model.numClasses;
  if (model.scores.length !== model.filenames.length * C) {
    throw new UserError(`scores of ${model.model}: ${model.scores.length} values for ${model.filenames.length} clips × ${C} classes`);
  }
  for (const m of mapping.mapped) {
    if (m.audioSetIndex >= C) throw new UserError(`scores of ${model.model}: ${C} classes, but ${m.fsdLabel} maps to AudioSet index ${m.audioSetIndex}`);
  }
  const row = new Map<string, number>();
  model.filenames.forEach((name, i) => row.set(name, i));
  const K = mapping.mapped.length;
  const out = new Float32Array(clips.length * K);
  clips.forEach((clip, i) => {
    const r = row.get(clip.filename);
    if (r === undefined) throw new UserError(`scores of ${model.model}: no scores for clip ${clip.filename}`);
    mapping.mapped.forEach((m, j) => {
      out[i * K + j] = model.scores[r * C + m.audioSetIndex];
    });
  });
  return out;
}

export interface FsdSummaryRow {
  dataset: string;
  model: string;
  mAP: number;
  meanAUC: number;
  dPrime: number;
  recallAt02: number;
  clips: number;
  /** Vocabulary classes mapped to AudioSet outputs. */
  classesMapped: number;
  /** Mapped classes with ≥ 1 positive clip (the mAP average). */
  classesEvaluated: number;
}

export interface FsdClassRow {
  dataset: string;
  model: string;
  fsdIndex: number;
  fsdLabel: string;
  audioSetIndex: number;
  audioSetName: string;
  positives: number;
  /** null when the class has no positive clip in this eval set. */
  ap: number | null;
  auc: number | null;
}

export interface FsdEvaluation {
  dataset: string;
  clips: number;
  mapping: FsdMapping;
  /** One row per model, in the order given. */
  summary: FsdSummaryRow[];
  /** Tidy: one row per (model, mapped class). */
  perClass: FsdClassRow[];
}

/**
 * Evaluates several models side by side on one FSD eval set, restricted to the mapped classes.
 * `dataset` labels the rows (e.g. "FSD50K eval").
 */
export function evaluateOnFsd(
  mapping: FsdMapping,
  clips: readonly FsdClip[],
  models: readonly ModelClipScores[],
  options: { dataset?: string } = {},
): FsdEvaluation {
  const dataset = options.dataset ?? "FSD";
  if (mapping.mapped.length === 0) throw new UserError(`${dataset}: no FSD class maps to an AudioSet class`);
  if (clips.length === 0) throw new UserError(`${dataset}: no eval clips`);
  const names = new Set<string>();
  for (const m of models) {
    if (names.has(m.model)) throw new UserError(`${dataset}: model name ${m.model} given twice`);
    names.add(m.model);
  }
  const K = mapping.mapped.length;
  const targets = fsdTargets(mapping, clips);
  const fsdNames = mapping.mapped.map((m) => m.fsdLabel);
  const summary: FsdSummaryRow[] = [];
  const perClass: FsdClassRow[] = [];
  for (const model of models) {
    const metrics = evaluateScores(targets as ScoreMatrix, restrictScores(mapping, model, clips), K, fsdNames);
    summary.push({
      dataset,
      model: model.model,
      mAP: metrics.mAP,
      meanAUC: metrics.meanAUC,
      dPrime: metrics.dPrime,
      recallAt02: metrics.recallAt02,
      clips: metrics.numClips,
      classesMapped: K,
      classesEvaluated: metrics.numClassesEvaluated,
    });
    metrics.perClass.forEach((c, j) => {
      const m = mapping.mapped[j];
      perClass.push({
        dataset,
        model: model.model,
        fsdIndex: m.fsdIndex,
        fsdLabel: m.fsdLabel,
        audioSetIndex: m.audioSetIndex,
        audioSetName: m.audioSetName,
        positives: c.positives,
        ap: c.ap === null || Number.isNaN(c.ap) ? null : c.ap,
        auc: c.auc === null || Number.isNaN(c.auc) ? null : c.auc,
      });
    });
  }
  return { dataset, clips: clips.length, mapping, summary, perClass };
}

/** A type alias, not an interface, so that it is assignable to report.recordSummary's JSON value type. */
export type MetricTriple = {
  mAP: number | null;
  meanAUC: number | null;
  dPrime: number | null;
};

/** The `fsd` entry of reports/summary.json: `{"weak": {mAP, meanAUC, dPrime}, "psl-2s": {...}}` (non-finite → null). */
export function fsdComparison(summary: readonly FsdSummaryRow[]): Record<string, MetricTriple> {
  const finite = (x: number) => (Number.isFinite(x) ? x : null);
  const out: Record<string, MetricTriple> = {};
  for (const row of summary) out[row.model] = { mAP: finite(row.mAP), meanAUC: finite(row.meanAUC), dPrime: finite(row.dPrime) };
  return out;
}

export interface FsdClassDelta {
  fsdLabel: string;
  audioSetName: string;
  positives: number;
  apBaseline: number;
  apCompared: number;
  /** apCompared − apBaseline. */
  delta: number;
}

/**
 * Per-class AP change from `baseline` to `compared` (e.g. weak → psl-2s) on classes both evaluate, largest gain first.
 * Also returns how many classes improved / got worse, a robustness check on a single mAP difference.
 */
export function fsdClassDeltas(
  perClass: readonly FsdClassRow[],
  baseline: string,
  compared: string,
): { rows: FsdClassDelta[]; improved: number; worse: number; meanDelta: number } {
  const base = new Map<number, FsdClassRow>();
  for (const r of perClass) if (r.model === baseline) base.set(r.fsdIndex, r);
  if (base.size === 0) throw new UserError(`fsdClassDeltas: no rows for model ${baseline}`);
  const rows: FsdClassDelta[] = [];
  let any = false;
  for (const r of perClass) {
    if (r.model !== compared) continue;
    any = true;
    const b = base.get(r.fsdIndex);
    if (!b || b.ap === null || r.ap === null) continue;
    rows.push({ fsdLabel: r.fsdLabel, audioSetName: r.audioSetName, positives: r.positives, apBaseline: b.ap, apCompared: r.ap, delta: r.ap - b.ap });
  }
  if (!any) throw new UserError(`fsdClassDeltas: no rows for model ${compared}`);
  rows.sort((a, b) => b.delta - a.delta || (a.fsdLabel < b.fsdLabel ? -1 : 1));
  return {
    rows,
    improved: rows.filter((r) => r.delta > 0).length,
    worse: rows.filter((r) => r.delta < 0).length,
    meanDelta: ratio(rows.reduce((s, r) => s + r.delta, 0), rows.length),
  };
}
