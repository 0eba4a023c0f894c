/**
 * The WebGPU path's device: Dawn (npm `webgpu`, prebuilt, Vulkan on Linux) under tfjs-backend-webgpu.
 *
 * Three facts shape this file (see README "GPU path"):
 * - tfjs-backend-webgpu registers itself only if `navigator.gpu` exists when it is imported, so Dawn is set up first
 *   and the package is required only here, only when the webgpu backend is wanted (the CPU path never loads either).
 * - A machine without a GPU can still run the backend on SwiftShader, the software Vulkan driver Debian's `chromium`
 *   package ships (`vk_swiftshader_icd.json`). That is slow and only ever used when asked for (PSL_BACKEND=webgpu):
 *   the environment is set up here (VK_ICD_FILENAMES, XDG_RUNTIME_DIR, and the Vulkan loader chromium bundles when
 *   the system has none), so tests and CI need nothing but the package.
 * - Auto-selection must stay cheap on CPU machines: Dawn (a 130 MB native module) is loaded only when a GPU device
 *   node and a Vulkan driver manifest exist.
 */
import * as tf from "@tensorflow/tfjs";
import { existsSync, mkdtempSync, readdirSync } from "node:fs";
import { constants as osConstants, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { Gpu, GpuAdapter, GpuAdapterInfo } from "./gpu-types";

export interface WebGpuAdapterSummary {
  /** Human description, e.g. "NVIDIA H200" or "SwiftShader driver 5.0.0". */
  description: string;
  vendor: string;
  architecture: string;
  /** A software rasteriser (SwiftShader, llvmpipe/lavapipe): correct but slow. */
  software: boolean;
}

export interface WebGpuActivation {
  ok: boolean;
  /** One human sentence: what was found, or why the backend is not usable. */
  why: string;
  adapter?: WebGpuAdapterSummary;
}

/** Where SwiftShader's Vulkan ICD manifest ships (Debian/Ubuntu chromium, Google Chrome); PSL_SWIFTSHADER_ICD first. */
export function findSwiftShaderIcd(): string | undefined {
  const candidates = [
    process.env.PSL_SWIFTSHADER_ICD,
    "/usr/lib/chromium/vk_swiftshader_icd.json",
    "/usr/lib/chromium-browser/vk_swiftshader_icd.json",
    "/opt/google/chrome/vk_swiftshader_icd.json",
  ];
  return candidates.find((p): p is string => typeof p === "string" && p !== "" && existsSync(p));
}

function nonEmptyDir(dir: string): boolean {
  try {
    return readdirSync(dir).length > 0;
  } catch {
    return false;
  }
}

/**
 * Cheap check (no native code loaded) whether a hardware GPU may be reachable through Vulkan: a GPU device node
 * (/dev/nvidia*, /dev/dri/renderD*) and a Vulkan driver manifest (system ICD folders or VK_ICD_FILENAMES /
 * VK_DRIVER_FILES).
 */
export function hardwareGpuPossible(): { possible: boolean; why: string } {
  let nodes: string[] = [];
  try {
    nodes = readdirSync("/dev").filter((n) => /^nvidia\d+$/.test(n)).map((n) => `/dev/${n}`);
  } catch {
    nodes = [];
  }
  try {
    nodes.push(...readdirSync("/dev/dri").filter((n) => n.startsWith("renderD")).map((n) => `/dev/dri/${n}`));
  } catch {
    // no DRM render nodes
  }
  if (nodes.length === 0) return { possible: false, why: "no GPU device (/dev/nvidia*, /dev/dri/renderD*)" };
  const explicit = process.env.VK_ICD_FILENAMES || process.env.VK_DRIVER_FILES;
  const icdDirs = ["/usr/share/vulkan/icd.d", "/etc/vulkan/icd.d", "/usr/local/share/vulkan/icd.d", "/usr/local/nvidia/share/vulkan/icd.d"];
  if (!explicit && !icdDirs.some(nonEmptyDir)) return { possible: false, why: `GPU device ${nodes[0]} but no Vulkan driver manifest (install the driver's Vulkan ICD)` };
  return { possible: true, why: `GPU device ${nodes[0]}` };
}

/**
 * Makes `libvulkan.so.1` loadable for Dawn. When the system has no Vulkan loader (Debian: package libvulkan1) but
 * `fallbackDir` holds one (chromium bundles it beside SwiftShader), that copy is loaded into the process first
 * (RTLD_NODELETE | RTLD_GLOBAL), so Dawn's own dlopen("libvulkan.so.1") finds it already loaded.
 */
function ensureVulkanLoader(fallbackDir?: string): { ok: boolean; why: string } {
  const flags = osConstants.dlopen as Record<string, number | undefined>;
  const probe = (path: string): "loaded" | "missing" => {
    try {
      process.dlopen({ exports: {} } as NodeJS.Module, path, (flags.RTLD_NOW ?? 2) | (flags.RTLD_GLOBAL ?? 0x100) | (flags.RTLD_NODELETE ?? 0x1000));
      return "loaded";
    } catch (error) {
      // A library that loads but is no Node addon throws "did not self-register": it is loaded (and kept).
      return /cannot open shared object/i.test((error as Error).message) ? "missing" : "loaded";
    }
  };
  if (probe("libvulkan.so.1") === "loaded") return { ok: true, why: "system Vulkan loader" };
  const bundled = fallbackDir ? join(fallbackDir, "libvulkan.so.1") : undefined;
  if (bundled && existsSync(bundled) && probe(bundled) === "loaded") return { ok: true, why: `Vulkan loader from ${fallbackDir}` };
  return { ok: false, why: "no Vulkan loader (libvulkan.so.1; Debian: apt-get install libvulkan1)" };
}

interface DawnModule {
  create(flags: string[]): Gpu;
  globals: Record<string, unknown>;
}

let gpu: Gpu | undefined;

/** Loads Dawn once and exposes it as `navigator.gpu` (plus the GPU* globals tfjs-backend-webgpu expects). */
function setUpNavigatorGpu(): Gpu {
  if (gpu) return gpu;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const dawn = require("webgpu") as DawnModule;
  Object.assign(globalThis, dawn.globals);
  gpu = dawn.create((process.env.PSL_DAWN_FLAGS ?? "").split(",").filter(Boolean));
  const g = globalThis as { navigator?: object };
  if (g.navigator) Object.defineProperty(g.navigator, "gpu", { value: gpu, configurable: true, writable: true });
  else Object.defineProperty(globalThis, "navigator", { value: { gpu }, configurable: true, writable: true });
  return gpu;
}

function summarise(info: GpuAdapterInfo): WebGpuAdapterSummary {
  const description = info.description || [info.vendor, info.architecture, info.device].filter(Boolean).join(" ") || "unknown adapter";
  const text = `${description} ${info.vendor ?? ""} ${info.architecture ?? ""}`;
  return {
    description,
    vendor: info.vendor ?? "",
    architecture: info.architecture ?? "",
    software: info.isFallbackAdapter === true || /swiftshader|llvmpipe|lavapipe|software/i.test(text),
  };
}

let activeAdapter: WebGpuAdapterSummary | undefined;

/** The adapter the webgpu backend runs on (undefined before activateWebGpu succeeded). */
export function webGpuAdapter(): WebGpuAdapterSummary | undefined {
  return activeAdapter;
}

/**
 * Finds an adapter and registers tfjs's "webgpu" backend on it (does not switch to it).
 * @param allowSoftware accept SwiftShader (set up here when no hardware adapter is found); false in auto-selection.
 */
export async function activateWebGpu(options: { allowSoftware: boolean }): Promise<WebGpuActivation> {
  if (activeAdapter && (options.allowSoftware || !activeAdapter.software)) return { ok: true, why: `WebGPU on ${activeAdapter.description}`, adapter: activeAdapter };
  const hardware = hardwareGpuPossible();
  const swiftShader = findSwiftShaderIcd();
  const userIcd = process.env.VK_ICD_FILENAMES || process.env.VK_DRIVER_FILES;
  let software = false;
  if (!hardware.possible) {
    if (!options.allowSoftware) return { ok: false, why: hardware.why };
    if (!swiftShader && !userIcd) return { ok: false, why: `${hardware.why} and no SwiftShader (Debian: apt-get install chromium)` };
    software = true;
  }
  if (software && !userIcd) process.env.VK_ICD_FILENAMES = swiftShader;
  // The Vulkan loader wants a runtime directory; containers and CI often have none.
  if (!process.env.XDG_RUNTIME_DIR) process.env.XDG_RUNTIME_DIR = mkdtempSync(join(tmpdir(), "psl-xdg-"));
  const loader = ensureVulkanLoader(swiftShader ? dirname(swiftShader) : undefined);
  if (!loader.ok) return { ok: false, why: loader.why };

  let navigatorGpu: Gpu;
  try {
    navigatorGpu = setUpNavigatorGpu();
  } catch (error) {
    return { ok: false, why: `Dawn (the optional npm package webgpu) did not load: ${(error as Error).message.split("\n")[0]}` };
  }
  let adapter: GpuAdapter | null = null;
  try {
    adapter = await navigatorGpu.requestAdapter({ powerPreference: "high-performance" });
  } catch (error) {
    return { ok: false, why: `Dawn could not open a Vulkan adapter (${(error as Error).message.split("\n")[0]})` };
  }
  if (!adapter) return { ok: false, why: `Dawn found no Vulkan adapter (${hardware.possible ? hardware.why + "; check the driver's Vulkan ICD and libvulkan1" : "SwiftShader did not load"})` };
  const summary = summarise(adapter.info);
  if (summary.software && !options.allowSoftware) return { ok: false, why: `only a software adapter (${summary.description})` };

  // Only now: the package registers the backend because navigator.gpu exists. Its own factory asks Dawn again for
  // an adapter; replace it so the backend runs on exactly the adapter checked above.
  let pkg: { WebGPUBackend: new (device: unknown, info?: unknown) => tf.KernelBackend };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    pkg = require("@tensorflow/tfjs-backend-webgpu");
  } catch (error) {
    return { ok: false, why: `the optional npm package @tensorflow/tfjs-backend-webgpu did not load: ${(error as Error).message.split("\n")[0]}` };
  }
  const chosen = adapter;
  tf.removeBackend("webgpu");
  tf.registerBackend("webgpu", async () => {
    const limits = chosen.limits;
    const device = await chosen.requestDevice({
      requiredFeatures: chosen.features.has("timestamp-query") ? ["timestamp-query"] : [],
      requiredLimits: {
        maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
        maxComputeWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension,
        maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
        maxBufferSize: limits.maxBufferSize,
        maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
        maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
      },
    });
    return new pkg.WebGPUBackend(device, chosen.info);
  }, 3);
  activeAdapter = summary;
  const how = summary.software ? `software adapter ${summary.description} via ${process.env.VK_ICD_FILENAMES} (slow: for tests, not for training)` : `${summary.description}`;
  return { ok: true, why: `WebGPU (Dawn/Vulkan) on ${how}`, adapter: summary };
}
