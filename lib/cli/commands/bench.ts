/**
 * `psl bench [--json] [--steps N] [--rounds R] [--workers N|auto] [--no-pytorch] [--batch B] [--width W]
 * [--chunk-seconds S] [--infer-batch K] [--annotation]`: training-step, inference and front-end speed of the kit next to
 * PyTorch CPU (and PyTorch CUDA where torch sees a GPU) measured in the same run (bench/run.ts).
 *
 * The benchmarks live in the repository's top-level bench/, beside lib/ (as arquero keeps perf/ beside src/), so they
 * are not part of the compiled library and lib/ never imports them. This command parses the flags, starts the
 * backend and loads bench/run.ts from the checkout at run time; `psl` runs through tsx, which compiles it on load.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { integerFlag, parseCommandArgs, positiveFlag } from "../args";
import type { Command } from "../command";
import { UserError } from "../../errors";
import { repoRoot } from "../../io/repo-root";
import { initBackend } from "../../nn/backend";

/** What `psl bench` needs from bench/run.ts (test/bench/run.test.ts checks that the module satisfies it). */
export interface BenchRunner<Result = unknown> {
  runBench(options: {
    steps: number; rounds: number; workers: number | "auto"; pytorch: boolean; frontEnd: boolean; log: (line: string) => void;
    batch: number; widthMult: number; chunkSeconds: number; inferBatch: number; annotation: boolean;
  }): Promise<Result>;
  formatBench(result: Result): string;
}

/** bench/run.ts of this checkout. */
export function loadBenchRunner(): BenchRunner {
  const path = join(repoRoot(), "bench", "run.ts");
  if (!existsSync(path)) throw new UserError(`psl bench runs the repository's benchmarks, and ${path} is missing`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path) as BenchRunner;
}

const usage = `usage: psl bench [--json] [--steps N] [--rounds R] [--workers N|auto] [--no-pytorch] [--no-front-end]
                 [--batch B] [--width W] [--chunk-seconds S] [--infer-batch K] [--annotation]

Times one training step of the full-width 527-class MobileNetV2 on 32 chunks of 2 s (forward, BCE, backward, Adam;
median of N steps after 2 warm-up steps), eval-mode inference on 10 s clips, and the log-mel front-end; then the same
model in PyTorch CPU (2 threads) via /usr/bin/python3 bench/reference/pytorch_bench.py when torch is importable, and in
PyTorch CUDA when a python's torch sees a GPU (PSL_TORCH_PYTHON, python3, /usr/bin/python3).
On the webgpu backend the JSON also reports trainStep.dispatchesPerStep and the adapter.
Ours and PyTorch run back-to-back R times (other processes may load the machine); medians are reported.
PyTorch's training step is also timed with 1 thread: its 2-thread run collapses when the cores are shared.
  --json          exactly one JSON object on stdout (progress on stderr)
  --steps N       timed steps per round (default 5)
  --rounds R      alternating rounds of ours / PyTorch (default 1)
  --workers       data-parallel worker threads for training (default auto: one per core)
  --no-pytorch    skip the PyTorch baseline (pytorch: null)
  --no-front-end  skip the front-end benchmark (frontEnd: null)
  --batch B       training batch (default 32)
  --width W       model width multiplier (default 1; small values make SwiftShader runs possible)
  --chunk-seconds S  training chunk length (default 2)
  --infer-batch K 10-s clips per inference batch (default 8; a GPU wants 64 or more)
  --annotation    also time annotation: 64 clips of 10 s cut into S-s chunks, as psl annotate runs it
Backend: PSL_BACKEND (tensorflow-gpu, webgpu, tensorflow, wasm, cpu) or automatic.`;

export const benchCommand: Command = {
  name: "bench",
  summary: "training / inference / front-end speed vs PyTorch CPU in the same run",
  usage,
  async run(args) {
    const { values } = parseCommandArgs({
      args,
      options: {
        json: { type: "boolean" }, steps: { type: "string" }, rounds: { type: "string" }, workers: { type: "string" },
        "no-pytorch": { type: "boolean" }, "no-front-end": { type: "boolean" },
        batch: { type: "string" }, width: { type: "string" }, "chunk-seconds": { type: "string" }, "infer-batch": { type: "string" }, annotation: { type: "boolean" },
      },
      strict: true,
    }, usage);
    const workers = values.workers === undefined || values.workers === "auto" ? "auto" : Number(values.workers);
    if (workers !== "auto" && !(Number.isInteger(workers) && workers >= 0)) throw new UserError(`--workers must be "auto" or an integer ≥ 0, got "${values.workers}"`);
    const { runBench, formatBench } = loadBenchRunner();
    const log = (line: string) => process.stderr.write(`${line}\n`);
    const info = await initBackend({ quiet: true });
    log(`[psl] backend: ${info.name} — ${info.reason}`);
    const result = await runBench({
      steps: integerFlag("steps", values.steps, 5),
      rounds: integerFlag("rounds", values.rounds, 1),
      workers,
      pytorch: !values["no-pytorch"],
      frontEnd: !values["no-front-end"],
      batch: integerFlag("batch", values.batch, 32),
      widthMult: positiveFlag("width", values.width, 1),
      chunkSeconds: positiveFlag("chunk-seconds", values["chunk-seconds"], 2),
      inferBatch: integerFlag("infer-batch", values["infer-batch"], 8),
      annotation: values.annotation ?? false,
      log,
    });
    if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else console.log(formatBench(result));
    return 0;
  },
};
