/**
 * The shipped demo teacher. The paper's students learn from a released teacher (mobilenetv2_mAP40_53.pt, trained on all
 * of AudioSet); the demo does the same with a teacher trained by this kit's own pipeline on the demo corpus' large
 * `full` split, committed under data-manifests/demo/teacher/ with everything needed to judge and regenerate it:
 *   teacher.safetensors   the best checkpoint (by validation mAP, validation = the corpus' own val recordings)
 *   recipe.json           training settings, corpus key and sizes, the command, wall time, machine
 *   history.json          validation curve (loss, val mAP/AUC per period, steps)
 *   eval.json             eval-split scores against the TRUE labels and against the NOISY eval labels, per class
 * Regenerate: `npx psl demo-teacher` (about 60 min on 2 cores with nothing else running); the notebooks retrain it live with
 * `--set retrainTeacher=true`. A corpus whose key differs from the recipe's (other seed, sizes, sources or generator
 * version) cannot use the shipped teacher: the series says so and names both commands.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { UserError } from "../errors";
import { writeJsonAtomic } from "../io/atomic";
import { readManifest } from "../data/manifest";
import { ensureDemoCorpus } from "../demo";
import { demoDataset } from "../demo/dataset";
import { loadModel } from "../model/checkpoint";
import { evaluateModelAsync } from "../psl/evaluate";
import type { TeacherSettings } from "../psl/config";
import type { AugmentationSettings } from "../data/augment";
import { resolveData, runExperiment } from "../psl/pipeline";
import { DEMO_TEACHER, demoTeacherDir, seriesConfig } from "./settings";
import { teacherEvalFile, type TeacherEvalFile } from "../analysis/teacher-eval-file";

/** How the shipped teacher is trained (bigger and longer-trained than the students, like the paper's). */
export const DEMO_TEACHER_RECIPE = DEMO_TEACHER;


export interface DemoTeacherRecipeFile {
  corpusKey: string;
  demoProfile: "default" | "quick";
  demoSeed: number;
  teacher: Partial<TeacherSettings>;
  seed: number;
  command: string;
  /** Wall time of this command (small when the teacher was found in the cache). */
  wallSeconds: number;
  /** Wall time of the training itself (sum over validation periods of history.json). */
  trainingSeconds: number;
  machine: string;
  trainClips: number;
  validationClips: number;
  evalClips: number;
  labelNoise: unknown;
}

/** The shipped teacher's checkpoint path, checked against the corpus it will label (`corpusKey`). */
export function shippedTeacher(corpusKey: string): { checkpoint: string; recipe: DemoTeacherRecipeFile } {
  const dir = demoTeacherDir();
  const checkpoint = join(dir, "teacher.safetensors");
  const recipePath = join(dir, "recipe.json");
  if (!existsSync(checkpoint) || !existsSync(recipePath)) {
    throw new UserError(`no shipped demo teacher in ${dir}: run \`npx psl demo-teacher\` once, or use --set retrainTeacher=true`);
  }
  const recipe = JSON.parse(readFileSync(recipePath, "utf8")) as DemoTeacherRecipeFile;
  if (recipe.corpusKey !== corpusKey) {
    throw new UserError(
      `the shipped demo teacher (${recipePath}) was trained on demo corpus ${recipe.corpusKey}, but this run's corpus is ${corpusKey} ` +
        `(other seed, sizes, source list or generator version): regenerate it with \`npx psl demo-teacher\`, or train one live with --set retrainTeacher=true`,
    );
  }
  return { checkpoint, recipe };
}

/** The shipped teacher's eval.json (eval mAP on held-out recordings, true and noisy labels), or null when absent. */
export function shippedTeacherEval(): TeacherEvalFile | null {
  return teacherEvalFile(join(demoTeacherDir(), "eval.json"));
}

function readHistorySeconds(path: string): number {
  const history = JSON.parse(readFileSync(path, "utf8")) as { seconds: number }[];
  return history.reduce((sum, h) => sum + h.seconds, 0);
}

export interface TrainDemoTeacherOptions {
  outDir?: string;
  steps?: number;
  widthMult?: number;
  /** Mixup / SpecAugment on the teacher's batches instead of the recipe's (null = none); absent = the recipe's. */
  augmentation?: AugmentationSettings | null;
  command?: string;
  /**
   * The demo corpus size. The shipped teacher is trained on "default"; "quick" (a tiny corpus) exists so that a test can
   * run this whole command (corpus, training, eval files) in seconds.
   */
  profile?: "default" | "quick";
}

/** Trains the demo teacher with DEMO_TEACHER_RECIPE through the kit's pipeline and writes the shipped files. */
export async function trainDemoTeacher(options: TrainDemoTeacherOptions = {}): Promise<{ dir: string; evalTruthMAP: number; trainingDir: string }> {
  const started = Date.now();
  const outDir = options.outDir ?? demoTeacherDir();
  const recipe = { ...DEMO_TEACHER_RECIPE, ...(options.steps !== undefined ? { steps: options.steps } : {}), ...(options.widthMult !== undefined ? { widthMult: options.widthMult } : {}) };
  const profile = options.profile ?? "default";
  const corpus = await ensureDemoCorpus({ profile, seed: 0, renderSplits: ["full", "balanced", "val", "eval"] });
  // The same config the notebook series builds for a live retrain (retrainTeacher: true), so both give one teacher.
  const config = seriesConfig({ profile, retrainTeacher: true, teacherSteps: recipe.steps }, { name: "demo-teacher", seed: recipe.seed });
  if (options.widthMult !== undefined) config.teacher.widthMult = options.widthMult;
  if (options.augmentation !== undefined) config.teacher.augmentation = options.augmentation;
  const teacher = config.teacher;
  // The demo corpus is a named dataset: it brings the teacher's training split (`full`).
  // resume: an interrupted training (Ctrl-C, kill) continues from its last checkpoint instead of starting over.
  const result = await runExperiment(config, { until: "teacher", datasets: [demoDataset], resume: true });
  if (!result.teacher) throw new Error("pipeline returned no teacher");
  mkdirSync(outDir, { recursive: true });
  copyFileSync(result.teacher.checkpoint, join(outDir, "teacher.safetensors"));
  copyFileSync(join(result.teacher.dir, "history.json"), join(outDir, "history.json"));

  // Eval on held-out recordings: against the complete truth and against AudioSet-like noisy eval labels.
  const data = await resolveData(config, undefined, { datasets: [demoDataset] });
  const model = loadModel(result.teacher.checkpoint);
  const evalNames = new Set(data.eval.map((r) => r.filename));
  const noisyRows = readManifest(corpus.splits.eval.noisyManifest).filter((r) => evalNames.has(r.filename));
  const r4 = (v: number) => Number(v.toFixed(4));
  let evalTruthMAP = 0;
  try {
    const truth = await evaluateModelAsync(model, data.eval, data.features, { classNames: data.classNames });
    const noisy = await evaluateModelAsync(model, noisyRows, data.features, { classNames: data.classNames });
    evalTruthMAP = truth.mAP;
    const summary = (m: typeof truth) => ({ mAP: r4(m.mAP), meanAUC: r4(m.meanAUC), dPrime: r4(m.dPrime), clips: m.numClips, classes: m.numClassesEvaluated });
    writeJsonAtomic(join(outDir, "eval.json"), {
      split: "eval (held-out recordings)",
      truth: summary(truth),
      noisy: summary(noisy),
      perClass: truth.perClass.filter((c) => c.ap !== null).map((c) => ({ index: c.index, name: c.name, ap: r4(c.ap ?? 0), auc: c.auc === null ? null : r4(c.auc) })),
    });
  } finally {
    model.dispose();
  }
  const file: DemoTeacherRecipeFile = {
    corpusKey: corpus.key,
    demoProfile: profile,
    demoSeed: 0,
    teacher,
    seed: recipe.seed,
    command: options.command ?? "npx psl demo-teacher",
    wallSeconds: Math.round((Date.now() - started) / 1000),
    trainingSeconds: Math.round(readHistorySeconds(join(outDir, "history.json"))),
    machine: `${cpus().length} cores (${cpus()[0]?.model ?? "unknown CPU"}), node ${process.version}`,
    trainClips: data.teacherTrain.length,
    validationClips: data.validation.length,
    evalClips: data.eval.length,
    labelNoise: corpus.labelNoise,
  };
  writeJsonAtomic(join(outDir, "recipe.json"), file);
  return { dir: outDir, evalTruthMAP, trainingDir: result.teacher.dir };
}
