/**
 * Which tfjs backend runs the kit, and why.
 *
 * Order of preference: tfjs-node-gpu (CUDA) → webgpu on a hardware adapter (Dawn/Vulkan, webgpu/device.ts) →
 * tfjs-node (libtensorflow) → wasm → cpu. Override with the PSL_BACKEND environment variable or the `preferred`
 * option (one of "tensorflow-gpu", "webgpu", "tensorflow", "wasm", "cpu"). Only an explicit "webgpu" accepts a
 * software adapter (SwiftShader, for tests): auto-selection never picks a CPU-emulated GPU over wasm.
 *
 * Beware: danfojs-node depends on @tensorflow/tfjs-node, which this project aliases to plain
 * @tensorflow/tfjs (libtensorflow cannot be installed offline). So "the package resolves" does not
 * mean "tfjs-node is installed": we check the resolved package's real name.
 */
import * as tf from "@tensorflow/tfjs";
import { readFileSync } from "node:fs";
import { registerWasmKernels } from "./wasm/register";
import { registerWebGpuKernels } from "./webgpu/register";
import { activateWebGpu, webGpuAdapter, type WebGpuAdapterSummary } from "./webgpu/device";

export const BACKEND_NAMES = ["tensorflow-gpu", "webgpu", "tensorflow", "wasm", "cpu"] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

export interface BackendInfo {
  /** What the kit calls it (see BACKEND_NAMES). */
  name: BackendName;
  /** The tfjs backend name actually active (`tf.getBackend()`): "tensorflow", "webgpu", "wasm" or "cpu". */
  tfjsBackend: string;
  /** The GPU adapter, on the webgpu backend. */
  adapter?: WebGpuAdapterSummary;
  /** One human sentence: why this backend was chosen. */
  reason: string;
  /** Versions of tfjs and of the backend package. */
  versions: Record<string, string>;
}

/** Thrown for a backend name that does not exist or cannot be used (a user error, not a crash). */
export class BackendError extends Error {}

let active: BackendInfo | undefined;

/** The real package name behind a module id, or undefined if it does not resolve. */
function installedPackageName(moduleId: string): string | undefined {
  try {
    const pkgPath = require.resolve(`${moduleId}/package.json`);
    return (JSON.parse(readFileSync(pkgPath, "utf8")) as { name?: string }).name;
  } catch {
    return undefined;
  }
}

/** Loads a real libtensorflow binding; returns undefined (with the reason) when it is missing or broken. */
function tryNodeBinding(moduleId: "@tensorflow/tfjs-node-gpu" | "@tensorflow/tfjs-node"): { ok: boolean; why: string } {
  const name = installedPackageName(moduleId);
  if (name !== moduleId) return { ok: false, why: `${moduleId} not installed` };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(moduleId);
    return { ok: true, why: `${moduleId} installed and loaded` };
  } catch (error) {
    return { ok: false, why: `${moduleId} installed but failed to load (${(error as Error).message.split("\n")[0]})` };
  }
}

function versions(): Record<string, string> {
  const out: Record<string, string> = { "tfjs-core": tf.version_core };
  for (const id of ["@tensorflow/tfjs-backend-wasm", "@tensorflow/tfjs-backend-webgpu", "@tensorflow/tfjs-node", "@tensorflow/tfjs-node-gpu"]) {
    const name = installedPackageName(id);
    if (name === id) out[id.replace("@tensorflow/", "")] = JSON.parse(readFileSync(require.resolve(`${id}/package.json`), "utf8")).version;
  }
  return out;
}

async function activate(tfjsName: string): Promise<boolean> {
  try {
    return (await tf.setBackend(tfjsName)) && tf.getBackend() === tfjsName;
  } catch {
    return false;
  }
}

/** The webgpu backend on the adapter found by activateWebGpu, with the engine's WGSL kernels. */
async function activateGpu(allowSoftware: boolean): Promise<{ ok: boolean; why: string }> {
  const found = await activateWebGpu({ allowSoftware });
  if (!found.ok) return found;
  registerWebGpuKernels();
  return (await activate("webgpu")) ? found : { ok: false, why: `${found.why}, but the tfjs webgpu backend failed to initialise` };
}

async function activateWasm(): Promise<boolean> {
  // Registers the "wasm" backend factory (in Node the .wasm binaries are read from the package's dist folder),
  // then the engine's kernels: the missing conv gradients, fast transposed matMul, the fused training kernels.
  require("@tensorflow/tfjs-backend-wasm");
  registerWasmKernels();
  return activate("wasm");
}

/**
 * Selects and initialises the backend once per process; later calls return the same info.
 * @param preferred overrides PSL_BACKEND; an unusable explicit choice is an error, never a silent fallback.
 */
export async function initBackend(options: { preferred?: string; quiet?: boolean } = {}): Promise<BackendInfo> {
  const requested = options.preferred ?? process.env.PSL_BACKEND ?? "";
  if (active && (requested === "" || requested === active.name)) return active;
  if (requested !== "" && !(BACKEND_NAMES as readonly string[]).includes(requested)) {
    throw new BackendError(`unknown backend "${requested}" (PSL_BACKEND / --backend): choose one of ${BACKEND_NAMES.join(", ")}`);
  }
  let info: BackendInfo | undefined;
  const make = (name: BackendName, reason: string): BackendInfo => ({
    name, tfjsBackend: tf.getBackend(), reason, versions: versions(), ...(name === "webgpu" ? { adapter: webGpuAdapter() } : {}),
  });

  if (requested !== "") {
    const explicit = `${requested} requested (${options.preferred ? "option" : "PSL_BACKEND"})`;
    if (requested === "tensorflow-gpu" || requested === "tensorflow") {
      const binding = tryNodeBinding(requested === "tensorflow-gpu" ? "@tensorflow/tfjs-node-gpu" : "@tensorflow/tfjs-node");
      if (!binding.ok || !(await activate("tensorflow"))) throw new BackendError(`${explicit} but ${binding.why}`);
    } else if (requested === "webgpu") {
      const gpu = await activateGpu(true);
      if (!gpu.ok) throw new BackendError(`${explicit} but ${gpu.why}`);
      info = make("webgpu", `${explicit}: ${gpu.why}`);
    } else if (requested === "wasm") {
      if (!(await activateWasm())) throw new BackendError(`${explicit} but the wasm backend failed to initialise`);
    } else if (!(await activate("cpu"))) {
      throw new BackendError(`${explicit} but the cpu backend failed to initialise`);
    }
    info ??= make(requested as BackendName, explicit);
  } else {
    const gpu = tryNodeBinding("@tensorflow/tfjs-node-gpu");
    const webgpu = gpu.ok ? undefined : await activateGpu(false);
    const cpuNode = gpu.ok ? gpu : tryNodeBinding("@tensorflow/tfjs-node");
    if (gpu.ok && (await activate("tensorflow"))) {
      info = make("tensorflow-gpu", gpu.why);
    } else if (webgpu?.ok) {
      info = make("webgpu", `${gpu.why} → ${webgpu.why}`);
    } else if (cpuNode.ok && (await activate("tensorflow"))) {
      info = make("tensorflow", `${gpu.why}; no hardware WebGPU (${webgpu?.why}); ${cpuNode.why}`);
    } else if (await activateWasm()) {
      info = make("wasm", `${gpu.why}, no hardware WebGPU (${webgpu?.why}), ${cpuNode.why.replace(/^.*; /, "")} → wasm (WebAssembly${tf.env().getBool("WASM_HAS_SIMD_SUPPORT") ? " + SIMD" : ""})`);
    } else {
      await activate("cpu");
      info = make("cpu", "no libtensorflow binding and the wasm backend failed to initialise → cpu (slow)");
    }
  }
  await tf.ready();
  active = info;
  if (!options.quiet) console.log(`[psl] backend: ${info.name} — ${info.reason}`);
  // A CPU-emulated GPU is never silent, even for quiet callers (the pipeline): it is orders of magnitude slower.
  else if (info.adapter?.software) console.error(`[psl] backend: webgpu on a SOFTWARE adapter (${info.adapter.description}): correct but slow; for tests, not for training`);
  return info;
}

/** The backend chosen by initBackend, or undefined before it ran. */
export function activeBackend(): BackendInfo | undefined {
  return active;
}
