/**
 * Loads the hand-written SIMD kernels (kernels.c → kernels.wasm) INTO tfjs-backend-wasm's own memory.
 *
 * Why a separate module: tfjs-backend-wasm 4.22 has no backprop kernels for convolutions, runs transposed
 * matrix products ~10-30x slower than plain ones, and builds BatchNorm training out of many whole-tensor
 * passes. These kernels fill exactly those gaps. Importing tfjs's memory lets them work on tensors in place
 * (a tensor's heap offset is a pointer here), so no data is copied between JS and WebAssembly.
 */
import type { TensorInfo } from "@tensorflow/tfjs";
import { KERNELS_RELAXED_WASM_BASE64, KERNELS_WASM_BASE64 } from "./kernels-binary";

// The project compiles without the DOM lib, where the WebAssembly namespace is declared; this is the part used here.
declare const WebAssembly: {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
  Memory: new (descriptor: { initial: number; maximum?: number }) => WasmMemory;
};
type WasmMemory = { buffer: ArrayBuffer };

/** The exports of kernels.wasm; every pointer argument is a byte offset into tfjs's wasm heap. */
export interface KernelExports {
  bn_stats(x: number, M: number, C: number, mean: number, variance: number, part: number, acc: number): void;
  affine_act(x: number, y: number, M: number, C: number, scale: number, shift: number, relu6: number): void;
  bn_act_grad_sums(
    dy: number, x: number, M: number, C: number, scale: number, shift: number, relu6: number,
    xa: number, xb: number, sumG: number, sumGxhat: number, part1: number, part2: number, acc1: number, acc2: number,
  ): void;
  bn_act_grad_input(
    dy: number, x: number, dx: number, M: number, C: number, scale: number, shift: number, relu6: number,
    xa: number, xb: number, kg: number, kx: number, kc: number,
  ): void;
  dw_forward(x: number, w: number, bias: number, y: number, geom: number, relu6: number): void;
  dw_backward(x: number, w: number, dy: number, dx: number, dw: number, geom: number, part: number, acc: number): void;
  conv_filter_grad(x: number, dy: number, dw: number, geom: number, cout: number, part: number, acc: number): void;
  gemm_tn(a: number, b: number, out: number, M: number, K: number, N: number): void;
  gemm_nn(a: number, b: number, out: number, M: number, K: number, N: number, packed: number, transB: number, bias: number, relu6: number): void;
  transpose2d(input: number, out: number, rows: number, cols: number): void;
  scale_add(out: number, input: number, n: number, w: number, accumulate: number): void;
  adam_update(
    p: number, g: number, m: number, v: number, vmax: number, n: number,
    b1: number, omb1: number, b2: number, omb2: number, eps: number, wd: number, negStep: number, bc2: number,
  ): void;
}

/** The parts of tfjs-backend-wasm's BackendWasm that the kernels use (it is not exported with types). */
export interface WasmBackendInternals {
  wasm: {
    HEAPU8: Uint8Array;
    asm: { memory: WasmMemory };
    _malloc(bytes: number): number;
    _free(ptr: number): void;
  };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: "float32", memoryOffset?: number): TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
}

/**
 * Which build of kernels.c runs: "relaxed-simd" (multiply-adds as f32x4.relaxed_madd, fused on CPUs with FMA) where
 * the runtime accepts relaxed SIMD, else "simd" (plain WebAssembly SIMD, mul + add). Both compute the same functions;
 * they differ only in rounding (a fused multiply-add rounds once). PSL_WASM_SIMD=plain forces the plain build.
 */
export type KernelVariant = "relaxed-simd" | "simd";

const compiled = new Map<KernelVariant, object>();
let chosen: KernelVariant | undefined;

/** Whether this runtime runs relaxed-SIMD modules (Node 20 behind V8's flag, which is switched on here; Node ≥ 22 as is). */
export function relaxedSimdSupported(): boolean {
  const bytes = Buffer.from(KERNELS_RELAXED_WASM_BASE64, "base64");
  if (WebAssembly.validate(bytes)) return true;
  try {
    // A wasm feature flag, read when a module is compiled: setting it at run time only affects later compilations.
    require("node:v8").setFlagsFromString("--experimental-wasm-relaxed-simd");
  } catch {
    return false;
  }
  return WebAssembly.validate(bytes);
}

/** The build used by kernelsFor / standaloneKernels in this process (chosen once). */
export function kernelVariant(): KernelVariant {
  chosen ??= process.env.PSL_WASM_SIMD !== "plain" && relaxedSimdSupported() ? "relaxed-simd" : "simd";
  return chosen;
}

function compiledModule(variant: KernelVariant): object {
  let module = compiled.get(variant);
  if (!module) {
    if (variant === "relaxed-simd" && !relaxedSimdSupported()) throw new Error("this runtime does not support relaxed SIMD");
    module = new WebAssembly.Module(Buffer.from(variant === "relaxed-simd" ? KERNELS_RELAXED_WASM_BASE64 : KERNELS_WASM_BASE64, "base64"));
    compiled.set(variant, module);
  }
  return module;
}

const instances = new WeakMap<object, KernelExports>();

/** The kernels bound to this wasm backend's memory (instantiated once per backend instance). */
export function kernelsFor(backend: WasmBackendInternals): KernelExports {
  let exports = instances.get(backend);
  if (!exports) {
    const instance = new WebAssembly.Instance(compiledModule(kernelVariant()), { env: { memory: backend.wasm.asm.memory } });
    exports = instance.exports as unknown as KernelExports;
    instances.set(backend, exports);
  }
  return exports;
}

/**
 * The kernels on a private memory of `bytes` bytes (outside tfjs), for plain-array work such as the optimizer, or to
 * compare the two builds (`variant`; default: this process's). The memory never grows, so views on `memory.buffer`
 * stay valid.
 */
export function standaloneKernels(bytes: number, variant = kernelVariant()): { kernels: KernelExports; memory: WasmMemory } {
  // (the module declares a minimum of 2 pages: lld reserves a default stack region it never uses)
  const pages = Math.max(2, Math.ceil(bytes / 65536));
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
  const instance = new WebAssembly.Instance(compiledModule(variant), { env: { memory } });
  return { kernels: instance.exports as unknown as KernelExports, memory };
}

/** Heap offset of a tensor's data. */
export function offsetOf(backend: WasmBackendInternals, info: { dataId: object }): number {
  const entry = backend.dataIdMap.get(info.dataId);
  if (!entry) throw new Error("tensor data not found on the wasm backend");
  return entry.memoryOffset;
}

/**
 * Temporary heap buffers for one kernel call: `f32(n)`, `f64(n)`, `i32(values)` return offsets; `free()` releases all.
 * Allocate everything BEFORE taking typed-array views: malloc may grow (and so replace) the heap buffer.
 */
export class Scratch {
  private readonly pointers: number[] = [];
  constructor(private readonly backend: WasmBackendInternals) {}
  private alloc(bytes: number): number {
    const ptr = this.backend.wasm._malloc(Math.max(16, bytes)) >>> 0;
    this.pointers.push(ptr);
    return ptr;
  }
  f32(n: number): number {
    return this.alloc(4 * n);
  }
  f64(n: number): number {
    return this.alloc(8 * n);
  }
  /** Allocates and fills an int32 array. */
  i32(values: number[]): number {
    const ptr = this.alloc(4 * values.length);
    new Int32Array(this.backend.wasm.HEAPU8.buffer, ptr, values.length).set(values);
    return ptr;
  }
  free(): void {
    for (const p of this.pointers) this.backend.wasm._free(p);
    this.pointers.length = 0;
  }
}

/** A float32 view of `n` values at heap offset `ptr` (take it right before use; see Scratch). */
export function f32View(backend: WasmBackendInternals, ptr: number, n: number): Float32Array {
  return new Float32Array(backend.wasm.HEAPU8.buffer, ptr, n);
}
