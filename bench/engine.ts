/**
 * Engine benchmarks: one training step of the full-width 527-class MobileNetV2 on a batch of 2 s chunks
 * (forward + BCE + backward + Adam, through the same trainer the pipeline uses), and eval-mode inference
 * on 10 s clips (folded BatchNorm). Inputs are random: speed does not depend on values.
 * On the webgpu backend a training step also reports its compute dispatches (the GPU path's cost measure).
 */
import * as tf from "@tensorflow/tfjs";
import { N_MELS, framesForSeconds } from "../lib/audio/frontend";
import { uniformNoise } from "../lib/data/random";
import { createTrainer } from "../lib/engine/trainer";
import { foldModel } from "../lib/engine/infer";
import { median } from "../lib/evaluation/median";
import { createMobileNetV2 } from "../lib/model/mobilenetv2";
import { dispatchCount } from "../lib/nn/webgpu/runtime";

export interface TrainStepBench {
  batch: number;
  chunkSeconds: number;
  msMedian: number;
  chunksPerSecond: number;
  /** Every timed step (ms), warm-up excluded. */
  msAll: number[];
  /** CPU time of the process (all threads, workers included) per timed step: steadier than wall time under load. */
  cpuMsAll: number[];
  workers: number;
  /** Compute dispatches of one timed step on the webgpu backend (null on the others). */
  dispatchesPerStep: number | null;
}

export interface TrainStepOptions {
  steps?: number;
  warmup?: number;
  batch?: number;
  chunkSeconds?: number;
  numClasses?: number;
  widthMult?: number;
  workers?: number | "auto";
  log?: (line: string) => void;
}

export async function benchTrainStep(o: TrainStepOptions = {}): Promise<TrainStepBench> {
  const batch = o.batch ?? 32, chunkSeconds = o.chunkSeconds ?? 2, classes = o.numClasses ?? 527;
  const steps = o.steps ?? 5, warmup = o.warmup ?? 2;
  const frames = framesForSeconds(chunkSeconds);
  const model = createMobileNetV2({ numClasses: classes, widthMult: o.widthMult ?? 1 }, 0);
  const trainer = await createTrainer(model, { seed: 0, workers: o.workers ?? "auto" });
  const input = uniformNoise(batch * frames * N_MELS, 1, -4, 4);
  const targets = uniformNoise(batch * classes, 2, 0, 1);
  const times: number[] = [];
  const cpuTimes: number[] = [];
  const gpu = tf.getBackend() === "webgpu";
  let dispatches: number | null = null;
  try {
    for (let i = 0; i < warmup + steps; i++) {
      const t = performance.now();
      const cpu = process.cpuUsage();
      const before = dispatchCount();
      await trainer.step({ input, batchSize: batch, frames, targets });
      const ms = performance.now() - t;
      const used = process.cpuUsage(cpu);
      if (i >= warmup) {
        times.push(ms);
        cpuTimes.push((used.user + used.system) / 1000);
      }
      if (gpu) dispatches = dispatchCount() - before;
      o.log?.(`train step ${i + 1}/${warmup + steps}${i < warmup ? " (warm-up)" : ""}: ${ms.toFixed(0)} ms${gpu ? `, ${dispatches} dispatches` : ""}`);
    }
    const ms = median(times);
    return { batch, chunkSeconds, msMedian: ms, chunksPerSecond: batch / (ms / 1000), msAll: times, cpuMsAll: cpuTimes, workers: trainer.workers, dispatchesPerStep: dispatches };
  } finally {
    await trainer.dispose();
    model.dispose();
  }
}

export interface InferenceBench {
  batch: number;
  clipSeconds: number;
  msMedian: number;
  clipsPerSecond: number;
  /** Median CPU time per batch. */
  cpuMsMedian: number;
}

export async function benchInference(o: { steps?: number; batch?: number; clipSeconds?: number; numClasses?: number; widthMult?: number; log?: (line: string) => void } = {}): Promise<InferenceBench> {
  const batch = o.batch ?? 8, clipSeconds = o.clipSeconds ?? 10, steps = o.steps ?? 3;
  const frames = framesForSeconds(clipSeconds);
  const model = createMobileNetV2({ numClasses: o.numClasses ?? 527, widthMult: o.widthMult ?? 1 }, 0);
  const folded = foldModel(model);
  const input = uniformNoise(batch * frames * N_MELS, 3, -4, 4);
  const times: number[] = [];
  const cpuTimes: number[] = [];
  try {
    for (let i = 0; i < 1 + steps; i++) {
      const t = performance.now();
      const cpu = process.cpuUsage();
      // Read back asynchronously: the only way on webgpu, the same cost elsewhere.
      await folded.predictAsync(input, batch, frames);
      const ms = performance.now() - t;
      const used = process.cpuUsage(cpu);
      if (i >= 1) {
        times.push(ms);
        cpuTimes.push((used.user + used.system) / 1000);
      }
      o.log?.(`inference batch ${i + 1}/${1 + steps}${i < 1 ? " (warm-up)" : ""}: ${ms.toFixed(0)} ms`);
    }
    const ms = median(times);
    return { batch, clipSeconds, msMedian: ms, clipsPerSecond: batch / (ms / 1000), cpuMsMedian: median(cpuTimes) };
  } finally {
    folded.dispose();
    model.dispose();
  }
}
