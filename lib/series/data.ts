/**
 * The series' data, resolved once per kernel: manifests, log-mel feature cache, class names, and — on the demo
 * corpus — what only a synthetic corpus knows: true labels and strong (onset/offset) labels per clip.
 */
import { join } from "node:path";
import { existsSync } from "node:fs";
import { resolveData, type ExperimentData } from "../psl/pipeline";
import type { ExperimentConfig } from "../psl/config";
import type { FeatureSource } from "../psl/features";
import { buildFeatureCache } from "../data/feature-cache";
import { readManifest, type ManifestRow } from "../data/manifest";
import { readClassLabels } from "../data/classes";
import { ensureDemoCorpus, type DemoCorpus } from "../demo";
import type { SplitName } from "../demo";
import { demoDataset } from "../demo/dataset";
import { readStrongLabels } from "../analysis/strong-labels";
import type { StrongEvent } from "../analysis/types";
import { repoPath } from "../io/repo-root";
import { seriesConfig, resolveSeries, type SeriesParameters } from "./settings";

export interface SeriesData {
  config: ExperimentConfig;
  data: ExperimentData;
  /** Display name per class index ("#i" where unknown). */
  classNames: string[];
  /** The demo corpus (dataset "demo" only). */
  corpus?: DemoCorpus;
  /** Manifest rows of each demo split with the TRUE labels (demo only). */
  truth: Partial<Record<SplitName, ManifestRow[]>>;
  /** Strong labels per clip filename, all demo splits (demo only; empty otherwise). */
  strong: Map<string, StrongEvent[]>;
  /**
   * The teacher's training manifest rows (weak labels). With the shipped demo teacher the pipeline never loads them
   * (no audio of that split is rendered), but their labels still describe what the teacher learned from. With a given
   * teacher (`teacherCheckpoint`) they are the dataset's teacher split, which that teacher may never have seen.
   */
  teacherTrain: ManifestRow[];
}

const memo = new Map<string, Promise<SeriesData>>();

async function load(params: SeriesParameters): Promise<SeriesData> {
  const s = resolveSeries(params);
  const config = seriesConfig(params);
  let corpus: DemoCorpus | undefined;
  // The corpus seed is fixed (data.demoSeed): model seeds vary, the data they learn from does not. Without a live
  // teacher (shipped or given) the teacher's `full` split is never read, so its audio is not rendered.
  if (s.dataset === "demo") {
    corpus = await ensureDemoCorpus({ profile: s.demoProfile, seed: config.data.demoSeed, renderSplits: s.liveTeacher ? undefined : ["balanced", "val", "eval", "domain2"] });
  }
  const data = await resolveData(config, undefined, { datasets: [demoDataset] });
  const classNames = Array.from({ length: config.numClasses }, (_, i) => data.classNames?.[i] ?? `#${i}`);
  if (!data.classNames) {
    const labels = repoPath("data-manifests", "audioset", "class_labels_indices.csv");
    if (existsSync(labels)) for (const c of readClassLabels(labels)) if (c.index < classNames.length) classNames[c.index] = c.displayName;
  }
  const truth: SeriesData["truth"] = {};
  const strong = new Map<string, StrongEvent[]>();
  if (corpus) {
    for (const [split, info] of Object.entries(corpus.splits) as [SplitName, DemoCorpus["splits"][SplitName]][]) {
      if (existsSync(info.truthManifest)) truth[split] = readManifest(info.truthManifest);
      if (existsSync(info.strongLabels)) {
        for (const e of readStrongLabels(info.strongLabels)) {
          const list = strong.get(e.filename) ?? [];
          list.push(e);
          strong.set(e.filename, list);
        }
      }
    }
  }
  const teacherTrain = corpus ? readManifest(corpus.splits.full.manifest) : (data.teacherTrain as ManifestRow[]);
  return { config, data, classNames, corpus, truth, strong, teacherTrain };
}

/**
 * Data for these notebook parameters (memoised per kernel: re-running a cell costs nothing). The demo corpus is
 * generated on first use (cached on disk under .cache/demo-corpus), features once under the series' cache folder.
 */
export function loadSeriesData(params: SeriesParameters): Promise<SeriesData> {
  const s = resolveSeries(params);
  const key = JSON.stringify([s.dataset, s.demoProfile, s.useShippedTeacher, s.teacherCheckpoint]);
  let pending = memo.get(key);
  if (!pending) {
    pending = load(params);
    memo.set(key, pending);
    pending.catch(() => memo.delete(key));
  }
  return pending;
}

/** Features for extra rows (e.g. the demo's second domain), added to the series' feature cache. */
export async function featuresFor(series: SeriesData, rows: readonly ManifestRow[]): Promise<FeatureSource> {
  return buildFeatureCache(rows, join(series.config.cacheDir, "features"));
}

/** The clip's log-mel [frames, 64] from the series' features. */
export function clipLogMel(series: SeriesData, filename: string): { logMel: Float32Array; frames: number } {
  const frames = series.data.features.clipFrames(filename);
  return { logMel: series.data.features.readFrames(filename, 0, frames), frames };
}
