/**
 * The notebook series' shared settings. Notebooks 02–06 must build IDENTICAL experiment configs for the same
 * parameters, otherwise the pipeline's cache (keyed by parameters) would retrain the teacher in every notebook; so
 * the mapping parameters → ExperimentConfig lives here, once.
 *
 * Profiles (their run times and results: README "The notebook series"):
 *   quick   — demo corpus "quick" (120 teacher clips, 30 student clips), width 0.1, batch 8, 5 teacher / 2 student
 *             epochs: the whole series in a few minutes (CI).
 *   default — demo corpus "default" (1,200 / 300 clips), width 0.1, batch 32, 16 teacher / 10 student epochs
 *             (half as many left every model still improving).
 */
import { join } from "node:path";
import { UserError } from "../errors";
import { repoRoot } from "../io/repo-root";
import { resolveConfig, type ExperimentConfig } from "../psl/config";

export type SeriesProfile = "quick" | "default";

export interface ProfileSettings {
  demoProfile: "quick" | "default";
  widthMult: number;
  teacherEpochs: number;
  studentEpochs: number;
  patience: number;
  batchSize: number;
  /** Default teacher threshold of notebooks 03/05: the tiny quick teacher is under-confident and says almost nothing at 0.5. */
  threshold: number;
}

export const SERIES_PROFILES: Record<SeriesProfile, ProfileSettings> = {
  // Batch 8 in quick: 120 clips give 15 updates per epoch instead of 4, enough for the tiny teacher to say some
  // classes above 0.5 (with batch 32 and 2 epochs its outputs all stayed below 0.2 and the analyses had nothing to count).
  quick: { demoProfile: "quick", widthMult: 0.1, teacherEpochs: 5, studentEpochs: 2, patience: 5, batchSize: 8, threshold: 0.2 },
  default: { demoProfile: "default", widthMult: 0.1, teacherEpochs: 16, studentEpochs: 10, patience: 3, batchSize: 32, threshold: 0.5 },
};

/** Notebook parameters that decide which models are trained (null / undefined = the profile's value). */
export interface SeriesParameters {
  profile: string;
  /** "demo", "audioset", or a manifest TSV path. */
  dataset?: string;
  teacherEpochs?: number | null;
  /** Student epochs. */
  epochs?: number | null;
  widthMult?: number | null;
  seed?: number;
  /** Teacher threshold for counting labels (notebooks 03, 05); null = the profile's. */
  threshold?: number | null;
}

export interface ResolvedSeries extends ProfileSettings {
  profile: SeriesProfile;
  dataset: string;
  seed: number;
}

export function resolveSeries(params: SeriesParameters): ResolvedSeries {
  if (params.profile !== "quick" && params.profile !== "default") throw new UserError(`parameter profile: "quick" or "default", got ${JSON.stringify(params.profile)}`);
  const base = SERIES_PROFILES[params.profile];
  return {
    ...base,
    profile: params.profile,
    dataset: params.dataset ?? "demo",
    seed: params.seed ?? 42,
    widthMult: params.widthMult ?? base.widthMult,
    teacherEpochs: params.teacherEpochs ?? base.teacherEpochs,
    studentEpochs: params.epochs ?? base.studentEpochs,
    threshold: params.threshold ?? base.threshold,
  };
}

/** The repository root (lib/io/repo-root.ts), re-exported for the notebooks (`psl.series.repoRoot()`). */
export { repoRoot };

/** Where the series' experiment metrics go: next to the reports being written (runner), else <repo>/reports. */
function reportsDir(): string {
  return join(process.env.PSL_REPORT_DIR ?? join(repoRoot(), "reports"), "experiments");
}

/** What a student recipe changes over the series' base config. */
export interface StudentRecipe {
  /** Name in tables and in summary.json. */
  name: string;
  /** The paper's label for the row. */
  label: string;
  alpha: number;
  chunkSeconds: number;
}

/** The paper's table rows (and teacher-student ts-2s), in the order the paper lists them. */
export const STUDENT_RECIPES: readonly StudentRecipe[] = [
  { name: "weak", label: "Baseline (weak labels)", alpha: 0, chunkSeconds: 10 },
  { name: "psl-10s", label: "PSL, 10 s chunks", alpha: 1, chunkSeconds: 10 },
  { name: "psl-5s", label: "PSL, 5 s chunks", alpha: 1, chunkSeconds: 5 },
  { name: "psl-2s", label: "PSL, 2 s chunks", alpha: 1, chunkSeconds: 2 },
  { name: "ts-2s", label: "Teacher-student (α = 0.5), 2 s chunks", alpha: 0.5, chunkSeconds: 2 },
];

export function studentRecipe(name: string): StudentRecipe {
  const recipe = STUDENT_RECIPES.find((r) => r.name === name);
  if (!recipe) throw new UserError(`unknown student "${name}" (one of ${STUDENT_RECIPES.map((r) => r.name).join(", ")})`);
  return recipe;
}

/** The paper's AudioSet results (reference README; mAP in %, d′), for side-by-side display only. */
export const PAPER_AUDIOSET: Record<string, { mAP: number; dPrime: number }> = {
  weak: { mAP: 17.69, dPrime: 1.994 },
  "psl-10s": { mAP: 31.13, dPrime: 2.454 },
  "psl-5s": { mAP: 34.11, dPrime: 2.549 },
  "psl-2s": { mAP: 35.48, dPrime: 2.588 },
};

export interface ConfigChanges {
  name?: string;
  chunkSeconds?: number;
  alpha?: number;
  /** Teacher targets: "soft" probabilities (paper) or "hard" labels above `threshold`. */
  target?: "soft" | "hard" | "topk";
  threshold?: number;
}

/**
 * The experiment config for these notebook parameters. The teacher part depends only on the series parameters, so
 * every notebook gets the same teacher (one training, cached); chunk size, α and targets pick the annotation and student.
 */
export function seriesConfig(params: SeriesParameters, changes: ConfigChanges = {}): ExperimentConfig {
  const s = resolveSeries(params);
  const training = { widthMult: s.widthMult, patience: s.patience, batchSize: s.batchSize };
  return resolveConfig({
    name: changes.name ?? "series",
    dataset: s.dataset,
    data: { demoProfile: s.demoProfile },
    seed: s.seed,
    // One cache per demo size: the quick and default corpora reuse clip file names, and a shared feature cache would
    // recompute features every time the profile changes.
    cacheDir: join(repoRoot(), ".cache", "psl", s.dataset === "demo" ? `series-demo-${s.demoProfile}` : "series"),
    reportsDir: reportsDir(),
    teacher: { ...training, epochs: s.teacherEpochs },
    student: { ...training, epochs: s.studentEpochs, alpha: changes.alpha ?? 1 },
    annotation: { chunkSeconds: changes.chunkSeconds ?? 2, target: changes.target ?? "soft", threshold: changes.threshold ?? 0.5 },
  }, [], "notebook parameters");
}
