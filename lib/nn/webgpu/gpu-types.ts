/**
 * The part of the WebGPU API (and of tfjs-backend-webgpu's backend object) the kit's GPU code uses, typed here so
 * the project compiles without the optional `webgpu` / `@webgpu/types` packages and without DOM typings.
 * Runtime objects come from Dawn (npm `webgpu`) through tfjs-backend-webgpu; see device.ts.
 */

export interface GpuBuffer {
  readonly size: number;
  readonly usage: number;
  mapAsync(mode: number, offset?: number, size?: number): Promise<void>;
  getMappedRange(offset?: number, size?: number): ArrayBuffer;
  unmap(): void;
  destroy(): void;
}

export interface GpuBindGroupLayout {
  readonly label?: string;
}

export interface GpuComputePipeline {
  getBindGroupLayout(index: number): GpuBindGroupLayout;
}

export interface GpuBufferBinding {
  buffer: GpuBuffer;
  offset?: number;
  size?: number;
}

export interface GpuComputePassEncoder {
  setPipeline(pipeline: GpuComputePipeline): void;
  setBindGroup(index: number, group: unknown): void;
  dispatchWorkgroups(x: number, y?: number, z?: number): void;
  end(): void;
}

export interface GpuCommandEncoder {
  beginComputePass(descriptor?: object): GpuComputePassEncoder;
  copyBufferToBuffer(source: GpuBuffer, sourceOffset: number, destination: GpuBuffer, destinationOffset: number, size: number): void;
  clearBuffer(buffer: GpuBuffer, offset?: number, size?: number): void;
  finish(): unknown;
}

export interface GpuQueue {
  submit(commandBuffers: unknown[]): void;
  writeBuffer(buffer: GpuBuffer, offset: number, data: ArrayBufferView | ArrayBuffer, dataOffset?: number, size?: number): void;
  onSubmittedWorkDone(): Promise<void>;
}

export interface GpuLimits {
  readonly maxStorageBuffersPerShaderStage: number;
  readonly maxComputeWorkgroupsPerDimension: number;
  readonly maxComputeWorkgroupStorageSize: number;
  readonly maxStorageBufferBindingSize: number;
  readonly maxBufferSize: number;
  readonly maxComputeWorkgroupSizeX: number;
  readonly maxComputeInvocationsPerWorkgroup: number;
  readonly minStorageBufferOffsetAlignment: number;
}

export interface GpuDevice {
  readonly queue: GpuQueue;
  readonly limits: GpuLimits;
  readonly features: ReadonlySet<string>;
  createShaderModule(descriptor: { code: string; label?: string }): unknown;
  createComputePipeline(descriptor: { layout: "auto"; compute: { module: unknown; entryPoint: string }; label?: string }): GpuComputePipeline;
  createBindGroup(descriptor: { layout: GpuBindGroupLayout; entries: { binding: number; resource: GpuBufferBinding }[] }): unknown;
  createBuffer(descriptor: { size: number; usage: number; mappedAtCreation?: boolean }): GpuBuffer;
  createCommandEncoder(): GpuCommandEncoder;
  destroy(): void;
}

export interface GpuAdapterInfo {
  readonly vendor?: string;
  readonly architecture?: string;
  readonly device?: string;
  readonly description?: string;
  readonly isFallbackAdapter?: boolean;
}

export interface GpuAdapter {
  readonly info: GpuAdapterInfo;
  readonly limits: GpuLimits;
  readonly features: ReadonlySet<string>;
  requestDevice(descriptor?: { requiredFeatures?: string[]; requiredLimits?: Record<string, number> }): Promise<GpuDevice>;
}

export interface Gpu {
  requestAdapter(options?: { powerPreference?: "high-performance" | "low-power"; forceFallbackAdapter?: boolean }): Promise<GpuAdapter | null>;
}

/** GPUBufferUsage flags (WebGPU spec values). */
export const BUFFER_USAGE = {
  MAP_READ: 0x0001,
  MAP_WRITE: 0x0002,
  COPY_SRC: 0x0004,
  COPY_DST: 0x0008,
  UNIFORM: 0x0040,
  STORAGE: 0x0080,
} as const;

/** GPUMapMode.READ */
export const MAP_MODE_READ = 0x0001;

/** What a tensor's entry in tfjs-backend-webgpu's tensorMap holds (4.22). */
export interface WebGpuTensorData {
  values: ArrayLike<number> | null;
  dtype: string;
  shape: number[];
  refCount: number;
  resource?: GpuBuffer | null;
}

/** The internals of tfjs-backend-webgpu's WebGPUBackend (4.22) that the engine's kernels drive directly. */
export interface WebGpuBackendInternals {
  readonly device: GpuDevice;
  readonly queue: GpuQueue;
  tensorMap: { get(dataId: object): WebGpuTensorData; has(dataId: object): boolean };
  bufferManager: { acquireBuffer(size: number, usage: number, mappedAtCreation?: boolean, reuse?: boolean): GpuBuffer; releaseBuffer(buffer: GpuBuffer, reuse?: boolean): void };
  commandEncoder: GpuCommandEncoder | null;
  computePassEncoder: GpuComputePassEncoder | null;
  commandQueueOwnedIds: WeakSet<object>;
  dispatchCountInPass: number;
  uniformPendingDisposal: GpuBuffer[];
  activeTimers?: unknown[] | null;
  makeTensorInfo(shape: number[], dtype: string, values?: ArrayLike<number>): { dataId: object; shape: number[]; dtype: string };
  uploadToGPU(dataId: object): void;
  disposeData(dataId: object, force?: boolean): boolean;
  refCount(dataId: object): number;
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  submitQueue(): void;
  makeUniforms(uniforms: { type: "int32" | "uint32" | "float32"; data: number[] }[]): GpuBufferBinding;
}
