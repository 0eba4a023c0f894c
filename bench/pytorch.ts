/**
 * The PyTorch CPU baseline, measured by bench/reference/pytorch_bench.py with Debian's /usr/bin/python3 (2 threads,
 * the same MobileNetV2 from scripts/torch/psl_reference.py, Adam step included). Returns null without torch.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { N_MELS, framesForSeconds } from "../lib/audio/frontend";
import { findRepoRoot } from "../lib/io/repo-root";

export interface PytorchBench {
  torch: string;
  threads: number;
  /** cpuMsAll: process CPU time per step (all threads). */
  trainStep: { batch: number; chunkSeconds: number; msMedian: number; chunksPerSecond: number; msAll: number[]; cpuMsAll: number[] };
  /** null with skipInference. */
  inference: { batch: number; clipSeconds: number; msMedian: number; clipsPerSecond: number; cpuMsMedian: number } | null;
}

/** bench/reference/pytorch_bench.py of this checkout. */
export function pytorchBenchScript(): string | undefined {
  const root = findRepoRoot(__dirname);
  const path = root && join(root, "bench", "reference", "pytorch_bench.py");
  return path && existsSync(path) ? path : undefined;
}

export function pytorchAvailable(python = "/usr/bin/python3"): boolean {
  if (!existsSync(python)) return false;
  return spawnSync(python, ["-c", "import torch"], { encoding: "utf8", timeout: 60_000 }).status === 0;
}

export function benchPytorch(o: { steps?: number; threads?: number; batch?: number; chunkSeconds?: number; widthMult?: number; inferBatch?: number; python?: string; skipInference?: boolean; device?: "cpu" | "cuda" } = {}): PytorchBench | null {
  const python = o.python ?? "/usr/bin/python3";
  const script = pytorchBenchScript();
  if (!script || !pytorchAvailable(python)) return null;
  const chunkSeconds = o.chunkSeconds ?? 2, clipSeconds = 10;
  const args = [
    script, "--steps", String(o.steps ?? 5), "--threads", String(o.threads ?? 2), "--batch", String(o.batch ?? 32),
    "--chunk-seconds", String(chunkSeconds), "--frames", String(framesForSeconds(chunkSeconds)),
    "--clip-seconds", String(clipSeconds), "--clip-frames", String(framesForSeconds(clipSeconds)), "--mel-bins", String(N_MELS),
    "--width-mult", String(o.widthMult ?? 1), "--infer-batch", String(o.inferBatch ?? 8), "--device", o.device ?? "cpu", ...(o.skipInference ? ["--skip-inference"] : []),
  ];
  const run = spawnSync(python, args, { encoding: "utf8", timeout: 1_800_000, maxBuffer: 16 << 20 });
  if (run.status !== 0) throw new Error(`pytorch_bench.py failed (exit ${run.status}): ${(run.stderr ?? "").trim().split("\n").slice(-3).join(" | ")}`);
  return JSON.parse(run.stdout.trim().split("\n").pop()!) as PytorchBench;
}
