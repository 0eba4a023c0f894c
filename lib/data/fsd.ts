/**
 * Freesound datasets whose vocabularies are subsets of the AudioSet ontology, for the paper's generalisation study:
 * FSD50K (vocabulary.csv: headerless idx,label,mid; ground truth dev.csv/eval.csv: fname,labels,mids[,split]),
 * FSDKaggle2018 (train/test_post_competition.csv, single label, + a label → mid table) and FSDKaggle2019
 * (train_curated/train_noisy.csv, comma-joined labels, + a label → mid table). `mapToAudioSet` links a vocabulary
 * to AudioSet's 527 training classes through the mids and lists what does not map.
 */
import { UserError } from "../errors";
import { asClassIndex, type AudioSetClass, type ClassIndex } from "./classes";
import { field, headerColumns, parseCsv } from "./csv";
import { readTextFile } from "../io/text-file";

/** One class of a Freesound vocabulary. */
export interface FsdClass {
  index: number;
  /** Freesound label, e.g. "Acoustic_guitar". */
  label: string;
  /** AudioSet ontology mid, e.g. "/m/042v_gx". */
  mid: string;
}

/** FSD50K vocabulary.csv (headerless `idx,label,mid`). */
export function readFsd50kVocabulary(path: string): FsdClass[] {
  const records = parseCsv(readTextFile(path), path);
  const vocabulary = records.map((record) => {
    if (record.fields.length < 3) throw new UserError(`${path}:${record.line}: expected idx,label,mid`);
    const [indexText, label, mid] = record.fields;
    const index = Number(indexText);
    if (!Number.isInteger(index) || index < 0) {
      throw new UserError(`${path}:${record.line}: bad index "${indexText}" (vocabulary.csv has no header line)`);
    }
    if (!mid.startsWith("/")) throw new UserError(`${path}:${record.line}: bad mid "${mid}"`);
    return { index, label, mid };
  });
  return checkVocabulary(vocabulary, path);
}

function checkVocabulary(vocabulary: FsdClass[], path: string): FsdClass[] {
  vocabulary.sort((a, b) => a.index - b.index);
  vocabulary.forEach((c, position) => {
    if (c.index !== position) throw new UserError(`${path}: vocabulary indices must be 0 … ${vocabulary.length - 1}; ${position} is missing or repeated`);
  });
  return vocabulary;
}

/** A `labels_to_audioset_mid.csv` table (index,label,mid[,display_name_in_ontology]) as shipped in data-manifests/. */
export function readLabelMidTable(path: string): FsdClass[] {
  const records = parseCsv(readTextFile(path), path);
  const columns = headerColumns(records[0], path, ["label", "mid"]);
  const hasIndex = columns.has("index");
  return checkVocabulary(
    records.slice(1).map((record, position) => ({
      index: hasIndex ? Number(field(record, columns, "index", path)) : position,
      label: field(record, columns, "label", path),
      mid: field(record, columns, "mid", path),
    })),
    path,
  );
}

export interface FsdClip {
  fname: string;
  /** Freesound labels of the clip. */
  labels: string[];
  /** Vocabulary indices of `labels` (same order). */
  labelIndices: number[];
  /** FSD50K's split column ("train"/"val") when present; FSDKaggle2018 test: usage ("Public"/"Private"). */
  split?: string;
  /** FSDKaggle2018 train: manually verified label. */
  manuallyVerified?: boolean;
  line: number;
}

function labelLookup(vocabulary: FsdClass[]): Map<string, number> {
  return new Map(vocabulary.map((c) => [c.label, c.index]));
}

function toIndices(labels: string[], lookup: Map<string, number>, path: string, line: number): number[] {
  return labels.map((label) => {
    const index = lookup.get(label);
    if (index === undefined) throw new UserError(`${path}:${line}: unknown label "${label}" (not in the vocabulary)`);
    return index;
  });
}

/** FSD50K ground truth (dev.csv / eval.csv): fname,labels,mids[,split], labels and mids comma-joined in quotes. */
export function readFsd50kGroundTruth(path: string, vocabulary: FsdClass[]): FsdClip[] {
  const records = parseCsv(readTextFile(path), path);
  const columns = headerColumns(records[0], path, ["fname", "labels"]);
  const lookup = labelLookup(vocabulary);
  return records.slice(1).map((record) => {
    const labels = field(record, columns, "labels", path).split(",").filter(Boolean);
    return {
      fname: field(record, columns, "fname", path),
      labels,
      labelIndices: toIndices(labels, lookup, path, record.line),
      split: columns.has("split") ? field(record, columns, "split", path) : undefined,
      line: record.line,
    };
  });
}

/**
 * FSDKaggle2018 train_post_competition.csv or test_post_competition.csv. Test rows marked usage "Ignored"
 * (label "None": padding added for the competition) are dropped; the 1,600 scored test clips are kept.
 */
export function readFsdKaggle2018(path: string, vocabulary: FsdClass[]): FsdClip[] {
  const records = parseCsv(readTextFile(path), path);
  const columns = headerColumns(records[0], path, ["fname", "label"]);
  const lookup = labelLookup(vocabulary);
  const clips: FsdClip[] = [];
  for (const record of records.slice(1)) {
    const usage = columns.has("usage") ? field(record, columns, "usage", path) : undefined;
    const label = field(record, columns, "label", path);
    if (usage === "Ignored" || label === "None") continue;
    clips.push({
      fname: field(record, columns, "fname", path),
      labels: [label],
      labelIndices: toIndices([label], lookup, path, record.line),
      split: usage,
      manuallyVerified: columns.has("manually_verified") ? field(record, columns, "manually_verified", path) === "1" : undefined,
      line: record.line,
    });
  }
  return clips;
}

/** FSDKaggle2019 train_curated.csv / train_noisy.csv (fname,labels with comma-joined labels). */
export function readFsdKaggle2019(path: string, vocabulary: FsdClass[]): FsdClip[] {
  const records = parseCsv(readTextFile(path), path);
  const columns = headerColumns(records[0], path, ["fname", "labels"]);
  const lookup = labelLookup(vocabulary);
  return records.slice(1).map((record) => {
    const labels = field(record, columns, "labels", path).split(",").filter(Boolean);
    return { fname: field(record, columns, "fname", path), labels, labelIndices: toIndices(labels, lookup, path, record.line), line: record.line };
  });
}

export interface AudioSetMapping {
  /** For each vocabulary index: the AudioSet class index, or −1 when its mid is not among the AudioSet classes. */
  toAudioSet: Int32Array;
  mapped: { index: number; label: string; mid: string; audioSetIndex: number }[];
  /** Vocabulary classes whose mid is not an AudioSet training class (e.g. FSD50K's "Human_voice"). */
  unmapped: FsdClass[];
}

/** Maps a Freesound vocabulary onto AudioSet classes through mids. */
export function mapToAudioSet(vocabulary: FsdClass[], classes: readonly AudioSetClass[] | ClassIndex): AudioSetMapping {
  const index = asClassIndex(classes);
  const toAudioSet = new Int32Array(vocabulary.length).fill(-1);
  const mapped: AudioSetMapping["mapped"] = [];
  const unmapped: FsdClass[] = [];
  for (const c of vocabulary) {
    const audioSetIndex = index.indexOf(c.mid);
    if (audioSetIndex === undefined) unmapped.push(c);
    else {
      toAudioSet[c.index] = audioSetIndex;
      mapped.push({ ...c, audioSetIndex });
    }
  }
  return { toAudioSet, mapped, unmapped };
}
