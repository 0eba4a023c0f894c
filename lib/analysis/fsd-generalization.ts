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
import { mapToAudioSet } from "../data/fsd";
import { evaluateScores, type ScoreMatrix } from "../evaluation/metrics";
import { ratio } from "./threshold-counter";

/** One row of an FSD vocabulary (FSD50K vocabulary.csv is headerless `idx,label,mid`; lib/data FsdClass rows). */
export interface FsdVocabularyEntry {
  index: number;
  label: string;
  mid: string;
}

/** One AudioSet output class (class_labels_indices.csv `index,mid,display_name`; lib/data readClassLabels rows). */
export interface AudioSetClassEntry {
  index: number;
  mid: string;
  displayName: string;
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
 * Maps an FSD vocabulary to AudioSet output indices by mid (the join is lib/data's `mapToAudioSet`); adds the AudioSet
 * display names and, for unmapped classes, the reason. Duplicate FSD labels, indices or mids are input errors (each
 * would silently merge two classes in the evaluation).
 */
export function mapFsdToAudioSet(
  vocabulary: readonly FsdVocabularyEntry[],
  audioSetClasses: readonly AudioSetClassEntry[],
): FsdMapping {
  const seenLabels = new Set<string>();
  const seenIndices = new Set<number>();
  const seenMids = new Set<string>();
  for (const entry of vocabulary) {
    if (seenLabels.has(entry.label)) throw new UserError(`FSD vocabulary: label ${entry.label} appears twice`);
    if (seenIndices.has(entry.index)) throw new UserError(`FSD vocabulary: index ${entry.index} appears twice`);
    if (entry.mid !== "" && seenMids.has(entry.mid)) throw new UserError(`FSD vocabulary: mid ${entry.mid} appears twice (second at ${entry.label})`);
    seenLabels.add(entry.label);
    seenIndices.add(entry.index);
    seenMids.add(entry.mid);
  }
  const names = new Map(audioSetClasses.map((c) => [c.index, c.displayName]));
  const joined = mapToAudioSet(
    vocabulary.map((v) => ({ ...v })),
    audioSetClasses.map((c) => ({ ...c })),
  );
  const mapped = joined.mapped
    .map((m) => ({ fsdIndex: m.index, fsdLabel: m.label, mid: m.mid, audioSetIndex: m.audioSetIndex, audioSetName: names.get(m.audioSetIndex) ?? `#${m.audioSetIndex}` }))
    .sort((a, b) => a.fsdIndex - b.fsdIndex);
  const unmapped = joined.unmapped
    .map((u) => ({
      fsdIndex: u.index,
      fsdLabel: u.label,
      mid: u.mid,
      reason: u.mid === "" ? "no mid" : `mid not among the ${audioSetClasses.length} AudioSet classes`,
    }))
    .sort((a, b) => a.fsdIndex - b.fsdIndex);
  return { vocabularySize: vocabulary.length, mapped, unmapped };
}

/**
 * An FSD eval clip (lib/data's FSD readers return these): its labels as FSD label names, or mids — both are accepted,
 * as FSD50K's eval.csv carries both columns.
 */
export interface FsdEvalClip {
  fname: string;
  labels: readonly string[];
}

/**
 * Multi-hot targets [clips, mapped classes] for the mapped classes. Labels of unmapped classes are dropped; a label
 * that is neither an FSD label nor a mid of the vocabulary is an input error.
 */
export function fsdTargets(mapping: FsdMapping, clips: readonly FsdEvalClip[]): Uint8Array {
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
      if (j === undefined) throw new UserError(`FSD labels: clip ${clip.fname} has label ${label}, which is not in the vocabulary`);
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
 * The clip id a file name stands for: its base name without an audio extension, so that FSD ground truth's `fname`
 * ("37199" in FSD50K's eval.csv, "00044347.wav" in FSDKaggle2018's) meets a manifest's "audio/37199.wav".
 */
export function fsdClipKey(name: string): string {
  const base = name.slice(Math.max(name.lastIndexOf("/"), name.lastIndexOf("\\")) + 1);
  return base.replace(/\.(wav|flac|ogg|oga|opus|mp3|m4a|aac|aif|aiff|webm)$/i, "");
}

/**
 * The model's scores for `clips` (matched by filename — exactly, else by `fsdClipKey` — in the clips' order) restricted
 * to the mapped classes: [clips, mapped] row-major. A clip without scores is an input error (a silently shorter eval
 * set would shift mAP), and so is a key two score rows share.
 */
export function restrictScores(mapping: FsdMapping, model: ModelClipScores, clips: readonly FsdEvalClip[]): Float32Array {
  const C = model.numClasses;
  if (model.scores.length !== model.filenames.length * C) {
    throw new UserError(`scores of ${model.model}: ${model.scores.length} values for ${model.filenames.length} clips × ${C} classes`);
  }
  for (const m of mapping.mapped) {
    if (m.audioSetIndex >= C) throw new UserError(`scores of ${model.model}: ${C} classes, but ${m.fsdLabel} maps to AudioSet index ${m.audioSetIndex}`);
  }
  const exact = new Map<string, number>();
  const byKey = new Map<string, number>(); // -1: ambiguous
  model.filenames.forEach((name, i) => {
    exact.set(name, i);
    const key = fsdClipKey(name);
    byKey.set(key, byKey.has(key) ? -1 : i);
  });
  const K = mapping.mapped.length;
  const out = new Float32Array(clips.length * K);
  clips.forEach((clip, i) => {
    let r = exact.get(clip.fname);
    if (r === undefined) {
      r = byKey.get(fsdClipKey(clip.fname));
      if (r === -1) throw new UserError(`scores of ${model.model}: several score rows match clip ${clip.fname}`);
    }
    if (r === undefined) throw new UserError(`scores of ${model.model}: no scores for clip ${clip.fname}`);
    const base = r * C;
    mapping.mapped.forEach((m, j) => {
      out[i * K + j] = model.scores[base + m.audioSetIndex];
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
  /**
   * Eval clips none of whose labels maps (e.g. FSDKaggle2018's Oboe clips). They stay in the evaluation as negatives for
   * every mapped class unless `dropClipsWithoutMappedLabels` is set; either way the count is reported.
   */
  clipsWithoutMappedLabels: number;
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
  allClips: readonly FsdEvalClip[],
  models: readonly ModelClipScores[],
  options: { dataset?: string; dropClipsWithoutMappedLabels?: boolean } = {},
): FsdEvaluation {
  const dataset = options.dataset ?? "FSD";
  const allTargets = fsdTargets(mapping, allClips);
  const hasMapped = allClips.map((_, i) => allTargets.subarray(i * mapping.mapped.length, (i + 1) * mapping.mapped.length).some((v) => v === 1));
  const clipsWithoutMappedLabels = hasMapped.filter((h) => !h).length;
  const clips = options.dropClipsWithoutMappedLabels ? allClips.filter((_, i) => hasMapped[i]) : allClips;
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
  return { dataset, clips: clips.length, clipsWithoutMappedLabels, mapping, summary, perClass };
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
