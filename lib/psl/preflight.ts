/**
 * Checks an experiment makes before any stage runs, so that a mistake costs seconds, not a trained teacher:
 * - where the teacher comes from (a config with no teacher source is an error naming both fields);
 * - that nothing the run writes is one of its inputs (a manifest, the class list, the teacher, the config file).
 * Field values themselves are checked by validateConfig (./config.ts).
 */
import { join } from "node:path";
import { UserError } from "../errors";
import { isInsideFolder, refuseOutputsOverInputs, type NamedPath } from "../io/same-file";
import type { ExperimentConfig } from "./config";

/**
 * The teacher needs a source: a pretrained checkpoint (`teacher.checkpoint`), a manifest to train it on
 * (`data.teacherTrain`), a named dataset that brings a teacher split (the demo corpus), or the explicit
 * `teacher.selfDistillation` opt-in. The kit used to fall back silently to training the teacher on the student's own
 * clips, which is self-distillation, not the paper's method (its teacher saw all of AudioSet).
 */
export function checkTeacherSource(config: ExperimentConfig, datasetHasTeacherSplit: boolean, source = "config"): void {
  if (config.teacher.checkpoint !== null || config.data.teacherTrain !== null || config.teacher.selfDistillation || datasetHasTeacherSplit) return;
  throw new UserError(
    `${source}: no teacher source: set teacher.checkpoint (a pretrained teacher, e.g. the authors' mobilenetv2_mAP40_53.pt) ` +
      `or data.teacherTrain (a manifest to train the teacher on). Training the teacher on the student's own clips is ` +
      `self-distillation, not the paper's method; set teacher.selfDistillation to true to do that on purpose`,
  );
}

/** The files an experiment reads, as named in the config (plus `extra`, e.g. the --config file). */
export function experimentInputs(config: ExperimentConfig, namedDataset: boolean, extra: readonly NamedPath[] = []): NamedPath[] {
  const inputs: NamedPath[] = [...extra];
  for (const key of ["teacherTrain", "studentTrain", "validation", "eval", "classLabels"] as const) {
    const path = config.data[key];
    if (path) inputs.push({ what: `data.${key}`, path });
  }
  if (!namedDataset && config.dataset !== "audioset" && config.data.studentTrain === null) inputs.push({ what: "dataset manifest", path: config.dataset });
  if (config.teacher.checkpoint) inputs.push({ what: "teacher.checkpoint", path: config.teacher.checkpoint });
  return inputs;
}

/**
 * Refuses a run whose outputs would overwrite an input: the metrics reports (fixed names under reportsDir/name), and
 * the cache's feature and annotation folders (no input may live there). A teacher checkpoint may live in the cache's
 * teacher or student folders (re-using a trained model is normal): the student stage checks its own folder
 * (`refuseTeacherInside`).
 */
export function refuseStageOverwrites(config: ExperimentConfig, namedDataset: boolean, extraInputs: readonly NamedPath[] = []): void {
  const inputs = experimentInputs(config, namedDataset, extraInputs);
  const reportDir = join(config.reportsDir, config.name);
  const outputs: NamedPath[] = [];
  for (const model of ["student", "teacher"]) {
    for (const file of ["metrics.json", "per_class.csv"]) outputs.push({ what: `the ${model}'s report`, path: join(reportDir, model, file) });
  }
  refuseOutputsOverInputs(inputs, outputs);
  for (const stage of ["features", "annotation", "teacher", "student"]) {
    const folder = join(config.cacheDir, stage);
    for (const input of inputs) {
      if (input.what === "teacher.checkpoint" && (stage === "teacher" || stage === "student")) continue;
      if (isInsideFolder(input.path, folder)) {
        throw new UserError(`${input.what} ${input.path} lies inside the cache folder ${folder}, which this run writes: move it out of cacheDir`);
      }
    }
  }
}

/** The student's artefact folder must not hold the teacher checkpoint it is about to be trained from. */
export function refuseTeacherInside(config: ExperimentConfig, dir: string): void {
  const teacher = config.teacher.checkpoint;
  if (teacher && isInsideFolder(teacher, dir)) {
    throw new UserError(`teacher.checkpoint ${teacher} lies inside ${dir}, the folder this student is written to: copy the teacher elsewhere first`);
  }
}
