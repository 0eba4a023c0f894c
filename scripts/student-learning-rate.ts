/**
 * Student learning rate, chosen on VALIDATION only (issue 13): trains one student of the default profile (its width,
 * step budget, batch, validation schedule; only Adam's learning rate changes) at each given learning rate and records
 * the validation curve the loop writes. Nothing here touches the eval split: no eval score is computed, so the choice
 * made from this file cannot be tuned on eval.
 *   nice -n 10 npx tsx scripts/student-learning-rate.ts --student weak --lr 0.001,0.002,0.004 [--seed 42] [--out FILE]
 * Default out: data-manifests/demo/curves/student-learning-rate.json (one entry per student × learning rate × seed,
 * merged into what the file holds). Cached corpus, features, PSL tables and finished runs are reused.
 */
import { learningRateCheckPath } from "../lib/analysis/learning-rate-choice";
import { UserError } from "../lib/errors";
import { arg, runScript } from "./script-args";
import { checkFileRecipe, recordRun, trainOnValidation, validationContext } from "./student-validation-run";

const WHAT = "learning-rate check";

async function main(): Promise<void> {
  const name = arg("student");
  const rates = arg("lr").split(",").map(Number);
  if (rates.some((r) => !(r > 0))) throw new UserError(`--lr: positive numbers separated by commas, got ${arg("lr")}`);
  const seed = Number(arg("seed", "42"));
  const out = arg("out", learningRateCheckPath());
  checkFileRecipe(out, WHAT);
  const context = await validationContext();
  for (const learningRate of rates) {
    const run = await trainOnValidation(context, { student: name, seed, learningRate, augmentation: null, log: (m) => console.error(`[lr] ${m}`) });
    recordRun(out, WHAT,
      "Student learning rate on the default profile (width, steps, batch, validation schedule unchanged), scored on the " +
        "VALIDATION split only (held-out validation recordings; the loop's own validation mAP). No eval score is computed here.",
      {
        key: `${name}/lr${learningRate}/seed${seed}`,
        entry: { ...run.entry, command: `npx tsx scripts/student-learning-rate.ts --student ${name} --lr ${learningRate} --seed ${seed}` },
        chanceValidationMAP: run.chanceValidationMAP,
      });
    console.error(`[lr] ${name} lr ${learningRate} seed ${seed}: best validation mAP ${run.entry.bestValidationMAP} at step ${run.entry.bestStep}; curve ${run.curve}`);
  }
}

runScript(main);
