/**
 * The GPU measurement of issue 15 in one process (bundled by scripts/gpu/prepare.sh, run by scripts/gpu/run.sh on a
 * bare GPU machine): the kit's full-width 527-class MobileNetV2 on the webgpu backend — training step 32 × 2 s with its
 * dispatch count, inference on 10-s clips, annotation throughput (10-s clips → 2-s chunks, as psl annotate) — next to
 * PyTorch CUDA on the same GPU in the same run. Refuses a software adapter: the figures must be a GPU's.
 *
 *   node gpu-bench.cjs [outDir]    → <outDir>/gpu-bench.json and gpu-bench.md (default: the current folder)
 *
 * PSL_GPU_SMOKE=1 checks the plumbing without a GPU (SwiftShader accepted, tiny shapes, figures meaningless).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { initBackend } from "../../lib/nn/backend";
import { formatBench, runBench, type BenchResult } from "../../bench/run";

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

function table(r: BenchResult): string {
  const f = (x: number | undefined | null, d = 0) => (x === undefined || x === null || !Number.isFinite(x) ? "–" : x.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d }));
  const cuda = r.pytorchCuda;
  return [
    `| width ${r.widthMult}, 527 classes | kit on WebGPU (${r.adapter}) | PyTorch ${cuda?.torch ?? "(n/a)"} CUDA (same GPU, same run) |`,
    "| --- | --- | --- |",
    `| train step, ${r.trainStep.batch} × ${r.trainStep.chunkSeconds} s | ${f(r.trainStep.msMedian, 1)} ms | ${f(cuda?.trainStep.msMedian, 1)} ms |`,
    `| inference, batch ${r.inference.batch} × ${r.inference.clipSeconds}-s clips | ${f(r.inference.clipsPerSecond)} clips/s | ${f(cuda?.inference.clipsPerSecond)} clips/s |`,
    `| annotation, ${r.annotation?.clipSeconds}-s clips → ${r.annotation?.chunkSeconds}-s chunks, ${r.annotation?.batch} chunks a pass | ${f(r.annotation?.clipsPerSecond)} clips/s | – |`,
    `| compute dispatches per training step | ${r.trainStep.dispatchesPerStep} | – |`,
  ].join("\n");
}

async function main(): Promise<void> {
  const out = process.argv[2] ?? ".";
  const smoke = process.env.PSL_GPU_SMOKE === "1";
  const info = await initBackend({ preferred: "webgpu" });
  if (!info.adapter || (info.adapter.software && !smoke)) throw new Error(`no hardware GPU adapter (${info.reason}): not measuring a CPU-emulated GPU`);
  const result = await runBench({
    steps: smoke ? 1 : env("PSL_GPU_STEPS", 5),
    rounds: 1,
    batch: smoke ? 2 : env("PSL_GPU_BATCH", 32),
    chunkSeconds: smoke ? 0.5 : 2,
    widthMult: smoke ? 0.25 : 1,
    inferBatch: smoke ? 1 : env("PSL_GPU_INFER_BATCH", 64),
    annotation: smoke ? { clips: 2, rounds: 1 } : true,
    pytorch: false,
    pytorchCuda: true,
    frontEnd: false,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  writeFileSync(join(out, "gpu-bench.json"), `${JSON.stringify(result, null, 2)}\n`);
  const markdown = `${table(result)}\n\n${formatBench(result)}\n`;
  writeFileSync(join(out, "gpu-bench.md"), markdown);
  process.stdout.write(markdown);
}

main().then(() => process.exit(0), (error) => {
  console.error(error);
  process.exit(1);
});
