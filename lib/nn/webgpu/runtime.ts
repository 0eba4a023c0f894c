/**
 * Running the engine's own WGSL compute shaders inside tfjs-backend-webgpu.
 *
 * tfjs's program interface (WebGPUProgram) allows one output per dispatch and generates its own shader header;
 * the fused kernels here need several outputs, workgroup-shared reductions and in-place updates of BatchNorm running
 * statistics. So they bind the tensors' GPU buffers themselves and record into the backend's own command encoder
 * and compute pass, in order with tfjs's dispatches, following the backend's bookkeeping (buffers it owns until the
 * next submit, uniforms released after it, the deferred-submit batch size).
 *
 * Every dispatch on the device (tfjs's and ours) is counted by `dispatchCount()`: the training step's dispatch
 * budget is the measure of how much per-dispatch CPU work the step costs.
 */
import * as tf from "@tensorflow/tfjs";
import type { GpuBuffer, GpuComputePipeline, WebGpuBackendInternals } from "./gpu-types";
import { BUFFER_USAGE } from "./gpu-types";

export type TensorInfo = tf.TensorInfo;

/** One storage binding of a kernel: its WGSL name and access mode. */
export interface Binding {
  name: string;
  access: "read" | "read_write";
  /** WGSL element type (default f32). */
  type?: "f32" | "u32" | "i32";
}

/** A compute shader: bindings (storage buffers in binding order, then one uniform struct) and the WGSL body. */
export interface KernelSource {
  /** Unique per distinct WGSL text (include compile-time constants). */
  key: string;
  bindings: Binding[];
  /** Uniform fields in order, all 4-byte scalars. */
  uniforms: { name: string; type: "f32" | "u32" | "i32" }[];
  workgroupSize: number;
  /** The body of `fn main(...)`: has `gid`, `lid`, `wid` (vec3<u32>), `nwg` (number of workgroups) and `params`. */
  body: string;
  /** WGSL declared before main (helpers, workgroup arrays). */
  prelude?: string;
}

export interface Dispatch {
  source: KernelSource;
  /** Buffers in the order of `source.bindings`: tensors, or raw GPU buffers owned by the caller (e.g. Adam state). */
  buffers: (TensorInfo | GpuBuffer)[];
  uniforms: number[];
  /** Workgroup counts; x is split over x and y when it exceeds the device limit (kernels use `workgroupIndex()`). */
  workgroups: number | [number, number];
}

let counted = 0;
let counterInstalled = false;

/**
 * Counts every compute dispatch recorded in this process (tfjs's and the engine's) by wrapping Dawn's
 * GPUComputePassEncoder.dispatchWorkgroups once.
 */
export function installDispatchCounter(): void {
  if (counterInstalled) return;
  const encoder = (globalThis as { GPUComputePassEncoder?: { prototype: { dispatchWorkgroups: (...a: number[]) => void } } }).GPUComputePassEncoder;
  if (!encoder) return;
  const original = encoder.prototype.dispatchWorkgroups;
  encoder.prototype.dispatchWorkgroups = function (this: unknown, ...args: number[]) {
    counted += 1;
    return original.apply(this, args);
  };
  counterInstalled = true;
}

/** Compute dispatches recorded so far in this process (see installDispatchCounter). */
export function dispatchCount(): number {
  return counted;
}

/** The active tfjs backend as the webgpu internals (throws on another backend). */
export function webgpuBackend(): WebGpuBackendInternals {
  if (tf.getBackend() !== "webgpu") throw new Error(`the engine's WGSL kernels need the webgpu backend (active: ${tf.getBackend()})`);
  return tf.backend() as unknown as WebGpuBackendInternals;
}

const pipelines = new WeakMap<object, Map<string, GpuComputePipeline>>();

/** The WGSL index of the current workgroup for a dispatch split over x and y (see Dispatch.workgroups). */
const WORKGROUP_INDEX = "fn workgroupIndex(wid: vec3<u32>, nwg: vec3<u32>) -> u32 { return wid.y * nwg.x + wid.x; }";

function shaderText(source: KernelSource): string {
  const lines = source.bindings.map((b, i) => `@group(0) @binding(${i}) var<storage, ${b.access}> ${b.name}: array<${b.type ?? "f32"}>;`);
  const fields = source.uniforms.length ? source.uniforms.map((u) => `${u.name}: ${u.type},`).join(" ") : "unused: u32,";
  lines.push(`struct Params { ${fields} };`);
  lines.push(`@group(0) @binding(${source.bindings.length}) var<uniform> params: Params;`);
  lines.push(WORKGROUP_INDEX);
  if (source.prelude) lines.push(source.prelude);
  // Every binding is referenced, so layout "auto" keeps it even in variants that do not use it.
  const uses = [...source.bindings.map((b) => `_ = &${b.name};`), "_ = &params;"].join(" ");
  lines.push(`@compute @workgroup_size(${source.workgroupSize})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  ${uses}
${source.body}
}`);
  return lines.join("\n");
}

function pipelineFor(backend: WebGpuBackendInternals, source: KernelSource): GpuComputePipeline {
  let cache = pipelines.get(backend.device);
  if (!cache) pipelines.set(backend.device, (cache = new Map()));
  let pipeline = cache.get(source.key);
  if (!pipeline) {
    const module = backend.device.createShaderModule({ code: shaderText(source), label: source.key });
    pipeline = backend.device.createComputePipeline({ layout: "auto", compute: { module, entryPoint: "main" }, label: source.key });
    cache.set(source.key, pipeline);
  }
  return pipeline;
}

function isTensorInfo(b: TensorInfo | GpuBuffer): b is TensorInfo {
  return typeof (b as TensorInfo).dataId === "object" && Array.isArray((b as TensorInfo).shape);
}

/** A new float32 tensor on the device (contents undefined until a kernel writes it). */
export function allocate(backend: WebGpuBackendInternals, shape: number[]): TensorInfo {
  const info = backend.makeTensorInfo(shape, "float32");
  backend.uploadToGPU(info.dataId);
  return info as TensorInfo;
}

/** The GPU buffer of a tensor (uploaded first if its values are still on the CPU). */
export function bufferOf(backend: WebGpuBackendInternals, t: TensorInfo): GpuBuffer {
  backend.uploadToGPU(t.dataId);
  const data = backend.tensorMap.get(t.dataId);
  if (!data.resource) throw new Error("webgpu tensor without a GPU buffer");
  return data.resource;
}

/** Marks a tensor written in place by a kernel: a CPU copy tfjs cached from an earlier read is stale now. */
export function invalidateCpuCopy(backend: WebGpuBackendInternals, t: TensorInfo): void {
  backend.tensorMap.get(t.dataId).values = null;
}

/** The uniform block: scalars packed in order, 4 bytes each, padded to 16 bytes. */
function uniformBuffer(backend: WebGpuBackendInternals, source: KernelSource, values: number[]): GpuBuffer {
  if (values.length !== source.uniforms.length) throw new Error(`${source.key}: ${values.length} uniforms for ${source.uniforms.length} fields`);
  const bytes = Math.max(16, Math.ceil((4 * values.length) / 16) * 16);
  const data = new ArrayBuffer(bytes);
  const f32 = new Float32Array(data), u32 = new Uint32Array(data), i32 = new Int32Array(data);
  source.uniforms.forEach((u, i) => {
    if (u.type === "f32") f32[i] = values[i];
    else if (u.type === "u32") u32[i] = values[i];
    else i32[i] = values[i];
  });
  const buffer = backend.bufferManager.acquireBuffer(bytes, BUFFER_USAGE.UNIFORM | BUFFER_USAGE.COPY_DST);
  backend.queue.writeBuffer(buffer, 0, data, 0, bytes);
  // Released by the backend after the next submit, like tfjs's own uniforms.
  backend.uniformPendingDisposal.push(buffer);
  return buffer;
}

/** Splits a workgroup count over x and y so neither exceeds the device's per-dimension limit. */
function grid(backend: WebGpuBackendInternals, workgroups: number | [number, number]): [number, number] {
  if (Array.isArray(workgroups)) return workgroups;
  const limit = backend.device.limits.maxComputeWorkgroupsPerDimension;
  if (workgroups <= limit) return [Math.max(1, workgroups), 1];
  const y = Math.ceil(workgroups / limit);
  return [Math.ceil(workgroups / y), y];
}

/**
 * Records one dispatch into the backend's current compute pass. Kernels that use a split grid must guard with
 * `workgroupIndex(wid, nwg)` against the few extra workgroups of the rounding.
 */
export function dispatch(backend: WebGpuBackendInternals, d: Dispatch): void {
  const pipeline = pipelineFor(backend, d.source);
  if (d.buffers.length !== d.source.bindings.length) throw new Error(`${d.source.key}: ${d.buffers.length} buffers for ${d.source.bindings.length} bindings`);
  const resources = d.buffers.map((b) => ({ buffer: isTensorInfo(b) ? bufferOf(backend, b) : b }));
  resources.push({ buffer: uniformBuffer(backend, d.source, d.uniforms) });
  for (const b of d.buffers) if (isTensorInfo(b)) backend.commandQueueOwnedIds.add(b.dataId);
  const bindGroup = backend.device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: resources.map((resource, binding) => ({ binding, resource })),
  });
  backend.ensureCommandEncoderReady();
  if (!backend.computePassEncoder) backend.computePassEncoder = backend.commandEncoder!.beginComputePass({});
  const pass = backend.computePassEncoder;
  const [x, y] = grid(backend, d.workgroups);
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bindGroup);
  pass.dispatchWorkgroups(x, y, 1);
  backend.dispatchCountInPass += 1;
  if (backend.dispatchCountInPass >= tf.env().getNumber("WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE")) {
    backend.endComputePassEncoder();
    backend.submitQueue();
  }
}

/** Submits everything the backend has recorded so far (before queue writes that must not overtake it). */
export function flush(backend: WebGpuBackendInternals): void {
  backend.endComputePassEncoder();
  if (backend.commandEncoder) backend.submitQueue();
}

/**
 * Reads a GPU buffer asynchronously (the only kind of read on this backend: Dawn in Node has no synchronous one).
 * Everything recorded before is submitted first.
 */
export async function readBuffer(backend: WebGpuBackendInternals, buffer: GpuBuffer, bytes = buffer.size, offset = 0): Promise<Float32Array> {
  const staging = backend.device.createBuffer({ size: bytes, usage: BUFFER_USAGE.MAP_READ | BUFFER_USAGE.COPY_DST });
  backend.ensureCommandEncoderReady();
  backend.endComputePassEncoder();
  backend.commandEncoder!.copyBufferToBuffer(buffer, offset, staging, 0, bytes);
  backend.submitQueue();
  await staging.mapAsync(1);
  const out = new Float32Array(staging.getMappedRange().slice(0));
  staging.unmap();
  staging.destroy();
  return out;
}
