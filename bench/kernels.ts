/**
 * Micro-benchmark of the engine's wasm kernels on the full-width model's layer shapes (batch 16 = one worker's
 * shard of a 32-chunk batch of 2 s): our GEMMs (plain, dy·Wᵀ, xᵀ·dy) next to tfjs-backend-wasm's own BatchMatMul
 * (XNNPACK), and the per-kernel split of one training step (PSL_KERNEL_PROFILE).
 *
 *   npx tsx bench/kernels.ts            (prints a table; numbers move with machine load: compare within one run)
 */
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../lib/nn/backend";
import { kernelsFor, offsetOf, Scratch, type WasmBackendInternals } from "../lib/nn/wasm/module";

/** [rows M, inner K, outputs N] of pointwise convs / classifier at batch 16, T = 201. */
const SHAPES: [number, number, number][] = [
  [51712, 16, 96], [13056, 144, 24], [3328, 32, 192], [3328, 192, 32], [832, 96, 576], [832, 384, 64],
  [224, 960, 160], [224, 320, 1280], [112, 1280, 527],
];

function time(f: () => void, repeats = 6): number {
  f();
  const t = performance.now();
  for (let i = 0; i < repeats; i++) f();
  return (performance.now() - t) / repeats;
}

async function main(): Promise<void> {
  await initBackend({ preferred: "wasm", quiet: true });
  const backend = tf.backend() as unknown as WasmBackendInternals;
  const k = kernelsFor(backend);
  console.log("shape M x K x N            XNNPACK NN   ours NN   ours xᵀ·dy   (GFLOP/s)");
  for (const [m, kk, n] of SHAPES) {
    const a = tf.randomNormal([m, kk]), b = tf.randomNormal([kk, n]), dy = tf.randomNormal([m, n]);
    const gflop = (2 * m * kk * n) / 1e9;
    const out = backend.makeOutput([m, n], "float32"), outTN = backend.makeOutput([kk, n], "float32");
    const s = new Scratch(backend);
    const packed = s.f32(kk * 8 * Math.ceil(n / 8));
    process.env.PSL_GEMM = "xnnpack";
    const xnn = time(() => tf.matMul(a, b).dispose());
    delete process.env.PSL_GEMM;
    const own = time(() => k.gemm_nn(offsetOf(backend, a), offsetOf(backend, b), offsetOf(backend, out), m, kk, n, packed, 0, 0, 0));
    const tn = time(() => k.gemm_tn(offsetOf(backend, a), offsetOf(backend, dy), offsetOf(backend, outTN), m, kk, n));
    s.free();
    const rate = (ms: number) => (gflop / (ms / 1000)).toFixed(1).padStart(9);
    console.log(`${`${m} x ${kk} x ${n}`.padEnd(24)} ${rate(xnn)}   ${rate(own)}   ${rate(tn)}`);
    tf.dispose([a, b, dy]);
    backend.disposeData(out.dataId);
    backend.disposeData(outTN.dataId);
  }
}

main();
