/**
 * One student of the default profile trained and scored on the VALIDATION split only, for the measurement scripts that
 * choose a student setting (scripts/student-learning-rate.ts, scripts/student-augmentation.ts). Nothing here computes an
 * eval score, so a choice made from what it returns cannot be tuned on eval. Cached corpus, features, PSL tables and
 * finished runs are reused (the run's directory is keyed by its whole config).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { cpus, loadavg } from "node:os";
import { runExperiment } from "../lib/psl/pipeline";
import type { EpochRecord } from "../lib/psl/loop";
import { validateConfig } from "../lib/psl/config";
import type { AugmentationSettings } from "../lib/data/augment";
import { readJsonFile } from "../lib/io/json-file";
import { repoPath } from "../lib/io/repo-root";
import { loadSeriesData, seriesConfig, studentRecipe, trainTeacher, resolveSeries, chanceMAP, type SeriesParameters } from "../lib/series";

export const round = (v: number) => Number(v.toFixed(4));

/** The default profile's student recipe that such a file's runs share (a file never mixes recipes). */
export function defaultStudentRecipe(): { widthMult: number; steps: number; validateEverySteps: number; batchSize: number } {
  const profile = resolveSeries({ profile: "default", seeds: 1 });
  return { widthMult: profile.widthMult, steps: profile.studentSteps, validateEverySteps: profile.validateEverySteps, batchSize: profile.batchSize };
}

export interface ValidationRunRequest {
  student: string;
  seed: number;
  learningRate: number;
  /** Student augmentation (null = none, the profile's default). */
  augmentation: AugmentationSettings | null;
  /** A teacher checkpoint instead of the shipped one (path from the repository root). */
  teacherCheckpoint?: string;
  log: (message: string) => void;
}

/** The run's validation curve and its best point, as the measurement files record them. */
export async function trainOnValidation(
  request: ValidationRunRequest,
): Promise<{ entry: Record<string, unknown>; chanceValidationMAP: number; curve: string; pslTable: string | null }> {
  const params: SeriesParameters = { profile: "default", seeds: 1, ...(request.teacherCheckpoint ? { teacherCheckpoint: request.teacherCheckpoint } : {}) };
  const series = await loadSeriesData(params);
  const teacher = await trainTeacher(params);
  const recipe = studentRecipe(request.student);
  const base = seriesConfig(params, {
    name: request.student, alpha: recipe.alpha, chunkSeconds: recipe.chunkSeconds, seed: request.seed, teacherCheckpoint: teacher.checkpoint, learningRate: request.learningRate,
  });
  const config = validateConfig({ ...base, student: { ...base.student, augmentation: request.augmentation } }, "student settings");
  const result = await runExperiment(config, { until: "student", data: series.data, onProgress: request.log });
  const dir = result.student?.dir;
  if (!dir || !existsSync(join(dir, "history.json"))) throw new Error(`${request.student} seed ${request.seed}: the run left no history.json`);
  const history = readJsonFile(join(dir, "history.json"), "training history") as EpochRecord[];
  const best = history.reduce((a, r) => (r.validationMAP > a.validationMAP ? r : a), history[0]);
  return {
    entry: {
      student: request.student, learningRate: request.learningRate, augmentation: request.augmentation, seed: request.seed, steps: config.student.steps,
      runDir: dir.replace(repoPath() + "/", ""),
      bestValidationMAP: round(best.validationMAP), bestValidationAUC: round(best.validationAUC), bestStep: best.step,
      trainingSeconds: round(history.reduce((a, r) => a + r.seconds, 0)),
      validation: history.map((r) => ({ step: r.step, meanLoss: round(r.meanLoss), validationMAP: round(r.validationMAP), validationAUC: round(r.validationAUC) })),
      machine: { cores: cpus().length, loadAverage1mAtEnd: round(loadavg()[0]) },
    },
    chanceValidationMAP: round(chanceMAP(series.data.validation, config.numClasses)),
    curve: history.map((r) => r.validationMAP.toFixed(3)).join(" "),
    pslTable: result.annotation?.table ?? null,
  };
}
