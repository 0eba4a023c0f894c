/**
 * Why the weak student's AUC stays far below issue 13's 0.85, measured as the issue suggests ("eval mAP vs ... model
 * width"): the default profile's weak student (the students' 500 balanced clips with their noisy weak labels, the same
 * steps, learning rate, batch and validation-selected checkpoint) at several MobileNetV2 widths, scored on the eval
 * split against the TRUE labels. Width 0.25 is the default (its runs are the series' own, found in the cache); 1.0 is
 * the paper's student. `--student psl-2s` does the same for PSL-2s (the shipped teacher's 2-s table; the teacher does
 * not change, only the student's width): with the weak curve it gives the PSL-2s / weak ratio by width.
 *
 * Only the width moves: the learning rate stays the one chosen on validation at the default width (lib/series/
 * settings.ts), so a wider model is not retuned; the file says so. The eval scores explain a missed target; nothing is
 * chosen from them (no setting of the kit comes from this file).
 *   nice -n 10 npx tsx scripts/weak-by-model-width.ts --widths 0.25,0.5,1 --seeds 42,43,44 [--student weak|psl-2s]
 * Default out: data-manifests/demo/curves/<student>-by-model-width.json (entries merged by width × seed).
 */
import { MAX_WIDTH_MULT } from "../lib/psl/config";
import { MODEL_WIDTH_STUDENTS, modelWidthPath, type ModelWidthStudent } from "../lib/analysis/model-width-curve";
import { arg, choiceArg, numbersArg, runScript } from "./script-args";
import { keptCheckpointOnEval } from "./kept-checkpoint-eval";
import { checkFileRecipe, defaultLearningRate, recordRun, round, trainOnValidation, validationContext } from "./student-validation-run";

const DESCRIPTIONS: Record<ModelWidthStudent, string> = {
  weak: "The default profile's weak student (the students' balanced clips, noisy weak labels)",
  "psl-2s": "The default profile's PSL-2s student (the students' balanced clips cut into 2-s chunks, the shipped teacher's " +
    "soft targets; the teacher is the same at every width)",
};

async function main(): Promise<void> {
  const widths = numbersArg("widths", "0.25,0.5,1", (w) => w > 0 && w <= MAX_WIDTH_MULT, `a width in (0, ${MAX_WIDTH_MULT}]`);
  const seeds = numbersArg("seeds", "42", Number.isInteger, "a whole-number seed");
  const student = choiceArg("student", "weak", MODEL_WIDTH_STUDENTS);
  const what = `${student} model by width`;
  const out = arg("out", modelWidthPath(student));
  const recipe = checkFileRecipe(out, what, "default", ["widthMult"]);
  const context = await validationContext();
  const learningRate = defaultLearningRate(student);
  for (const seed of seeds) {
    for (const widthMult of widths) {
      // Only the students' width changes: the data and the teacher (its own width) are the context's.
      const run = await trainOnValidation({ ...context, params: { ...context.params, widthMult } }, {
        student, seed, learningRate, augmentation: null, log: (m) => console.error(`[by-width] ${m}`),
      });
      const metrics = await keptCheckpointOnEval(context.series, run.entry.runDir);
      recordRun(out, what,
        `${DESCRIPTIONS[student]} at several MobileNetV2 ` +
          `widths; every other setting the default's, the learning rate too (${learningRate}, chosen on validation at ` +
          "width 0.25, not retuned per width); kept checkpoints selected on validation as always, then scored on the eval " +
          "split against the true labels to explain a missed target (weak AUC; PSL-2s / weak). Nothing is chosen from these eval scores.",
        {
          key: `w${widthMult}/seed${seed}`,
          entry: {
            widthMult, ...run.entry,
            secondsPerStep: run.entry.steps ? round(run.entry.trainingSeconds / run.entry.steps) : null,
            evalTrueLabels: metrics,
            command: `npx tsx scripts/weak-by-model-width.ts --widths ${widthMult} --seeds ${seed}${student === "weak" ? "" : ` --student ${student}`}`,
          },
          chanceValidationMAP: run.chanceValidationMAP, recipe,
        });
      console.error(`[by-width] width ${widthMult} seed ${seed}: eval mAP ${metrics.mAP}, mean AUC ${metrics.meanAUC}; best validation mAP ${run.entry.bestValidationMAP} at step ${run.entry.bestStep}`);
    }
  }
}

runScript(main);
