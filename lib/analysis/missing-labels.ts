/**
 * What the teacher's chunk predictions say about the weak labels, without any ground truth (the paper's situation on
 * AudioSet): labels the teacher ADDS (some chunk ≥ threshold, class absent from the clip's weak labels) and weak labels
 * the teacher NEVER CONFIRMS (no chunk of the clip reaches the threshold for that class).
 */
import { UserError } from "../errors";
import { clipMaxScores, labelSetsFor } from "./chunk-scores";
import { className, type ChunkScores, type ChunkSizeTable, type ClassNames, type LabelledClip } from "./types";

export interface TeacherLabel {
  classIndex: number;
  /** Highest chunk score of the class in the clip. */
  maxProb: number;
  /** `chunkIndex` of the chunks scoring ≥ threshold (empty for an unconfirmed weak label). */
  chunks: number[];
}

export interface ClipMissingLabels {
  filename: string;
  weakLabels: number[];
  /** Classes with at least one chunk ≥ threshold, ascending. */
  teacherLabels: number[];
  /** Teacher labels absent from the weak labels, highest maxProb first. */
  added: TeacherLabel[];
  /** Weak labels no chunk reaches the threshold for, lowest maxProb first. */
  unconfirmed: TeacherLabel[];
}

export interface MissingLabelReport {
  threshold: number;
  numClasses: number;
  clips: ClipMissingLabels[];
  /** Clips in the weak list that the chunk table lacks (ignored by the analysis). */
  weakOnlyClips: number;
}

function checkThreshold(threshold: number): void {
  if (!(threshold >= 0 && threshold <= 1)) throw new UserError(`threshold must be in [0, 1], got ${threshold}`);
}

/** Chunk indices of one clip whose score for `c` is ≥ threshold. */
function chunksAtOrAbove(chunks: ChunkScores, rows: readonly number[], c: number, threshold: number): number[] {
  const out: number[] = [];
  for (const row of rows) if (chunks.probs[row * chunks.numClasses + c] >= threshold) out.push(chunks.chunkIndex[row]);
  return out;
}

/**
 * Per clip: added and unconfirmed labels at `threshold` (a chunk "says" a class when its score is ≥ threshold).
 * Every clip of the chunk table needs an entry in `weak`; weak entries without chunks are counted, not analysed.
 */
export function findMissingLabels(
  chunks: ChunkScores,
  weak: Iterable<LabelledClip>,
  options: { threshold: number },
): MissingLabelReport {
  const { threshold } = options;
  checkThreshold(threshold);
  const weakList = [...weak];
  const clipMax = clipMaxScores(chunks);
  const weakSets = labelSetsFor(clipMax.filenames, weakList, chunks.numClasses, "weak labels");
  const C = chunks.numClasses;
  const clips = clipMax.filenames.map((filename, clip): ClipMissingLabels => {
    const weakSet = weakSets[clip];
    const teacherLabels: number[] = [];
    const added: TeacherLabel[] = [];
    const unconfirmed: TeacherLabel[] = [];
    for (let c = 0; c < C; c++) {
      const maxProb = clipMax.maxProbs[clip * C + c];
      const said = maxProb >= threshold;
      if (said) teacherLabels.push(c);
      if (said && !weakSet.has(c)) {
        added.push({ classIndex: c, maxProb, chunks: chunksAtOrAbove(chunks, clipMax.rows[clip], c, threshold) });
      } else if (!said && weakSet.has(c)) {
        unconfirmed.push({ classIndex: c, maxProb, chunks: [] });
      }
    }
    added.sort((a, b) => b.maxProb - a.maxProb || a.classIndex - b.classIndex);
    unconfirmed.sort((a, b) => a.maxProb - b.maxProb || a.classIndex - b.classIndex);
    return { filename, weakLabels: [...weakSet].sort((a, b) => a - b), teacherLabels, added, unconfirmed };
  });
  const inTable = new Set(clipMax.filenames);
  const weakOnlyClips = new Set(weakList.map((w) => w.filename).filter((name) => !inTable.has(name))).size;
  return { threshold, numClasses: C, clips, weakOnlyClips };
}

export interface ClassMissingCounts {
  classIndex: number;
  name: string;
  /** Clips whose weak labels contain the class. */
  weakCount: number;
  /** Clips where some chunk says the class (weak or not). */
  teacherCount: number;
  /** Clips where the teacher adds the class. */
  addedCount: number;
  /** Clips where the class is a weak label the teacher never confirms. */
  unconfirmedCount: number;
  /** addedCount / (weakCount + addedCount): the share of the class's (weak ∪ added) clips that only the teacher sees. */
  addedRate: number;
  /** unconfirmedCount / weakCount (NaN when the class has no weak labels). */
  unconfirmedRate: number;
}

/**
 * One row per class (every class, including those with all counts 0), sorted by addedCount descending,
 * then unconfirmedCount descending, then class index.
 */
export function perClassMissingCounts(report: MissingLabelReport, classNames?: ClassNames): ClassMissingCounts[] {
  const C = report.numClasses;
  const weakCount = new Int32Array(C);
  const teacherCount = new Int32Array(C);
  const addedCount = new Int32Array(C);
  const unconfirmedCount = new Int32Array(C);
  for (const clip of report.clips) {
    for (const c of clip.weakLabels) weakCount[c]++;
    for (const c of clip.teacherLabels) teacherCount[c]++;
    for (const a of clip.added) addedCount[a.classIndex]++;
    for (const u of clip.unconfirmed) unconfirmedCount[u.classIndex]++;
  }
  const rows: ClassMissingCounts[] = [];
  for (let c = 0; c < C; c++) {
    const union = weakCount[c] + addedCount[c];
    rows.push({
      classIndex: c,
      name: className(classNames, c),
      weakCount: weakCount[c],
      teacherCount: teacherCount[c],
      addedCount: addedCount[c],
      unconfirmedCount: unconfirmedCount[c],
      addedRate: union === 0 ? 0 : addedCount[c] / union,
      unconfirmedRate: weakCount[c] === 0 ? NaN : unconfirmedCount[c] / weakCount[c],
    });
  }
  rows.sort((a, b) => b.addedCount - a.addedCount || b.unconfirmedCount - a.unconfirmedCount || a.classIndex - b.classIndex);
  return rows;
}

export interface LabelCountSummary {
  threshold: number;
  clips: number;
  chunks: number;
  /** Mean number of weak labels per clip. */
  weakPerClip: number;
  /** Mean number of classes some chunk says, per clip. */
  teacherPerClip: number;
  /** Mean number of classes at or above threshold per chunk. */
  teacherPerChunk: number;
  addedPerClip: number;
  /** Share of clips with at least one added label. */
  clipsWithAdded: number;
  /** Share of all weak labels that no chunk confirms. */
  unconfirmedShare: number;
  totalWeak: number;
  totalAdded: number;
  totalUnconfirmed: number;
}

/**
 * Label statistics of one PSL table at one threshold: the ground-truth-free view the paper could take on AudioSet
 * (how many labels per clip the weak list has vs how many the teacher says, per clip and per chunk).
 */
export function labelCountSummary(chunks: ChunkScores, report: MissingLabelReport): LabelCountSummary {
  const C = chunks.numClasses;
  const rows = chunks.filenames.length;
  let chunkLabels = 0;
  for (let i = 0; i < rows * C; i++) if (chunks.probs[i] >= report.threshold) chunkLabels++;
  let totalWeak = 0;
  let totalTeacher = 0;
  let totalAdded = 0;
  let totalUnconfirmed = 0;
  let clipsWithAdded = 0;
  for (const clip of report.clips) {
    totalWeak += clip.weakLabels.length;
    totalTeacher += clip.teacherLabels.length;
    totalAdded += clip.added.length;
    totalUnconfirmed += clip.unconfirmed.length;
    if (clip.added.length > 0) clipsWithAdded++;
  }
  const n = report.clips.length;
  const per = (x: number, d: number) => (d === 0 ? NaN : x / d);
  return {
    threshold: report.threshold,
    clips: n,
    chunks: rows,
    weakPerClip: per(totalWeak, n),
    teacherPerClip: per(totalTeacher, n),
    teacherPerChunk: per(chunkLabels, rows),
    addedPerClip: per(totalAdded, n),
    clipsWithAdded: per(clipsWithAdded, n),
    unconfirmedShare: per(totalUnconfirmed, totalWeak),
    totalWeak,
    totalAdded,
    totalUnconfirmed,
  };
}

/**
 * `labelCountSummary` for each table of a chunk-size sweep at one threshold: the paper-style table of how many labels
 * per clip / per chunk the teacher gives as the chunks shrink.
 */
export function labelCountSummaries(
  tables: readonly ChunkSizeTable[],
  weak: Iterable<LabelledClip>,
  options: { threshold: number },
): (LabelCountSummary & { chunkSeconds: number })[] {
  const weakList = [...weak];
  return tables.map(({ chunkSeconds, chunks }) => ({
    chunkSeconds,
    ...labelCountSummary(chunks, findMissingLabels(chunks, weakList, options)),
  }));
}

export type ExampleCriterion = "most-added" | "most-unconfirmed" | "most-confident-added";

/**
 * Filenames of the `count` most telling clips: most added labels, most unconfirmed weak labels, or the single most
 * confident added label. Ties break by filename so the choice is deterministic.
 */
export function pickExampleClips(report: MissingLabelReport, criterion: ExampleCriterion, count = 3): string[] {
  const key = (clip: ClipMissingLabels): number => {
    switch (criterion) {
      case "most-added":
        return clip.added.length;
      case "most-unconfirmed":
        return clip.unconfirmed.length;
      case "most-confident-added":
        return clip.added.length === 0 ? -1 : clip.added[0].maxProb;
    }
  };
  return report.clips
    .filter((clip) => key(clip) > 0)
    .sort((a, b) => key(b) - key(a) || (a.filename < b.filename ? -1 : a.filename > b.filename ? 1 : 0))
    .slice(0, count)
    .map((clip) => clip.filename);
}

export type ExampleClassRole =
  | "weak-confirmed"
  | "weak-unconfirmed"
  | "added-true"
  | "added-false"
  | "added"
  | "missed"
  | "none";

export interface ExampleClass {
  classIndex: number;
  name: string;
  inWeak: boolean;
  /** Undefined when no truth was given. */
  inTruth?: boolean;
  teacherSays: boolean;
  /**
   * weak-confirmed / weak-unconfirmed: a weak label the teacher does / does not confirm; added-true / added-false: an added
   * label that is / is not in the true labels (added when no truth is given); missed: a true label neither weak nor added;
   * none: a class the caller asked for that is in no label set and that the teacher does not say.
   */
  role: ExampleClassRole;
}

export interface ExampleView {
  filename: string;
  threshold: number;
  /** Per chunk (sorted by chunk index). */
  chunkIndex: number[];
  from: number[];
  to: number[];
  classes: ExampleClass[];
  /** [chunk][class] teacher scores for `classes`, in that order (a heatmap's z, transposed for classes on the y axis). */
  matrix: number[][];
  weakLabels: number[];
  trueLabels?: number[];
}

/**
 * Everything a notebook needs to draw one clip: the chunk × class score matrix for the chosen classes
 * (default: the union of weak, teacher-said and true labels, ascending), and each class's role.
 */
export function exampleView(
  chunks: ChunkScores,
  filename: string,
  options: {
    threshold: number;
    weak: Iterable<LabelledClip>;
    truth?: Iterable<LabelledClip>;
    classes?: readonly number[];
    classNames?: ClassNames;
  },
): ExampleView {
  checkThreshold(options.threshold);
  const C = chunks.numClasses;
  const rows: number[] = [];
  for (let row = 0; row < chunks.filenames.length; row++) if (chunks.filenames[row] === filename) rows.push(row);
  if (rows.length === 0) throw new UserError(`example: clip ${filename} is not in the chunk table`);
  rows.sort((a, b) => chunks.chunkIndex[a] - chunks.chunkIndex[b] || chunks.from[a] - chunks.from[b]);
  const [weakSet] = labelSetsFor([filename], options.weak, C, "weak labels");
  const truthSet = options.truth ? labelSetsFor([filename], options.truth, C, "true labels")[0] : undefined;
  const says = (c: number) => rows.some((row) => chunks.probs[row * C + c] >= options.threshold);
  let classes: number[];
  if (options.classes) {
    classes = [...options.classes];
    for (const c of classes) if (!Number.isInteger(c) || c < 0 || c >= C) throw new UserError(`example: class ${c} outside 0..${C - 1}`);
  } else {
    const union = new Set<number>([...weakSet, ...(truthSet ?? [])]);
    for (let c = 0; c < C; c++) if (says(c)) union.add(c);
    classes = [...union].sort((a, b) => a - b);
  }
  const described = classes.map((c): ExampleClass => {
    const inWeak = weakSet.has(c);
    const inTruth = truthSet?.has(c);
    const teacherSays = says(c);
    let role: ExampleClassRole;
    if (inWeak) role = teacherSays ? "weak-confirmed" : "weak-unconfirmed";
    else if (teacherSays) role = inTruth === undefined ? "added" : inTruth ? "added-true" : "added-false";
    else role = inTruth ? "missed" : "none";
    return { classIndex: c, name: className(options.classNames, c), inWeak, inTruth, teacherSays, role };
  });
  return {
    filename,
    threshold: options.threshold,
    chunkIndex: rows.map((r) => chunks.chunkIndex[r]),
    from: rows.map((r) => chunks.from[r]),
    to: rows.map((r) => chunks.to[r]),
    classes: described,
    matrix: rows.map((r) => classes.map((c) => chunks.probs[r * C + c])),
    weakLabels: [...weakSet].sort((a, b) => a - b),
    trueLabels: truthSet ? [...truthSet].sort((a, b) => a - b) : undefined,
  };
}

