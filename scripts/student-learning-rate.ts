/**
 * Student learning rate, chosen on VALIDATION only (issue 13): trains one student of the default profile (its width,
 * step budget, batch, validation schedule; only Adam's learning rate changes) at each given learning rate and records
 * the validation curve the loop writes. Nothing here touches the eval split: no eval score is computed, so the choice
 * made from this file cannot be tuned on eval.
 *   nice -n 10 npx tsx scripts/student-learning-rate.ts --student weak --lr 0.001,0.002,0.004 [--seed 42] [--out FILE]
 * Default out: data-manifests/demo/curves/student-learning-rate.json (one entry per student × learning rate × seed,
 * merged into what the file holds). Cached corpus, features, PSL tables and finished runs are reused.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { cpus, loadavg } from "node:os";
import { runExperiment } from "../lib/psl/pipeline";
import type { EpochRecord } from "../lib/psl/loop";
import { writeJsonAtomic } from "../lib/io/atomic";
import { readJsonFile } from "../lib/io/json-file";
import { learningRateCheckPath } from "../lib/analysis/learning-rate-choice";
import { repoPath } from "../lib/io/repo-root";
import { UserError } from "../lib/errors";
import { arg, runScript } from "./script-args";
import { loadSeriesData, seriesConfig, studentRecipe, trainTeacher, resolveSeries, chanceMAP, type SeriesParameters } from "../lib/series";

const round = (v: number) => Number(v.toFixed(4));

async function main(): Promise<void> {
  const name = arg("student");
  const rates = arg("lr").split(",").map(Number);
  if (rates.some((r) => !(r > 0))) throw new UserError(`--lr: positive numbers separated by commas, got ${arg("lr")}`);
  const seed = Number(arg("seed", "42"));
  const out = arg("out", learningRateCheckPath());
  const params: SeriesParameters = { profile: "default", seeds: 1 };
  const profile = resolveSeries(params);
  // One file holds runs of one recipe: runs of another (the profile's width, steps or schedule changed since) are refused
  // before any training, so the file never mixes them under a recipe that describes only some.
  const fileRecipe = { widthMult: profile.widthMult, steps: profile.studentSteps, validateEverySteps: profile.validateEverySteps, batchSize: profile.batchSize };
  const existing = existsSync(out) ? (readJsonFile(out, "learning-rate check") as { recipe?: unknown }).recipe : undefined;
  if (existing !== undefined && JSON.stringify(existing) !== JSON.stringify(fileRecipe)) {
    throw new UserError(`${out} holds runs of recipe ${JSON.stringify(existing)}, not this profile's ${JSON.stringify(fileRecipe)}: give another --out`);
  }
  const series = await loadSeriesData(params);
  const teacher = await trainTeacher(params);
  const recipe = studentRecipe(name);
  for (const learningRate of rates) {
    const config = seriesConfig(params, { name, alpha: recipe.alpha, chunkSeconds: recipe.chunkSeconds, seed, teacherCheckpoint: teacher.checkpoint, learningRate });
    const result = await runExperiment(config, { until: "student", data: series.data, onProgress: (m) => console.error(`[lr] ${m}`) });
    const dir = result.student?.dir;
    if (!dir || !existsSync(join(dir, "history.json"))) throw new Error(`${name} lr ${learningRate}: the run left no history.json`);
    const history = readJsonFile(join(dir, "history.json"), "training history") as EpochRecord[];
    const best = history.reduce((a, r) => (r.validationMAP > a.validationMAP ? r : a), history[0]);
    const file = existsSync(out) ? (readJsonFile(out, "learning-rate check") as Record<string, unknown>) : {};
    const runs = (file.runs ?? {}) as Record<string, unknown>;
    runs[`${name}/lr${learningRate}/seed${seed}`] = {
      student: name, learningRate, seed, steps: config.student.steps,
      runDir: dir.replace(repoPath() + "/", ""),
      bestValidationMAP: round(best.validationMAP), bestStep: best.step,
      trainingSeconds: round(history.reduce((a, r) => a + r.seconds, 0)),
      validation: history.map((r) => ({ step: r.step, meanLoss: round(r.meanLoss), validationMAP: round(r.validationMAP), validationAUC: round(r.validationAUC) })),
      machine: { cores: cpus().length, loadAverage1mAtEnd: round(loadavg()[0]) },
      command: `npx tsx scripts/student-learning-rate.ts --student ${name} --lr ${learningRate} --seed ${seed}`,
    };
    // The file's other keys are kept; its description, recipe (checked above) and chance level are this script's.
    writeJsonAtomic(out, {
      ...file,
      description: "Student learning rate on the default profile (width, steps, batch, validation schedule unchanged), scored on the " +
        "VALIDATION split only (held-out validation recordings; the loop's own validation mAP). No eval score is computed here.",
      recipe: fileRecipe,
      chanceValidationMAP: round(chanceMAP(series.data.validation, config.numClasses)),
      runs,
    });
    console.error(`[lr] ${name} lr ${learningRate} seed ${seed}: best validation mAP ${best.validationMAP.toFixed(4)} at step ${best.step}; ` +
      `curve ${history.map((r) => r.validationMAP.toFixed(3)).join(" ")}`);
  }
}

runScript(main);
