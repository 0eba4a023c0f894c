/**
 * `psl bench`: our training step / inference / front-end next to PyTorch CPU on the same machine in the same run.
 *
 * Other processes may load the machine, so ours and PyTorch run back-to-back, `rounds` times alternating, and the
 * medians over all rounds are reported (each round's figures are kept in `rounds`).
 *
 * PyTorch's own 2-thread run degrades badly when the 2 cores are shared with other processes (its OpenMP threads
 * wait on each other; README "Benchmarks" has a measurement). So the training step is also timed with 1 thread
 * (`pytorchOneThread`), and `ratios.trainThroughputVsBestPytorch` compares with the faster of the two: the
 * conservative figure when the machine is not idle.
 */
import * as os from "node:os";
import { median } from "../lib/evaluation/median";
import { activeBackend } from "../lib/nn/backend";
import { benchFrontEnd } from "./frontend";
import { benchInference, benchTrainStep, type InferenceBench, type TrainStepBench } from "./engine";
import { benchAnnotation, benchPytorchCuda, type AnnotationBench } from "./gpu";
import { benchPytorch, type PytorchBench } from "./pytorch";

export interface BenchOptions {
  steps?: number;
  rounds?: number;
  workers?: number | "auto";
  pytorch?: boolean;
  frontEnd?: boolean;
  log?: (line: string) => void;
  /** Training batch, chunk length and model width (defaults 32, 2 s, 1.0: the paper's student step). */
  batch?: number;
  chunkSeconds?: number;
  widthMult?: number;
  /** Clips per inference batch (default 8). */
  inferBatch?: number;
  /** Also time annotation (10-s clips into chunkSeconds chunks through lib/psl/annotate.ts); an object sets its size. */
  annotation?: boolean | { clips?: number; rounds?: number };
  /** PyTorch CUDA in the same run when torch sees a GPU (default: as `pytorch`). */
  pytorchCuda?: boolean;
}

export interface BenchResult {
  backend: string;
  /** The GPU adapter on the webgpu backend ("NVIDIA H200", "SwiftShader driver 5.0.0", …), else null. */
  adapter: string | null;
  widthMult: number;
  trainStep: { batch: number; chunkSeconds: number; msMedian: number; chunksPerSecond: number; workers: number; dispatchesPerStep: number | null };
  inference: { clipsPerSecond: number; batch: number; clipSeconds: number };
  /** One core; torchaudio's figures (1 thread) when the PyTorch baseline runs. */
  frontEnd: {
    realtimeFactor: number; msPer10sClip: number; minMsPer10sClip: number; cpuMsPer10sClip: number;
    torchaudioMsPer10sClip: number | null; torchaudioCpuMsPer10sClip: number | null;
  } | null;
  /**
   * CPU time (all threads of the process) per training step / inference batch: less disturbed than wall time when other
   * processes share the cores (waiting for a core costs no CPU time). PyTorch's 2-thread figure includes its OpenMP
   * threads' spin-waiting; its 1-thread figure is its work.
   */
  cpu: { trainStepMs: number; inferenceMs: number; pytorchTrainStepMs: number | null; pytorchOneThreadTrainStepMs: number | null; pytorchInferenceMs: number | null };
  pytorch: { threads: number; torch: string; trainStep: { batch: number; chunkSeconds: number; msMedian: number; chunksPerSecond: number }; inference: { clipsPerSecond: number } } | null;
  /** PyTorch's training step with 1 thread (see above); null without torch. */
  pytorchOneThread: { trainStep: { msMedian: number; chunksPerSecond: number } } | null;
  /**
   * PyTorch time / ours (> 1: ours faster). trainCpuVsPytorchOneThread and inferenceCpu compare CPU time (work), the
   * frontEnd ratios compare with torchaudio on one core (median wall time, and CPU time).
   */
  ratios: {
    trainThroughput: number; inference: number; trainThroughputVsBestPytorch: number;
    trainCpuVsPytorchOneThread: number | null; inferenceCpu: number | null; frontEnd: number | null; frontEndCpu: number | null;
  } | null;
  /** Annotation throughput (with --annotation), else null. */
  annotation: AnnotationBench | null;
  /** PyTorch on CUDA, same shapes, same run — when torch with CUDA is importable; else null. */
  pytorchCuda: { torch: string; trainStep: { msMedian: number; chunksPerSecond: number }; inference: { batch: number; clipsPerSecond: number } } | null;
  conditions: { cores: number; loadAverage: number[]; rounds: number; stepsPerRound: number };
  rounds: { ours: { trainMs: number; inferenceClipsPerSecond: number }; pytorch: { trainMs: number; inferenceClipsPerSecond: number; oneThreadTrainMs: number | null } | null }[];
}

export async function runBench(o: BenchOptions = {}): Promise<BenchResult> {
  const rounds = o.rounds ?? 1, steps = o.steps ?? 5;
  const log = o.log ?? (() => {});
  const backend = activeBackend()?.name ?? "unknown";
  const shape = { batch: o.batch ?? 32, chunkSeconds: o.chunkSeconds ?? 2, widthMult: o.widthMult ?? 1 };
  const inferBatch = o.inferBatch ?? 8;
  const ours: { train: TrainStepBench; inference: InferenceBench }[] = [];
  const theirs: PytorchBench[] = [];
  const theirsOneThread: PytorchBench[] = [];
  let pytorchOn = o.pytorch ?? true;
  for (let r = 0; r < rounds; r++) {
    log(`round ${r + 1}/${rounds}: ours (${backend})`);
    const train = await benchTrainStep({ steps, workers: o.workers, log, ...shape });
    const inference = await benchInference({ steps: 3, log, batch: inferBatch, widthMult: shape.widthMult });
    ours.push({ train, inference });
    log(`  ours: train ${train.msMedian.toFixed(0)} ms/step (${train.workers} workers), inference ${inference.clipsPerSecond.toFixed(1)} clips/s`);
    if (pytorchOn) {
      log(`round ${r + 1}/${rounds}: PyTorch (/usr/bin/python3 bench/reference/pytorch_bench.py)`);
      const p = benchPytorch({ steps, ...shape, inferBatch });
      if (p === null) {
        log("  PyTorch not available (no /usr/bin/python3 with torch): pytorch = null");
        pytorchOn = false;
      } else {
        theirs.push(p);
        log(`  PyTorch ${p.torch}, ${p.threads} threads: train ${p.trainStep.msMedian.toFixed(0)} ms/step, inference ${p.inference?.clipsPerSecond.toFixed(1)} clips/s`);
        const one = benchPytorch({ steps, threads: 1, skipInference: true, ...shape });
        if (one) {
          theirsOneThread.push(one);
          log(`  PyTorch, 1 thread: train ${one.trainStep.msMedian.toFixed(0)} ms/step`);
        }
      }
    }
  }
  const trainMs = median(ours.flatMap((x) => x.train.msAll));
  const first = ours[0];
  const inferenceCps = median(ours.map((x) => x.inference.clipsPerSecond));
  let frontEnd: BenchResult["frontEnd"] = null;
  if (o.frontEnd ?? true) {
    log(`front-end (log-mel) benchmark${pytorchOn ? ", and torchaudio's" : ""}`);
    const fe = await benchFrontEnd({ torchaudio: pytorchOn });
    frontEnd = {
      realtimeFactor: fe.realtimeFactor, msPer10sClip: fe.msPer10sClip, minMsPer10sClip: fe.minMsPer10sClip, cpuMsPer10sClip: fe.cpuMsPer10sClip,
      torchaudioMsPer10sClip: fe.torchaudioMsPer10sClip ?? null, torchaudioCpuMsPer10sClip: fe.torchaudioCpuMsPer10sClip ?? null,
    };
  }
  const cpu: BenchResult["cpu"] = {
    trainStepMs: median(ours.flatMap((x) => x.train.cpuMsAll)),
    inferenceMs: median(ours.map((x) => x.inference.cpuMsMedian)),
    pytorchTrainStepMs: theirs.length > 0 ? median(theirs.flatMap((p) => p.trainStep.cpuMsAll)) : null,
    pytorchOneThreadTrainStepMs: theirsOneThread.length > 0 ? median(theirsOneThread.flatMap((p) => p.trainStep.cpuMsAll)) : null,
    pytorchInferenceMs: theirs.length > 0 ? median(theirs.map((p) => p.inference?.cpuMsMedian ?? NaN)) : null,
  };
  const annotation = o.annotation ? await benchAnnotation({ chunkSeconds: shape.chunkSeconds, widthMult: shape.widthMult, log, ...(typeof o.annotation === "object" ? o.annotation : {}) }) : null;
  const pytorchCuda = o.pytorchCuda ?? o.pytorch ?? true ? cudaBaseline(shape, inferBatch, log) : null;
  let pytorch: BenchResult["pytorch"] = null;
  let pytorchOneThread: BenchResult["pytorchOneThread"] = null;
  let ratios: BenchResult["ratios"] = null;
  if (theirs.length > 0) {
    const pMs = median(theirs.flatMap((p) => p.trainStep.msAll));
    const pCps = median(theirs.map((p) => p.inference?.clipsPerSecond ?? NaN));
    const oneMs = theirsOneThread.length > 0 ? median(theirsOneThread.flatMap((p) => p.trainStep.msAll)) : Infinity;
    if (Number.isFinite(oneMs)) pytorchOneThread = { trainStep: { msMedian: oneMs, chunksPerSecond: theirs[0].trainStep.batch / (oneMs / 1000) } };
    const t = theirs[0].trainStep;
    pytorch = {
      threads: theirs[0].threads, torch: theirs[0].torch,
      trainStep: { batch: t.batch, chunkSeconds: t.chunkSeconds, msMedian: pMs, chunksPerSecond: t.batch / (pMs / 1000) },
      inference: { clipsPerSecond: pCps },
    };
    const torchaudio = frontEnd?.torchaudioMsPer10sClip, torchaudioCpu = frontEnd?.torchaudioCpuMsPer10sClip;
    ratios = {
      trainThroughput: pMs / trainMs, inference: inferenceCps / pCps, trainThroughputVsBestPytorch: Math.min(pMs, oneMs) / trainMs,
      trainCpuVsPytorchOneThread: cpu.pytorchOneThreadTrainStepMs === null ? null : cpu.pytorchOneThreadTrainStepMs / cpu.trainStepMs,
      inferenceCpu: cpu.pytorchInferenceMs === null ? null : cpu.pytorchInferenceMs / cpu.inferenceMs,
      frontEnd: frontEnd && torchaudio ? torchaudio / frontEnd.msPer10sClip : null,
      frontEndCpu: frontEnd && torchaudioCpu ? torchaudioCpu / frontEnd.cpuMsPer10sClip : null,
    };
  }
  return {
    backend,
    adapter: activeBackend()?.adapter?.description ?? null,
    widthMult: shape.widthMult,
    trainStep: {
      batch: first.train.batch, chunkSeconds: first.train.chunkSeconds, msMedian: trainMs, chunksPerSecond: first.train.batch / (trainMs / 1000), workers: first.train.workers,
      dispatchesPerStep: first.train.dispatchesPerStep,
    },
    inference: { clipsPerSecond: inferenceCps, batch: first.inference.batch, clipSeconds: first.inference.clipSeconds },
    frontEnd,
    cpu,
    pytorch,
    pytorchOneThread,
    ratios,
    annotation,
    pytorchCuda,
    conditions: { cores: os.availableParallelism(), loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100), rounds, stepsPerRound: steps },
    rounds: ours.map((x, i) => ({
      ours: { trainMs: x.train.msMedian, inferenceClipsPerSecond: x.inference.clipsPerSecond },
      pytorch: theirs[i] ? { trainMs: theirs[i].trainStep.msMedian, inferenceClipsPerSecond: theirs[i].inference?.clipsPerSecond ?? NaN, oneThreadTrainMs: theirsOneThread[i]?.trainStep.msMedian ?? null } : null,
    })),
  };
}

/** PyTorch CUDA with the bench's shapes, when torch sees a GPU (logged either way). */
function cudaBaseline(shape: { batch: number; chunkSeconds: number; widthMult: number }, inferBatch: number, log: (line: string) => void): BenchResult["pytorchCuda"] {
  const cuda = benchPytorchCuda({ ...shape, inferBatch });
  if (!cuda) {
    log("PyTorch CUDA not available (no python with torch seeing a GPU): pytorchCuda = null");
    return null;
  }
  log(`PyTorch ${cuda.torch} CUDA: train ${cuda.trainStep.msMedian.toFixed(1)} ms/step, inference ${cuda.inference?.clipsPerSecond.toFixed(0)} clips/s`);
  return {
    torch: cuda.torch,
    trainStep: { msMedian: cuda.trainStep.msMedian, chunksPerSecond: cuda.trainStep.chunksPerSecond },
    inference: { batch: cuda.inference?.batch ?? inferBatch, clipsPerSecond: cuda.inference?.clipsPerSecond ?? NaN },
  };
}

/** The human-readable table `npm run bench` prints. */
export function formatBench(r: BenchResult): string {
  const f = (x: number | undefined, d = 1) => (x === undefined || !Number.isFinite(x) ? "n/a" : x.toFixed(d));
  const rows: [string, string, string, string][] = [
    ["", `ours (${r.backend}${r.adapter ? ` on ${r.adapter}` : ""}, ${r.trainStep.workers} workers${r.widthMult !== 1 ? `, width ${r.widthMult}` : ""})`, r.pytorch ? `PyTorch ${r.pytorch.torch} (${r.pytorch.threads} threads)` : "PyTorch (n/a)", "ours / PyTorch"],
    [`train step, batch ${r.trainStep.batch} × ${r.trainStep.chunkSeconds} s (ms, median)`, f(r.trainStep.msMedian, 0), f(r.pytorch?.trainStep.msMedian, 0), ""],
    ["train throughput (chunks/s)", f(r.trainStep.chunksPerSecond), f(r.pytorch?.trainStep.chunksPerSecond), f(r.ratios?.trainThroughput, 2)],
    ["train throughput vs PyTorch 1 thread (chunks/s)", "", f(r.pytorchOneThread?.trainStep.chunksPerSecond), f(r.pytorchOneThread ? r.trainStep.chunksPerSecond / r.pytorchOneThread.trainStep.chunksPerSecond : undefined, 2)],
    ["inference, 10 s clips (clips/s)", f(r.inference.clipsPerSecond), f(r.pytorch?.inference.clipsPerSecond), f(r.ratios?.inference, 2)],
    ["train step CPU time (ms; PyTorch: 1 thread)", f(r.cpu.trainStepMs, 0), f(r.cpu.pytorchOneThreadTrainStepMs ?? undefined, 0), f(r.ratios?.trainCpuVsPytorchOneThread ?? undefined, 2)],
    ["inference CPU time per batch (ms)", f(r.cpu.inferenceMs, 0), f(r.cpu.pytorchInferenceMs ?? undefined, 0), f(r.ratios?.inferenceCpu ?? undefined, 2)],
    ["front-end log-mel (× real time, 1 core)", r.frontEnd ? f(r.frontEnd.realtimeFactor, 0) : "n/a", "", ""],
    ["front-end ms per 10 s clip (median; torchaudio)", f(r.frontEnd?.msPer10sClip), f(r.frontEnd?.torchaudioMsPer10sClip ?? undefined), f(r.ratios?.frontEnd ?? undefined, 2)],
    ["front-end CPU ms per 10 s clip", f(r.frontEnd?.cpuMsPer10sClip), f(r.frontEnd?.torchaudioCpuMsPer10sClip ?? undefined), f(r.ratios?.frontEndCpu ?? undefined, 2)],
  ];
  if (r.trainStep.dispatchesPerStep !== null) rows.push(["GPU dispatches per training step", String(r.trainStep.dispatchesPerStep), "", ""]);
  if (r.annotation) rows.push([`annotation, ${r.annotation.clipSeconds} s clips → ${r.annotation.chunkSeconds} s chunks (clips/s)`, f(r.annotation.clipsPerSecond), "", ""]);
  if (r.pytorchCuda) {
    rows.push([`PyTorch ${r.pytorchCuda.torch} CUDA: train step (ms)`, "", f(r.pytorchCuda.trainStep.msMedian, 1), f(r.pytorchCuda.trainStep.msMedian / r.trainStep.msMedian, 3)]);
    rows.push([`PyTorch CUDA: inference, batch ${r.pytorchCuda.inference.batch} (clips/s)`, "", f(r.pytorchCuda.inference.clipsPerSecond, 0), f(r.inference.clipsPerSecond / r.pytorchCuda.inference.clipsPerSecond, 3)]);
  }
  const widths = [0, 1, 2, 3].map((c) => Math.max(...rows.map((row) => row[c].length)));
  const lines = rows.map((row) => row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join("  "));
  lines.splice(1, 0, widths.map((w) => "-".repeat(w)).join("  "));
  lines.push("", `conditions: ${r.conditions.cores} cores, load average ${r.conditions.loadAverage.join(" / ")}, ${r.conditions.rounds} round(s) × ${r.conditions.stepsPerRound} steps, ours and PyTorch back-to-back`);
  return lines.join("\n");
}
