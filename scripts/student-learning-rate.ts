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
import { writeJsonAtomic } from "../lib/io/atomic";
import { readJsonFile } from "../lib/io/json-file";
import { learningRateCheckPath } from "../lib/analysis/learning-rate-choice";
import { UserError } from "../lib/errors";
import { arg, runScript } from "./script-args";
import { defaultStudentRecipe, trainOnValidation } from "./student-validation-run";

async function main(): Promise<void> {
  const name = arg("student");
  const rates = arg("lr").split(",").map(Number);
  if (rates.some((r) => !(r > 0))) throw new UserError(`--lr: positive numbers separated by commas, got ${arg("lr")}`);
  const seed = Number(arg("seed", "42"));
  const out = arg("out", learningRateCheckPath());
  // One file holds runs of one recipe: runs of another (the profile's width, steps or schedule changed since) are refused
  // before any training, so the file never mixes them under a recipe that describes only some.
  const fileRecipe = defaultStudentRecipe();
  const existing = existsSync(out) ? (readJsonFile(out, "learning-rate check") as { recipe?: unknown }).recipe : undefined;
  if (existing !== undefined && JSON.stringify(existing) !== JSON.stringify(fileRecipe)) {
    throw new UserError(`${out} holds runs of recipe ${JSON.stringify(existing)}, not this profile's ${JSON.stringify(fileRecipe)}: give another --out`);
  }
  for (const learningRate of rates) {
    const run = await trainOnValidation({ student: name, seed, learningRate, augmentation: null, log: (m) => console.error(`[lr] ${m}`) });
    const file = existsSync(out) ? (readJsonFile(out, "learning-rate check") as Record<string, unknown>) : {};
    const runs = (file.runs ?? {}) as Record<string, unknown>;
    runs[`${name}/lr${learningRate}/seed${seed}`] = { ...run.entry, command: `npx tsx scripts/student-learning-rate.ts --student ${name} --lr ${learningRate} --seed ${seed}` };
    // The file's other keys are kept; its description, recipe (checked above) and chance level are this script's.
    writeJsonAtomic(out, {
      ...file,
      description: "Student learning rate on the default profile (width, steps, batch, validation schedule unchanged), scored on the " +
        "VALIDATION split only (held-out validation recordings; the loop's own validation mAP). No eval score is computed here.",
      recipe: fileRecipe,
      chanceValidationMAP: run.chanceValidationMAP,
      runs,
    });
    console.error(`[lr] ${name} lr ${learningRate} seed ${seed}: best validation mAP ${run.entry.bestValidationMAP} at step ${run.entry.bestStep}; curve ${run.curve}`);
  }
}

runScript(main);
