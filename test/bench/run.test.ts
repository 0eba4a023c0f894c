/** bench/run.ts: the table `npm run bench` prints, and the module `psl bench` loads from the checkout. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as run from "../../bench/run";
import type { BenchResult } from "../../bench/run";
import { loadBenchRunner, type BenchRunner } from "../../lib/cli/commands/bench";
import { repoPath } from "../../lib/io/repo-root";

const base: BenchResult = {
  backend: "wasm",
  adapter: null,
  widthMult: 1,
  trainStep: { batch: 32, chunkSeconds: 2, msMedian: 2000, chunksPerSecond: 16, workers: 2, dispatchesPerStep: null },
  inference: { clipsPerSecond: 25, batch: 8, clipSeconds: 10 },
  frontEnd: { realtimeFactor: 1150.4, msPer10sClip: 8.7, minMsPer10sClip: 8.1, cpuMsPer10sClip: 8.5, torchaudioMsPer10sClip: null, torchaudioCpuMsPer10sClip: null },
  cpu: { trainStepMs: 3000, inferenceMs: 250, pytorchTrainStepMs: null, pytorchOneThreadTrainStepMs: null, pytorchInferenceMs: null },
  pytorch: null,
  pytorchOneThread: null,
  ratios: null,
  annotation: null,
  pytorchCuda: null,
  conditions: { cores: 2, loadAverage: [1.5, 1.25, 1], rounds: 1, stepsPerRound: 5 },
  rounds: [{ ours: { trainMs: 2000, inferenceClipsPerSecond: 25 }, pytorch: null }],
};

test("formatBench without PyTorch: our figures, n/a for theirs, and the conditions", () => {
  const lines = run.formatBench(base).split("\n");
  assert.match(lines[0], /ours \(wasm, 2 workers\)\s+PyTorch \(n\/a\)\s+ours \/ PyTorch/);
  assert.match(lines[1], /^-+  -+/);
  assert.match(lines.find((l) => l.startsWith("train step"))!, /train step, batch 32 × 2 s \(ms, median\)\s+2000\s+n\/a/);
  assert.match(lines.find((l) => l.startsWith("front-end log-mel"))!, /1150\s+$/);
  assert.match(lines.find((l) => l.startsWith("train step CPU"))!, /3000\s+n\/a\s+n\/a$/);
  assert.equal(lines.at(-1), "conditions: 2 cores, load average 1.5 / 1.25 / 1, 1 round(s) × 5 steps, ours and PyTorch back-to-back");
});

test("formatBench with PyTorch: throughput and inference ratios, and the ratio to PyTorch's 1-thread run", () => {
  const text = run.formatBench({
    ...base,
    pytorch: { threads: 2, torch: "1.13.0", trainStep: { batch: 32, chunkSeconds: 2, msMedian: 2400, chunksPerSecond: 13.33 }, inference: { clipsPerSecond: 20 } },
    pytorchOneThread: { trainStep: { msMedian: 3200, chunksPerSecond: 10 } },
    frontEnd: { ...base.frontEnd!, torchaudioMsPer10sClip: 6.96, torchaudioCpuMsPer10sClip: 6.8 },
    cpu: { ...base.cpu, pytorchTrainStepMs: 4100, pytorchOneThreadTrainStepMs: 3600, pytorchInferenceMs: 400 },
    ratios: {
      trainThroughput: 1.2, inference: 1.25, trainThroughputVsBestPytorch: 1.2,
      trainCpuVsPytorchOneThread: 1.2, inferenceCpu: 1.6, frontEnd: 0.8, frontEndCpu: 0.8,
    },
  });
  assert.match(text, /PyTorch 1\.13\.0 \(2 threads\)/);
  assert.match(text, /train throughput \(chunks\/s\)\s+16\.0\s+13\.3\s+1\.20/);
  assert.match(text, /train throughput vs PyTorch 1 thread \(chunks\/s\)\s+10\.0\s+1\.60/);
  assert.match(text, /inference, 10 s clips \(clips\/s\)\s+25\.0\s+20\.0\s+1\.25/);
  assert.match(text, /train step CPU time \(ms; PyTorch: 1 thread\)\s+3000\s+3600\s+1\.20/);
  assert.match(text, /inference CPU time per batch \(ms\)\s+250\s+400\s+1\.60/);
  assert.match(text, /front-end ms per 10 s clip \(median; torchaudio\)\s+8\.7\s+7\.0\s+0\.80/);
});

test("formatBench on webgpu: the adapter, the dispatches per step, annotation and PyTorch CUDA rows", () => {
  const text = run.formatBench({
    ...base,
    backend: "webgpu",
    adapter: "NVIDIA H200",
    widthMult: 0.5,
    trainStep: { ...base.trainStep, msMedian: 200, chunksPerSecond: 160, workers: 0, dispatchesPerStep: 411 },
    annotation: { clips: 64, clipSeconds: 10, chunkSeconds: 2, batch: 160, msMedian: 100, clipsPerSecond: 640 },
    pytorchCuda: { torch: "2.11.0", trainStep: { msMedian: 20, chunksPerSecond: 1600 }, inference: { batch: 8, clipsPerSecond: 2000 } },
  });
  assert.match(text, /ours \(webgpu on NVIDIA H200, 0 workers, width 0\.5\)/);
  assert.match(text, /GPU dispatches per training step\s+411/);
  assert.match(text, /annotation, 10 s clips → 2 s chunks \(clips\/s\)\s+640\.0/);
  assert.match(text, /PyTorch 2\.11\.0 CUDA: train step \(ms\)\s+20\.0\s+0\.100/);
  assert.match(text, /PyTorch CUDA: inference, batch 8 \(clips\/s\)\s+2000\s+0\.013/);
});

test("psl bench loads this checkout's bench/run.ts, which has the shape the command expects", () => {
  const typed: BenchRunner<BenchResult> = run; // compile-time: bench/run.ts satisfies the command's contract
  assert.equal(typeof typed.runBench, "function");
  assert.equal(loadBenchRunner().formatBench, run.formatBench);
});

test("psl bench through the launcher: usage on a bad flag, exit 2", () => {
  const r = spawnSync(process.execPath, [repoPath("lib", "bin", "psl.js"), "bench", "--bogus"], { encoding: "utf8", timeout: 120_000 });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /psl bench: Unknown option '--bogus'/);
});
