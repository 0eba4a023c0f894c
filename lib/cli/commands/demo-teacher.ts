/** `psl demo-teacher`: trains the shipped demo teacher (lib/series/demo-teacher.ts) and writes it with its recipe. */
import { integerFlag, parseCommandArgs } from "../args";
import type { Command } from "../command";
import { UserError } from "../../errors";
import { DEMO_TEACHER_RECIPE, trainDemoTeacher } from "../../series/demo-teacher";
import { demoTeacherDir } from "../../series/settings";
import { augmentationFromText } from "../../data/augment";

const usage = `usage: psl demo-teacher [--out DIR] [--steps N] [--width W] [--augmentation JSON|none]

Trains the demo corpus' teacher with the kit's own pipeline (MobileNetV2 width ${DEMO_TEACHER_RECIPE.widthMult}, ${DEMO_TEACHER_RECIPE.steps} Adam
steps of ${DEMO_TEACHER_RECIPE.batchSize} clips on the default corpus' full split, validation every ${DEMO_TEACHER_RECIPE.validateEverySteps} steps on the
val split's own recordings, best checkpoint kept) and writes teacher.safetensors, recipe.json, history.json and
eval.json (eval split, true and noisy labels) to DIR (default ${demoTeacherDir()}).
This is the command that produced the committed teacher; the notebooks use it unless --set retrainTeacher=true.
  --steps   optimizer steps (default ${DEMO_TEACHER_RECIPE.steps}); --steps N larger than a cached run continues it
            (an interrupted run continues from its last checkpoint too)
  --width   MobileNetV2 width multiplier (default ${DEMO_TEACHER_RECIPE.widthMult})
  --augmentation  mixup / SpecAugment masks on the training batches, e.g.
            '{"mixupAlpha":1,"timeMasks":2,"timeMaskFrames":64,"freqMasks":2,"freqMaskBins":8}' (fields left out are
            off), or none (default: ${DEMO_TEACHER_RECIPE.augmentation ? JSON.stringify(DEMO_TEACHER_RECIPE.augmentation) : "none"})`;

/** A word a POSIX shell reads back as itself: as it is when plain, else in single quotes. */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

export const demoTeacherCommand: Command = {
  name: "demo-teacher",
  summary: "train the shipped demo teacher (checkpoint + recipe + curve + eval)",
  usage,
  async run(args) {
    const values = parseCommandArgs({ args, options: { out: { type: "string" }, steps: { type: "string" }, width: { type: "string" }, augmentation: { type: "string" } }, strict: true }, usage).values as Record<string, string | undefined>;
    let widthMult: number | undefined;
    if (values.width !== undefined) {
      widthMult = Number(values.width);
      if (!(widthMult > 0 && widthMult <= 2)) throw new UserError(`--width must be a number in (0, 2], got "${values.width}"`);
    }
    const steps = values.steps === undefined ? undefined : integerFlag("steps", values.steps, 0, 1);
    // Recorded in recipe.json as a command to paste: arguments with shell characters (the --augmentation JSON) quoted.
    const command = ["npx psl demo-teacher", ...args.map(shellWord)].join(" ");
    const augmentation = values.augmentation === undefined ? undefined : augmentationFromText(values.augmentation, "--augmentation");
    const result = await trainDemoTeacher({ outDir: values.out, steps, widthMult, augmentation, command });
    console.log(`demo teacher: ${result.dir} (eval mAP against the true labels ${(100 * result.evalTruthMAP).toFixed(2)} %)`);
    return 0;
  },
};
