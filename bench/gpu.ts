/**
 * The GPU path's extra figures for `psl bench`: annotation throughput (what a GPU does in the big scale-out job) and
 * the PyTorch CUDA baseline measured in the same run when torch with CUDA is importable.
 */
import { spawnSync } from "node:child_process";
import { N_MELS, framesForSeconds } from "../lib/audio/frontend";
import { uniformNoise } from "../lib/data/random";
import { median } from "../lib/evaluation/median";
import { createMobileNetV2 } from "../lib/model/mobilenetv2";
import { annotateClips } from "../lib/psl/annotate";
import { memoryFeatureSource } from "../lib/psl/features";
import { benchPytorch, pytorchBenchScript, type PytorchBench } from "./pytorch";

export interface AnnotationBench {
  clips: number;
  clipSeconds: number;
  chunkSeconds: number;
  batch: number;
  msMedian: number;
  clipsPerSecond: number;
}

/**
 * Annotation as `psl annotate` runs it (lib/psl/annotate.ts: folded teacher, chunks of `chunkSeconds` without
 * overlap, `batch` chunks per forward pass, probabilities read back), on `clips` clips of `clipSeconds` held in memory:
 * the figure excludes reading features from disk, which a shared volume makes site-specific.
 */
export async function benchAnnotation(o: { clips?: number; clipSeconds?: number; chunkSeconds?: number; batch?: number; rounds?: number; widthMult?: number; numClasses?: number; log?: (line: string) => void } = {}): Promise<AnnotationBench> {
  const clips = o.clips ?? 64, clipSeconds = o.clipSeconds ?? 10, chunkSeconds = o.chunkSeconds ?? 2, batch = o.batch ?? 160, rounds = o.rounds ?? 3;
  const frames = framesForSeconds(clipSeconds);
  const teacher = createMobileNetV2({ numClasses: o.numClasses ?? 527, widthMult: o.widthMult ?? 1 }, 0);
  const rows = Array.from({ length: clips }, (_, i) => ({ filename: `clip-${i}`, labels: [0], duration: clipSeconds }));
  const features = memoryFeatureSource(new Map(rows.map((r, i) => [r.filename, { data: uniformNoise(frames * N_MELS, 10 + i, -4, 4), frames }])));
  const times: number[] = [];
  try {
    for (let r = 0; r < 1 + rounds; r++) {
      const t = performance.now();
      await annotateClips(teacher, rows, features, { chunkSeconds, hopSeconds: chunkSeconds, batchSize: batch });
      const ms = performance.now() - t;
      if (r > 0) times.push(ms);
      o.log?.(`annotation round ${r + 1}/${1 + rounds}${r === 0 ? " (warm-up)" : ""}: ${clips} clips in ${ms.toFixed(0)} ms`);
    }
  } finally {
    teacher.dispose();
  }
  const ms = median(times);
  return { clips, clipSeconds, chunkSeconds, batch, msMedian: ms, clipsPerSecond: clips / (ms / 1000) };
}

/** A python whose torch sees a CUDA device: PSL_TORCH_PYTHON, python3 on PATH, then Debian's. */
function cudaPython(): string | undefined {
  for (const python of [process.env.PSL_TORCH_PYTHON, "python3", "/usr/bin/python3"]) {
    if (!python) continue;
    const r = spawnSync(python, ["-c", "import sys, torch; sys.exit(0 if torch.cuda.is_available() else 1)"], { encoding: "utf8", timeout: 120_000 });
    if (r.status === 0) return python;
  }
  return undefined;
}

/** PyTorch on CUDA with the same shapes (bench/reference/pytorch_bench.py --device cuda); null without CUDA torch. */
export function benchPytorchCuda(o: { steps?: number; batch?: number; chunkSeconds?: number; widthMult?: number; inferBatch?: number } = {}): PytorchBench | null {
  const python = pytorchBenchScript() ? cudaPython() : undefined;
  return python ? benchPytorch({ ...o, steps: o.steps ?? 10, python, device: "cuda" }) : null;
}
