/**
 * Running engine tests on the webgpu backend: on a GPU when there is one, else on SwiftShader (Debian's chromium
 * package), which CI installs. Where neither exists the tests are skipped with a line saying why; under CI=true that
 * is a failure instead (CI must never skip them).
 */
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../../lib/nn/backend";
import { findSwiftShaderIcd, hardwareGpuPossible } from "../../../lib/nn/webgpu/device";

/** Why the webgpu tests cannot run here (undefined: they can). Throws under CI=true. */
export function webgpuSkipReason(): string | undefined {
  if (findSwiftShaderIcd() || hardwareGpuPossible().possible) return undefined;
  const why = "no GPU and no SwiftShader (Debian: apt-get install chromium, or npm run setup): webgpu tests skipped";
  if (process.env.CI === "true") throw new Error(`CI must run the webgpu tests, but: ${why}`);
  console.log(`# ${why}`);
  return why;
}

let ready: Promise<void> | undefined;
/** The webgpu backend, initialised once (SwiftShader accepted: these are correctness tests). */
export function webgpu(): Promise<void> {
  ready ??= initBackend({ preferred: "webgpu", quiet: true }).then(() => undefined);
  return ready;
}

/**
 * Runs `f` on `backend` (webgpu, or cpu for the plain reference ops) and reads its results asynchronously, the only
 * kind of read on webgpu; tensors disposed.
 */
export async function onBackend(backend: "webgpu" | "cpu", f: () => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  await webgpu();
  await tf.setBackend(backend);
  const out = tf.tidy(() => {
    const r = f();
    return Array.isArray(r) ? r : [r];
  });
  const arrays = await Promise.all(out.map(async (t) => (await t.data()).slice() as Float32Array));
  tf.dispose(out);
  return arrays;
}
