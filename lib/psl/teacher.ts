/**
 * The teacher: a MobileNetV2 trained on weak clip labels (BCE on clip scores), or a pretrained one loaded from a kit
 * checkpoint or the authors' PyTorch `.pt`.
 *
 * Validation: the reference validates on its own training clips (its configs set cv_data = the balanced train list),
 * which rewards memorisation and makes early stopping meaningless; the kit validates on a HELD-OUT split.
 */
import { extname } from "node:path";
import { UserError } from "../errors";
import { createMobileNetV2, type MobileNetV2 } from "../model/mobilenetv2";
import { loadModel } from "../model/checkpoint";
import type { TeacherSettings } from "./config";
import { clipTargets, evaluateModelAsync, type ClipRow } from "./evaluate";
import { stackBatch, type FeatureSource } from "./features";
import { runTrainingLoop, type LoopResult, type TrainerFactory } from "./loop";

export interface ManifestLikeRow extends ClipRow {
  duration: number;
}

export interface TrainTeacherOptions {
  dir: string;
  settings: TeacherSettings;
  numClasses: number;
  seed: number;
  train: readonly ManifestLikeRow[];
  validation: readonly ManifestLikeRow[];
  features: FeatureSource;
  createTrainer: TrainerFactory;
  resume: boolean;
  workers?: number | "auto";
  classNames?: readonly string[];
  abortAfterSteps?: number;
}

/** Trains a teacher on full clips with their weak labels; returns the loop result (best checkpoint = the teacher). */
export async function trainTeacher(options: TrainTeacherOptions): Promise<LoopResult> {
  const C = options.numClasses;
  const model = createMobileNetV2({ numClasses: C, widthMult: options.settings.widthMult }, options.seed);
  try {
    return await runTrainingLoop({
      dir: options.dir,
      model,
      settings: options.settings,
      seed: options.seed,
      workers: options.workers,
      createTrainer: options.createTrainer,
      numItems: options.train.length,
      itemLabels: (i) => options.train[i].labels,
      makeBatch(indices) {
        const rows = indices.map((i) => options.train[i]);
        const { input, frames } = stackBatch(rows.map((r) => options.features.readFrames(r.filename, 0, options.features.clipFrames(r.filename))));
        return { input, frames, targets: clipTargets(rows, C) };
      },
      validate: (m) => evaluateModelAsync(m, options.validation, options.features, { classNames: options.classNames }),
      resume: options.resume,
      label: "teacher",
      abortAfterSteps: options.abortAfterSteps,
    });
  } finally {
    model.dispose();
  }
}

/**
 * Loads a pretrained teacher: a kit checkpoint (.safetensors) or a PyTorch checkpoint (.pt/.pth, e.g. the authors'
 * mobilenetv2_mAP40_53.pt) through the model's strict importer.
 */
export async function loadTeacher(path: string): Promise<MobileNetV2> {
  const ext = extname(path).toLowerCase();
  if (ext === ".pt" || ext === ".pth" || ext === ".ckpt") {
    // The PyTorch importer lives with the model (lib/model); loaded lazily so the pipeline works without it.
    let importer: { importTorchCheckpoint?: (p: string) => MobileNetV2 | Promise<MobileNetV2> };
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      importer = require("../model");
    } catch (error) {
      throw new UserError(`cannot load the PyTorch importer for ${path}: ${(error as Error).message}`);
    }
    if (!importer.importTorchCheckpoint) throw new UserError(`${path}: importing PyTorch checkpoints is not available in this build (lib/model importTorchCheckpoint)`);
    return importer.importTorchCheckpoint(path);
  }
  return loadModel(path);
}
