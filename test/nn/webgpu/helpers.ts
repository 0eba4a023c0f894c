/**
 * Whether the webgpu tests can run: on a GPU when there is one, else on SwiftShader (Debian's chromium package), which
 * CI installs. Where neither exists they are skipped with a line saying why; under CI=true that is a failure instead
 * (CI must never skip them). Running on webgpu: `on("webgpu", …)` and `webgpu()` of ../helpers.
 */
import { findSwiftShaderIcd, hardwareGpuPossible } from "../../../lib/nn/webgpu/device";

/** Why the webgpu tests cannot run here (undefined: they can). Throws under CI=true. */
export function webgpuSkipReason(): string | undefined {
  if (findSwiftShaderIcd() || hardwareGpuPossible().possible) return undefined;
  const why = "no GPU and no SwiftShader (Debian: apt-get install chromium, or npm run setup): webgpu tests skipped";
  if (process.env.CI === "true") throw new Error(`CI must run the webgpu tests, but: ${why}`);
  console.log(`# ${why}`);
  return why;
}
