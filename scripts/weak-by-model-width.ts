/**
 * Why the weak student's AUC stays far below issue 13's 0.85, measured as the issue suggests ("eval mAP vs ... model
 * width"): the default profile's weak student (the students' 500 balanced clips with their noisy weak labels, the same
 * steps, learning rate, batch and validation-selected checkpoint) at several MobileNetV2 widths, scored on the eval
 * split against the TRUE labels. Width 0.25 is the default (its runs are the series' own, found in the cache); 1.0 is
 * the paper's student.
 *
 * Only the width moves: the learning rate stays the one chosen on validation at the default width (lib/series/
 * settings.ts), so a wider model is not retuned; the file says so. The eval scores explain a missed target; nothing is
 * chosen from them (no setting of the kit comes from this file).
 *   nice -n 10 npx tsx scripts/weak-by-model-width.ts --widths 0.25,0.5,1 --seeds 42,43,44
 * Default out: data-manifests/demo/curves/weak-by-model-width.json (entries merged by width × seed).
 */
import { repoPath } from "../lib/io/repo-root";
import { MAX_WIDTH_MULT } from "../lib/psl/config";
import { arg, numbersArg, runScript } from "./script-args";
import { keptCheckpointOnEval } from "./kept-checkpoint-eval";
import { checkFileRecipe, defaultLearningRate, recordRun, round, trainOnValidation, validationContext } from "./student-validation-run";

const WHAT = "weak model by width";

async function main(): Promise<void> {
  const widths = numbersArg("widths", "0.25,0.5,1", (w) => w > 0 && w <= MAX_WIDTH_MULT, `a width in (0, ${MAX_WIDTH_MULT}]`);
  const seeds = numbersArg("seeds", "42", Number.isInteger, "a whole-number seed");
  const out = arg("out", repoPath("data-manifests", "demo", "curves", "weak-by-model-width.json"));
  const recipe = checkFileRecipe(out, WHAT, "default", ["widthMult"]);
  const context = await validationContext();
  const learningRate = defaultLearningRate("weak");
  for (const seed of seeds) {
    for (const widthMult of widths) {
      // Only the students' width changes: the data and the (unused by weak) teacher are the context's.
      const run = await trainOnValidation({ ...context, params: { ...context.params, widthMult } }, {
        student: "weak", seed, learningRate, augmentation: null, log: (m) => console.error(`[by-width] ${m}`),
      });
      const metrics = await keptCheckpointOnEval(context.series, run.entry.runDir);
      recordRun(out, WHAT,
        "The default profile's weak student (the students' balanced clips, noisy weak labels) at several MobileNetV2 " +
          `widths; every other setting the default's, the learning rate too (${learningRate}, chosen on validation at ` +
          "width 0.25, not retuned per width); kept checkpoints selected on validation as always, then scored on the eval " +
          "split against the true labels to explain the weak-AUC target's miss. Nothing is chosen from these eval scores.",
        {
          key: `w${widthMult}/seed${seed}`,
          entry: {
            widthMult, ...run.entry,
            secondsPerStep: run.entry.steps ? round(run.entry.trainingSeconds / run.entry.steps) : null,
            evalTrueLabels: metrics,
            command: `npx tsx scripts/weak-by-model-width.ts --widths ${widthMult} --seeds ${seed}`,
          },
          chanceValidationMAP: run.chanceValidationMAP, recipe,
        });
      console.error(`[by-width] width ${widthMult} seed ${seed}: eval mAP ${metrics.mAP}, mean AUC ${metrics.meanAUC}; best validation mAP ${run.entry.bestValidationMAP} at step ${run.entry.bestStep}`);
    }
  }
}

runScript(main);
