/**
 * Engine benchmarks: one training step of the full-width 527-class MobileNetV2 on a batch of 2 s chunks
 * (forward + BCE + backward + Adam, through the same trainer the pipeline uses), and eval-mode inference
 * on 10 s clips (folded BatchNorm). Inputs are random: speed does not depend on values.
 */
import { createMobileNetV2 } from "../lib/model/mobilenetv2";
import { createTrainer } from "../lib/engine/trainer";
import { foldModel } from "../lib/engine/infer";

/** Frames of a chunk of `seconds` (hop 10 ms, centred STFT: 100 per second + 1). */
export const framesFor = (seconds: number) => Math.round(seconds * 100) + 1;

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function noise(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let a = seed >>> 0;
  for (let i = 0; i < n; i++) {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    out[i] = (a / 4294967296) * 8 - 4;
  }
  return out;
}

export interface TrainStepBench {
  batch: number;
  chunkSeconds: number;
  msMedian: number;
  chunksPerSecond: number;
  /** Every timed step (ms), warm-up excluded. */
  msAll: number[];
  workers: number;
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
  const frames = framesFor(chunkSeconds);
  const model = createMobileNetV2({ numClasses: classes, widthMult: o.widthMult ?? 1 }, 0);
  const trainer = await createTrainer(model, { seed: 0, workers: o.workers ?? "auto" });
  const input = noise(batch * frames * 64, 1);
  const targets = noise(batch * classes, 2).map((v) => (v + 4) / 8);
  const times: number[] = [];
  try {
    for (let i = 0; i < warmup + steps; i++) {
      const t = performance.now();
      await trainer.step({ input, batchSize: batch, frames, targets });
      const ms = performance.now() - t;
      if (i >= warmup) times.push(ms);
      o.log?.(`train step ${i + 1}/${warmup + steps}${i < warmup ? " (warm-up)" : ""}: ${ms.toFixed(0)} ms`);
    }
    const ms = median(times);
    return { batch, chunkSeconds, msMedian: ms, chunksPerSecond: batch / (ms / 1000), msAll: times, workers: trainer.workers };
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
}

export async function benchInference(o: { steps?: number; batch?: number; clipSeconds?: number; numClasses?: number; log?: (line: string) => void } = {}): Promise<InferenceBench> {
  const batch = o.batch ?? 8, clipSeconds = o.clipSeconds ?? 10, steps = o.steps ?? 3;
  const frames = framesFor(clipSeconds);
  const model = createMobileNetV2({ numClasses: o.numClasses ?? 527, widthMult: 1 }, 0);
  const folded = foldModel(model);
  const input = noise(batch * frames * 64, 3);
  const times: number[] = [];
  try {
    for (let i = 0; i < 1 + steps; i++) {
      const t = performance.now();
      folded.predict(input, batch, frames);
      const ms = performance.now() - t;
      if (i >= 1) times.push(ms);
      o.log?.(`inference batch ${i + 1}/${1 + steps}${i < 1 ? " (warm-up)" : ""}: ${ms.toFixed(0)} ms`);
    }
    const ms = median(times);
    return { batch, clipSeconds, msMedian: ms, clipsPerSecond: batch / (ms / 1000) };
  } finally {
    folded.dispose();
    model.dispose();
  }
}
