/**
 * `ensureDemoCorpus`: generates (once) and returns the embedded demo corpus — 10-s 16 kHz clips mixed from real and
 * rendered recordings with known strong labels, AudioSet-like missing weak labels, and a second FSD50K-like domain.
 *
 * Layout under `<outDir>/<key>/` (key = hash of generator version, seed, sizes, label model and source list):
 *   <split>/manifest.tsv      kit manifest (filename, labels = WEAK labels, duration), audio in <split>/audio/
 *   <split>/truth.tsv         same clips with the TRUE labels
 *   <split>/strong.tsv        filename, onset, offset, label (AudioSet-strong-like, one row per event placement)
 *   <split>/clip_labels.tsv   one row per (clip, true class): active seconds, level, drop probability, kept (1/0)
 *   <split>/events.tsv        provenance: every event placement with its source_id, gain, speed (disjointness checks)
 *   domain2/vocabulary.csv    headerless idx,label,mid (FSD50K form);  domain2/eval.csv  fname,labels,mids (FSD50K form)
 *   corpus.json               written LAST (atomic): its presence means the corpus is complete → later calls return at once.
 * Clip WAVs are written atomically, so an interrupted run resumes by skipping clips already on disk (plans are
 * deterministic, so the skipped clips are the very clips the new run would write).
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { decodeAudioFile } from "../audio/decode";
import { writeWav } from "../audio/wav";
import { createRng } from "../data/random";
import { UserError } from "../errors";
import { writeFileAtomic, writeJsonAtomic } from "../io/atomic";
import { repoPath } from "../io/repo-root";
import { csvField } from "./csv";
import { loadSourceAudio, SAMPLE_RATE } from "./load";
import { renderClip, type SourceInfo } from "./mix";
import { encodePcm16Wav } from "./pcm-wav";
import { planDomain2, planMixedSplit, SPLITS, type ClipRecord, type SourcePool, type SplitName } from "./plan";
import { renderFluidsynthBatches } from "./render";
import { resolveSizes, type DemoProfile, type DemoSizes } from "./profiles";
import { readSourceList, type DemoSource, type SourceRole } from "./sources";
import { DEFAULT_MISSING_LABEL_MODEL, DEFAULT_WRONG_LABEL_MODEL, type LabelNoiseModel, type MissingLabelModel, type WrongLabelModel } from "./weak-labels";

/** Bump when the generator's output changes for the same inputs (invalidates cached corpora). */
export const GENERATOR_VERSION = 4;

export interface DemoClass {
  index: number;
  mid: string;
  displayName: string;
}

export interface DemoSplit {
  /** Kit manifest TSV with the weak labels (for eval/domain2: equal to the truth). */
  manifest: string;
  strongLabels: string;
  truthManifest: string;
  /**
   * Manifest with AudioSet-like NOISY labels (missing and wrong ones): for full/balanced/val the same file as
   * `manifest`; for eval a degraded copy, so models can also be scored the way AudioSet scores them (against labels
   * with the same kind of errors); for domain2 the truth.
   */
  noisyManifest: string;
  /** filename, label: the wrong labels of `noisyManifest` (classes not in the clip). */
  wrongLabels: string;
  /** Per (clip, true class) label statistics and whether the weak labels kept it. */
  clipLabels: string;
  /** Every event placement with its source recording (provenance). */
  events: string;
  clips: number;
}

export interface DemoCorpus {
  root: string;
  classes: DemoClass[];
  splits: Record<SplitName, DemoSplit>;
  /** FSD50K-like vocabulary of the second domain (headerless idx,label,mid). */
  domain2Vocabulary: string;
  /** FSD50K-like ground truth of the second domain (fname,labels,mids). */
  domain2GroundTruth: string;
  seed: number;
  sizes: DemoSizes;
  /** Fraction of true labels missing from the weak labels, per training split. */
  missingLabelRate: Record<"full" | "balanced" | "val", number>;
  /** The label-noise model and what it did per split: share of true labels missing, share of noisy labels wrong. */
  labelNoise: { model: LabelNoiseModel; rates: Record<"full" | "balanced" | "val" | "eval", { missing: number; wrong: number }> };
  /** Hash key of this corpus (its folder name); a shipped teacher records the key of the corpus it was trained on. */
  key: string;
  generatorVersion: number;
}

export interface DemoProgress {
  phase: "sources" | "clips";
  split?: SplitName;
  done: number;
  total: number;
}

export interface EnsureDemoCorpusOptions {
  profile?: DemoProfile;
  /** Split sizes overriding the profile's. */
  sizes?: Partial<DemoSizes>;
  seed?: number;
  /** Parent folder of the keyed corpus folders; default `<repo>/.cache/demo-corpus`. */
  outDir?: string;
  /** Source rows to use (default: data-manifests/demo/sources.csv). */
  sources?: DemoSource[];
  missingLabels?: Partial<MissingLabelModel>;
  wrongLabels?: Partial<WrongLabelModel>;
  /**
   * Splits whose audio is rendered now (default: all). Labels and manifests of every split are always written; the
   * audio of the others is rendered by a later call that asks for them (the default notebook run, with the shipped
   * teacher, never needs the teacher's `full` split).
   */
  renderSplits?: readonly SplitName[];
  /** Exponent of the Zipf-like class frequencies of `full` (0 = balanced). */
  fullZipfExponent?: number;
  onProgress?: (progress: DemoProgress) => void;
}

export function defaultDemoCorpusDir(): string {
  return process.env.PSL_DEMO_CORPUS_DIR ?? repoPath(".cache", "demo-corpus");
}

/** FSD50K-style label name for an AudioSet display name ("Chicken, rooster" → "Chicken_and_rooster"). */
export function fsdLabelName(displayName: string): string {
  return displayName.replace(/, /g, "_and_").replace(/ /g, "_");
}

function poolFor(sources: DemoSource[], roles: SourceRole[], lengths: Map<string, number>): SourcePool {
  const events = new Map<number, SourceInfo[]>();
  const beds: SourceInfo[] = [];
  for (const s of sources) {
    if (!roles.includes(s.role)) continue;
    const info = { sourceId: s.sourceId, classIndex: s.classIndex, length: lengths.get(s.sourceId)! };
    if (s.usage === "bed") beds.push(info);
    else events.set(s.classIndex, [...(events.get(s.classIndex) ?? []), info]);
  }
  return { events, beds };
}

const labelText = (labels: number[]): string => labels.join(";");
const seconds = (s: number): string => s.toFixed(2);

/** Writes a split's label tables; `truthIsManifest` (eval, domain2): the manifest holds the truth, the weak labels go to noisy.tsv. */
function writeSplitTables(dir: string, records: ClipRecord[], truthIsManifest: boolean): void {
  const manifest = ["filename\tlabels\tduration"];
  const truth = ["filename\tlabels\tduration"];
  const noisy = ["filename\tlabels\tduration"];
  const wrong = ["filename\tlabel"];
  const strong = ["filename\tonset\toffset\tlabel"];
  const stats = ["filename\tlabel\tactive_seconds\tlevel_db\tdrop_probability\tkept"];
  const provenance = ["filename\tonset\toffset\tlabel\tsource_id\tgain_db\tspeed\tsource_start"];
  for (const r of records) {
    manifest.push(`${r.filename}\t${labelText(truthIsManifest ? r.trueLabels : r.weakLabels)}\t${seconds(r.plan.seconds)}`);
    truth.push(`${r.filename}\t${labelText(r.trueLabels)}\t${seconds(r.plan.seconds)}`);
    noisy.push(`${r.filename}\t${labelText(r.weakLabels)}\t${seconds(r.plan.seconds)}`);
    for (const c of r.wrongLabels) wrong.push(`${r.filename}\t${c}`);
    const events = [...r.plan.events].sort((a, b) => a.onset - b.onset || a.classIndex - b.classIndex);
    for (const e of events) {
      strong.push(`${r.filename}\t${e.onset.toFixed(2)}\t${e.offset.toFixed(2)}\t${e.classIndex}`);
      provenance.push(`${r.filename}\t${e.onset.toFixed(2)}\t${e.offset.toFixed(2)}\t${e.classIndex}\t${e.sourceId}\t${e.gainDb.toFixed(1)}\t${e.speed.toFixed(4)}\t${e.sourceStart}`);
    }
    for (const s of r.stats) {
      stats.push(`${r.filename}\t${s.classIndex}\t${s.activeSeconds.toFixed(2)}\t${s.levelDb.toFixed(1)}\t${s.dropProbability.toFixed(3)}\t${s.kept ? 1 : 0}`);
    }
  }
  writeFileAtomic(join(dir, "manifest.tsv"), manifest.join("\n") + "\n");
  writeFileAtomic(join(dir, "truth.tsv"), truth.join("\n") + "\n");
  if (truthIsManifest) writeFileAtomic(join(dir, "noisy.tsv"), noisy.join("\n") + "\n");
  writeFileAtomic(join(dir, "wrong_labels.tsv"), wrong.join("\n") + "\n");
  writeFileAtomic(join(dir, "strong.tsv"), strong.join("\n") + "\n");
  writeFileAtomic(join(dir, "clip_labels.tsv"), stats.join("\n") + "\n");
  writeFileAtomic(join(dir, "events.tsv"), provenance.join("\n") + "\n");
}

function missingRate(records: ClipRecord[]): number {
  let total = 0;
  let missing = 0;
  for (const r of records) {
    total += r.trueLabels.length;
    missing += r.trueLabels.filter((c) => !r.weakLabels.includes(c)).length;
  }
  return total === 0 ? 0 : Math.round((missing / total) * 1000) / 1000;
}

function wrongRate(records: ClipRecord[]): number {
  let total = 0;
  let wrong = 0;
  for (const r of records) {
    total += r.weakLabels.length;
    wrong += r.wrongLabels.length;
  }
  return total === 0 ? 0 : Math.round((wrong / total) * 1000) / 1000;
}

const AUDIO_DONE = "audio-complete.json";

/** The description with its paths under `root` (a corpus folder moved or copied keeps working). */
function relocated(corpus: DemoCorpus, root: string): DemoCorpus {
  if (corpus.root === root) return corpus;
  const move = (path: string) => (path.startsWith(corpus.root) ? root + path.slice(corpus.root.length) : path);
  const splits = Object.fromEntries(
    Object.entries(corpus.splits).map(([name, split]) => [name, Object.fromEntries(Object.entries(split).map(([k, v]) => [k, typeof v === "string" ? move(v) : v]))]),
  ) as unknown as DemoCorpus["splits"];
  return { ...corpus, root, splits, domain2Vocabulary: move(corpus.domain2Vocabulary), domain2GroundTruth: move(corpus.domain2GroundTruth) };
}

function corpusInputs(options: EnsureDemoCorpusOptions) {
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed) || seed < 0) throw new UserError(`demo corpus seed must be a non-negative integer, got ${seed}`);
  const sizes = resolveSizes(options.profile ?? "default", options.sizes);
  const noise: LabelNoiseModel = {
    missing: { ...DEFAULT_MISSING_LABEL_MODEL, ...options.missingLabels },
    wrong: { ...DEFAULT_WRONG_LABEL_MODEL, ...options.wrongLabels },
  };
  const zipfExponent = options.fullZipfExponent ?? 1;
  const sources = options.sources ?? readSourceList();
  const key = createHash("sha1")
    .update(JSON.stringify({ version: GENERATOR_VERSION, seed, sizes, noise, zipfExponent, sources }))
    .digest("hex")
    .slice(0, 16);
  return { seed, sizes, noise, zipfExponent, sources, key };
}

/**
 * The key (folder name) of the corpus these options generate, without generating anything: the same inputs always
 * give the same corpus, so a teacher trained on one records this key to prove which corpus it knows.
 */
export function demoCorpusKey(options: Omit<EnsureDemoCorpusOptions, "onProgress" | "outDir" | "renderSplits"> = {}): string {
  return corpusInputs(options).key;
}

/** Generates the corpus if it is not already complete under its key (audio of `renderSplits`); returns its description. */
export async function ensureDemoCorpus(options: EnsureDemoCorpusOptions = {}): Promise<DemoCorpus> {
  const { seed, sizes, noise, zipfExponent, sources, key } = corpusInputs(options);
  const outDir = options.outDir ?? defaultDemoCorpusDir();
  const root = join(outDir, key);
  const marker = join(root, "corpus.json");
  const wanted = options.renderSplits ?? SPLITS;
  // A split's audio marker is trusted only with the corpus marker: without corpus.json (an interrupted or damaged run)
  // every clip of the wanted splits is checked again, and missing ones are rendered.
  const complete = existsSync(marker);
  const rendered = (split: SplitName) => complete && existsSync(join(root, split, AUDIO_DONE));
  if (complete && wanted.every(rendered)) return relocated(JSON.parse(readFileSync(marker, "utf8")) as DemoCorpus, root);

  // Source audio (renders are cached across corpora in <outDir>/sources).
  const audio = new Map<string, Float32Array>();
  const renderDir = join(outDir, "sources");
  const renderedPaths = await renderFluidsynthBatches(sources, renderDir, async (path) => (await decodeAudioFile(path, { maxSeconds: Infinity })).samples, (path, samples) => writeWav(path, samples, SAMPLE_RATE, 32));
  for (const [i, source] of sources.entries()) {
    audio.set(source.sourceId, await loadSourceAudio(source, renderDir, renderedPaths));
    options.onProgress?.({ phase: "sources", done: i + 1, total: sources.length });
  }
  const lengths = new Map([...audio].map(([id, a]) => [id, a.length]));
  const trainPool = poolFor(sources, ["train"], lengths);
  const valPool = poolFor(sources, ["val"], lengths);
  const evalPool = poolFor(sources, ["eval"], lengths);
  const domain2Pool = poolFor(sources, ["domain2"], lengths);
  // Only classes with both training and evaluation recordings are scored; others would have no eval positives.
  for (const c of [...trainPool.events.keys()]) if (!evalPool.events.has(c)) trainPool.events.delete(c);
  for (const c of [...evalPool.events.keys()]) if (!trainPool.events.has(c)) evalPool.events.delete(c);
  for (const c of [...valPool.events.keys()]) if (!trainPool.events.has(c)) valPool.events.delete(c);
  // Validation has its own recordings (never the training ones: that would reward memorising recordings).
  if (valPool.events.size === 0) throw new UserError("demo corpus: no validation recordings (role val) among the available sources");
  const scored = [...trainPool.events.keys()].sort((a, b) => a - b);

  // One independent stream per split, drawn in a fixed order from the corpus seed.
  const seedRng = createRng(seed);
  const splitSeeds = new Map(SPLITS.map((name) => [name, seedRng.int(2 ** 31)]));
  const splitSeed = (name: SplitName): number => splitSeeds.get(name)!;
  const mixed = (split: "full" | "balanced" | "val" | "eval", pool: SourcePool, classDistribution: Parameters<typeof planMixedSplit>[0]["classDistribution"]) =>
    planMixedSplit({ split, count: sizes[split], pool, classDistribution, labelNoise: noise, classes: scored, seed: splitSeed(split) });
  const records: Record<SplitName, ClipRecord[]> = {
    full: mixed("full", trainPool, { kind: "zipf", exponent: zipfExponent }),
    balanced: mixed("balanced", trainPool, { kind: "balanced" }),
    // Validation clips mix the validation recordings only (classes without one are absent from val).
    val: mixed("val", valPool, { kind: "balanced" }),
    eval: mixed("eval", evalPool, { kind: "balanced" }),
    domain2: planDomain2(domain2Pool, sizes.domain2, splitSeed("domain2")),
  };

  for (const split of SPLITS) {
    const dir = join(root, split);
    const list = records[split];
    if (wanted.includes(split) && !rendered(split)) {
      list.forEach((record, i) => {
        const path = join(dir, record.filename);
        if (!existsSync(path)) writeFileAtomic(path, encodePcm16Wav(renderClip(record.plan, audio)));
        if (options.onProgress && (i % 25 === 24 || i === list.length - 1)) options.onProgress({ phase: "clips", split, done: i + 1, total: list.length });
      });
      writeJsonAtomic(join(dir, AUDIO_DONE), { clips: list.length });
    }
    writeSplitTables(dir, list, split === "eval" || split === "domain2");
  }

  // Classes: everything a split can carry (train/eval event classes and beds), with their AudioSet identity.
  const byIndex = new Map<number, DemoClass>();
  for (const s of sources) {
    const used = s.role === "domain2" ? domain2Pool.events.has(s.classIndex) : trainPool.events.has(s.classIndex) || s.usage === "bed";
    if (used) byIndex.set(s.classIndex, { index: s.classIndex, mid: s.mid, displayName: s.displayName });
  }
  const classes = [...byIndex.values()].sort((a, b) => a.index - b.index);

  // Second domain: FSD50K-like vocabulary (alphabetical, like FSD50K's) and ground truth.
  const domain2Classes = [...domain2Pool.events.keys()].map((c) => byIndex.get(c)!).sort((a, b) => (fsdLabelName(a.displayName) < fsdLabelName(b.displayName) ? -1 : 1));
  const vocabulary = domain2Classes.map((c, i) => `${i},${csvField(fsdLabelName(c.displayName))},${c.mid}`);
  const vocabularyPath = join(root, "domain2", "vocabulary.csv");
  writeFileAtomic(vocabularyPath, vocabulary.join("\n") + "\n");
  const groundTruthPath = join(root, "domain2", "eval.csv");
  const gt = ["fname,labels,mids"];
  for (const r of records.domain2) {
    const cls = r.trueLabels.map((c) => byIndex.get(c)!);
    gt.push(`${r.fname},${csvField(cls.map((c) => fsdLabelName(c.displayName)).join(","))},${csvField(cls.map((c) => c.mid).join(","))}`);
  }
  writeFileAtomic(groundTruthPath, gt.join("\n") + "\n");

  const split = (name: SplitName): DemoSplit => ({
    manifest: join(root, name, "manifest.tsv"),
    strongLabels: join(root, name, "strong.tsv"),
    truthManifest: join(root, name, "truth.tsv"),
    noisyManifest: join(root, name, name === "eval" ? "noisy.tsv" : "manifest.tsv"),
    wrongLabels: join(root, name, "wrong_labels.tsv"),
    clipLabels: join(root, name, "clip_labels.tsv"),
    events: join(root, name, "events.tsv"),
    clips: records[name].length,
  });
  const rates = (list: ClipRecord[]) => ({ missing: missingRate(list), wrong: wrongRate(list) });
  const corpus: DemoCorpus = {
    root,
    classes,
    splits: { full: split("full"), balanced: split("balanced"), val: split("val"), eval: split("eval"), domain2: split("domain2") },
    domain2Vocabulary: vocabularyPath,
    domain2GroundTruth: groundTruthPath,
    seed,
    sizes,
    missingLabelRate: { full: missingRate(records.full), balanced: missingRate(records.balanced), val: missingRate(records.val) },
    labelNoise: { model: noise, rates: { full: rates(records.full), balanced: rates(records.balanced), val: rates(records.val), eval: rates(records.eval) } },
    key,
    generatorVersion: GENERATOR_VERSION,
  };
  // Written last: its presence (with each split's audio-complete marker) is the "complete" marker.
  writeJsonAtomic(marker, corpus);
  return corpus;
}
