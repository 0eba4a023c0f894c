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
import { chunkFrames, cutChunks } from "../data/chunks";
import { N_MELS } from "../audio/frontend";
import { mixTargets } from "../engine/loss";
import { UserError } from "../errors";
import type { StudentSettings } from "./config";
import { evaluateModelAsync } from "./evaluate";
import { stackBatch, type FeatureSource } from "./features";
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
  teacher: TeacherTargetSource;
  targetOptions: TargetOptions;
  features: FeatureSource;
  createTrainer: TrainerFactory;
  resume: boolean;
  workers?: number | "auto";
  classNames?: readonly string[];
  abortAfterSteps?: number;
}

function chunksOf(rows: readonly ManifestLikeRow[], features: FeatureSource, chunkSeconds: number, hopSeconds: number): StudentChunk[] {
  const out: StudentChunk[] = [];
  for (const row of rows) {
    const clipFrames = features.clipFrames(row.filename);
    for (const c of cutChunks(row.duration, chunkSeconds, hopSeconds)) {
      const range = chunkFrames(c);
      if (range.start >= clipFrames) continue;
      out.push({ filename: row.filename, start: range.start, end: Math.min(range.end, clipFrames), weak: row.labels });
    }
  }
  return out;
}

export async function trainStudent(options: TrainStudentOptions): Promise<LoopResult> {
  const C = options.numClasses;
  const { alpha } = options.settings;
  const source = options.teacher;
  if (source.kind === "none" && alpha !== 0) throw new UserError(`student.alpha = ${alpha} needs a teacher (only α = 0, the weak baseline, trains without one)`);
  let chunks: StudentChunk[];
  let offlineTargets: Float32Array | undefined;
  if (source.kind === "table") {
    const t = source.table;
    const frameCount = new Map<string, number>();
    chunks = t.filenames.map((filename, r) => {
      if (!frameCount.has(filename)) frameCount.set(filename, options.features.clipFrames(filename));
      const range = chunkFrames({ index: t.chunkIndex[r], from: t.from[r], to: t.to[r] });
      return { filename, start: range.start, end: Math.min(range.end, frameCount.get(filename)!), weak: t.weak[r] };
    });
    // Targets for the whole table at once: pure and fast, recomputed whenever target options change.
    offlineTargets = mixTargets(chunkTargets(t, options.targetOptions, options.classNames), weakTargets(t.weak, C), alpha);
  } else {
    chunks = chunksOf(options.train, options.features, options.chunkSeconds, options.hopSeconds);
  }

  const model = createMobileNetV2({ numClasses: C, widthMult: options.settings.widthMult }, options.seed);
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
        const frames = items.map((c) => options.features.readFrames(c.filename, c.start, c.end));
        const batch = stackBatch(frames);
        const weak = weakTargets(items.map((c) => c.weak), C);
        let targets: Float32Array;
        if (offlineTargets) {
          targets = new Float32Array(indices.length * C);
          indices.forEach((chunk, k) => targets.set(offlineTargets!.subarray(chunk * C, (chunk + 1) * C), k * C));
        } else if (source.kind === "online") {
          // The teacher sees each chunk unpadded (equal-length groups), like the offline annotation.
          const scores = await predictClipsAsync(source.teacher, frames.map((data) => ({ data, frames: data.length / N_MELS })), { batchSize: indices.length });
          const probs = new Float32Array(indices.length * C);
          scores.forEach((s, k) => probs.set(s, k * C));
          const teacherTargets = chunkTargets({ numClasses: C, probs, weak: items.map((c) => c.weak) }, options.targetOptions, options.classNames);
          targets = mixTargets(teacherTargets, weak, alpha);
        } else {
          targets = weak;
        }
        return { input: batch.input, frames: batch.frames, targets };
      },
      validate: (m) => evaluateModelAsync(m, options.validation, options.features, { classNames: options.classNames }),
      resume: options.resume,
      label: "student",
      abortAfterSteps: options.abortAfterSteps,
    });
  } finally {
    model.dispose();
  }
}
