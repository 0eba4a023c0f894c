/**
 * Student augmentation, judged on VALIDATION only (issue 13): trains students of the default profile (its width, step
 * budget, batch, validation schedule and each student's learning rate; only `student.augmentation` changes) with and
 * without the given augmentation over the given seeds, and records each run's validation curve. No eval score is
 * computed, so a choice made from this file cannot be tuned on eval. Runs without augmentation are the default run's
 * own students (reused from the cache when `npm run reproduce` ran in this checkout).
 *   nice -n 10 npx tsx scripts/student-augmentation.ts --students weak,psl-2s --seeds 42,43,44
 *     --augmentation '{"mixupAlpha":1,"freqMasks":2,"freqMaskBins":8}' [--out FILE]
 * Default out: data-manifests/demo/curves/student-augmentation.json (one entry per student × augmentation × seed, merged
 * into what the file holds); the summary per student × augmentation (mean best validation mAP over the seeds) is
 * rewritten from all entries each time.
 */
import { repoPath } from "../lib/io/repo-root";
import { UserError } from "../lib/errors";
import { augmentationFromText, describeAugmentation } from "../lib/data/augment";
import { arg, runScript } from "./script-args";
import { checkFileRecipe, defaultLearningRate, recordRun, round, trainOnValidation, validationContext, type ValidationRunEntry } from "./student-validation-run";

const WHAT = "student augmentation check";

async function main(): Promise<void> {
  const students = arg("students").split(",");
  const seeds = arg("seeds", "42").split(",").map(Number);
  if (seeds.some((s) => !Number.isSafeInteger(s))) throw new UserError(`--seeds: integers separated by commas, got ${arg("seeds")}`);
  const augmentation = augmentationFromText(arg("augmentation"), "--augmentation");
  const out = arg("out", repoPath("data-manifests", "demo", "curves", "student-augmentation.json"));
  checkFileRecipe(out, WHAT);
  const learningRates = new Map(students.map((student) => [student, defaultLearningRate(student)]));
  const context = await validationContext();
  for (const seed of seeds) {
    for (const student of students) {
      // Each student with and without the augmentation, so the file always holds the pair it compares.
      for (const setting of [null, augmentation]) {
        const label = describeAugmentation(setting);
        const run = await trainOnValidation(context, { student, seed, learningRate: learningRates.get(student)!, augmentation: setting, log: (m) => console.error(`[aug] ${m}`) });
        recordRun(out, WHAT,
          "Student augmentation on the default profile (width, steps, batch, validation schedule and learning rates unchanged), " +
            "scored on the VALIDATION split only (held-out validation recordings). No eval score is computed here.",
          {
            key: `${student}/${label}/seed${seed}`,
            entry: { ...run.entry, command: `npx tsx scripts/student-augmentation.ts --students ${student} --seeds ${seed} --augmentation '${JSON.stringify(augmentation)}'` },
            chanceValidationMAP: run.chanceValidationMAP,
          },
          (runs) => ({ summary: summarise(Object.values(runs) as ValidationRunEntry[]) }));
        console.error(`[aug] ${student} (${label}) seed ${seed}: best validation mAP ${run.entry.bestValidationMAP} at step ${run.entry.bestStep}; curve ${run.curve}`);
      }
    }
  }
}

/** Mean best validation mAP per student × augmentation over the seeds run. */
function summarise(runs: readonly ValidationRunEntry[]): Record<string, { seeds: number[]; meanBestValidationMAP: number }> {
  const groups = new Map<string, ValidationRunEntry[]>();
  for (const run of runs) {
    const key = `${run.student}/${describeAugmentation(run.augmentation)}`;
    groups.set(key, [...(groups.get(key) ?? []), run]);
  }
  return Object.fromEntries([...groups].map(([key, group]) => [key, {
    seeds: group.map((r) => r.seed).sort((a, b) => a - b),
    meanBestValidationMAP: round(group.reduce((a, r) => a + r.bestValidationMAP, 0) / group.length),
  }]));
}

runScript(main);
