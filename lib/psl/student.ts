/**
 * The student, trained on chunks: target = α·(teacher targets) + (1 − α)·(weak labels) — equivalent to the paper's
 * α·BCE(student, teacher) + (1 − α)·BCE(student, weak) because BCE is linear in its target (lib/engine/loss.ts).
 * α = 1: PSL; α = 0.5: teacher-student; α = 0: the weak baseline (no teacher needed). The student's width is
 * independent of the teacher's.
 *
 * Teacher targets come from the offline PSL table (default; thresholds/top-k/weak combination applied on the fly), or,
 * in online mode (as the reference), from running the teacher on each training batch.
 */
import type { MobileNetV2 } from "../model/mobilenetv2";
import { createMobileNetV2 } from "../model/mobilenetv2";
import { predictClipsAsync } from "../model/predict";
import { mixTargets } from "../engine/loss";
import { foldModel } from "../engine/infer";
import { N_MELS } from "../audio/frontend";
import { UserError } from "../errors";
import type { StudentSettings } from "./config";
import { evaluateModelAsync } from "./evaluate";
import { chunkRanges, inputFramesFor } from "./chunking";
import { padToLength, type FeatureSource } from "./features";
import { runTrainingLoop, type LoopResult, type TrainerFactory } from "./loop";
import type { PslTable } from "./table";
import { chunkTargets, weakTargets, type TargetOptions } from "./targets";
import type { ManifestLikeRow } from "./teacher";

/** One training chunk. */
export interface StudentChunk {
  filename: string;
  start: number;
  end: number;
  weak: readonly number[];
}

export type TeacherTargetSource =
  /** Weak baseline (α must be 0). */
  | { kind: "none" }
  /** Offline: the PSL table of the training clips. */
  | { kind: "table"; table: PslTable }
  /** Online: the teacher runs on every batch. */
  | { kind: "online"; teacher: MobileNetV2 };

export interface TrainStudentOptions {
  dir: string;
  settings: StudentSettings;
  numClasses: number;
  seed: number;
  /** Training clips (chunked here for online / weak modes; the table's rows are used in offline mode). */
  train: readonly ManifestLikeRow[];
  validation: readonly ManifestLikeRow[];
  chunkSeconds: number;
  hopSeconds: number;
  /** Chunks after a clip's first shorter than this are dropped (default 0: none); must match the annotation's. */
  minChunkSeconds?: number;
  teacher: TeacherTargetSource;
  targetOptions: TargetOptions;
  features: FeatureSource;
  createTrainer: TrainerFactory;
  resume: boolean;
  workers?: number | "auto";
  classNames?: readonly string[];
  abortAfterSteps?: number;
}

export async function trainStudent(options: TrainStudentOptions): Promise<LoopResult> {
  const C = options.numClasses;
  const { alpha } = options.settings;
  const source = options.teacher;
  if (source.kind === "none" && alpha !== 0) throw new UserError(`student.alpha = ${alpha} needs a teacher (only α = 0, the weak baseline, trains without one)`);
  // The chunks (and the one padded input length) are those of the annotation: lib/psl/chunking.ts.
  const chunking = { chunkSeconds: options.chunkSeconds, hopSeconds: options.hopSeconds, minChunkSeconds: options.minChunkSeconds ?? 0 };
  const ranges = chunkRanges(options.train, options.features, chunking);
  const inputFrames = inputFramesFor(chunking, ranges);
  const chunks: StudentChunk[] = ranges.map((c) => ({ filename: c.filename, start: c.start, end: c.end, weak: options.train[c.row].labels }));
  let offlineTargets: Float32Array | undefined;
  if (source.kind === "table") {
    const t = source.table;
    // The table's rows are these chunks in this order (it was annotated from the same clips with the same chunking);
    // anything else would pair targets with the wrong audio.
    const mismatch = t.filenames.length !== ranges.length ? -2 : ranges.findIndex((c, r) => t.filenames[r] !== c.filename || t.chunkIndex[r] !== c.index);
    if (mismatch !== -1) {
      throw new UserError(
        `the PSL table (${t.filenames.length} chunks) does not match the student's training clips cut into ${options.chunkSeconds}-s chunks ` +
          `(${ranges.length} chunks${mismatch >= 0 ? `; first difference at chunk ${mismatch}: ${ranges[mismatch].filename} #${ranges[mismatch].index}` : ""}); annotate these clips with this chunking`,
      );
    }
    // Targets for the whole table at once: pure and fast, recomputed whenever target options change.
    offlineTargets = mixTargets(chunkTargets(t, options.targetOptions, options.classNames), weakTargets(t.weak, C), alpha);
  }

  const model = createMobileNetV2({ numClasses: C, widthMult: options.settings.widthMult }, options.seed);
  // The online teacher folded once (lib/engine/infer.ts): its weights never change while the student trains.
  const onlineTeacher = source.kind === "online" ? foldModel(source.teacher) : undefined;
  try {
    return await runTrainingLoop({
      dir: options.dir,
      model,
      settings: options.settings,
      seed: options.seed,
      workers: options.workers,
      createTrainer: options.createTrainer,
      numItems: chunks.length,
      itemLabels: (i) => chunks[i].weak,
      async makeBatch(indices) {
        const items = indices.map((i) => chunks[i]);
        const input = padToLength(items.map((c) => options.features.readFrames(c.filename, c.start, c.end)), inputFrames);
        const weak = weakTargets(items.map((c) => c.weak), C);
        let targets: Float32Array;
        if (offlineTargets) {
          targets = new Float32Array(indices.length * C);
          indices.forEach((chunk, k) => targets.set(offlineTargets!.subarray(chunk * C, (chunk + 1) * C), k * C));
        } else if (onlineTeacher) {
          // The teacher scores the student's own padded input (as the reference's online teacher, and the offline annotation).
          const perItem = inputFrames * N_MELS;
          const rows = items.map((_, k) => ({ data: input.subarray(k * perItem, (k + 1) * perItem), frames: inputFrames }));
          const scores = await predictClipsAsync(onlineTeacher, rows, { batchSize: indices.length });
          const probs = new Float32Array(indices.length * C);
          scores.forEach((s, k) => probs.set(s, k * C));
          const teacherTargets = chunkTargets({ numClasses: C, probs, weak: items.map((c) => c.weak) }, options.targetOptions, options.classNames);
          targets = mixTargets(teacherTargets, weak, alpha);
        } else {
          targets = weak;
        }
        return { input, frames: inputFrames, targets };
      },
      validate: (m) => evaluateModelAsync(m, options.validation, options.features, { classNames: options.classNames }),
      resume: options.resume,
      label: "student",
      abortAfterSteps: options.abortAfterSteps,
    });
  } finally {
    onlineTeacher?.dispose();
    model.dispose();
  }
}
