/**
 * The safetensors format (as written by the `safetensors` Python/Rust library): an 8-byte little-endian header
 * length N, N bytes of JSON `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__"?: {string: string}}`,
 * then the raw little-endian tensor bytes (offsets relative to the end of the header).
 *
 * Hand-written because the format is tiny and no maintained npm package does both read and write without a
 * native/wasm dependency. The reader validates everything (a checkpoint is user input): any malformed file
 * becomes a UserError naming the file and, where it applies, the tensor.
 */
import { readFileSync } from "node:fs";
import { UserError } from "../errors";
import { writeFileAtomic } from "./atomic";

export type SafetensorsDtype = "F64" | "F32" | "F16" | "BF16" | "I64" | "U64" | "I32" | "U32" | "I16" | "U16" | "I8" | "U8" | "BOOL";

export type SafetensorsData =
  | Float64Array
  | Float32Array
  | BigInt64Array
  | BigUint64Array
  | Int32Array
  | Uint32Array
  | Int16Array
  | Uint16Array
  | Int8Array
  | Uint8Array;

export interface SafetensorsTensor {
  /** dtype in the file; F16/BF16 are widened to Float32Array on read. */
  dtype: SafetensorsDtype;
  shape: number[];
  data: SafetensorsData;
}

export interface SafetensorsContents {
  /** Tensors in file-header order. */
  tensors: Map<string, SafetensorsTensor>;
  metadata: Record<string, string>;
}

/** Bytes per element of each dtype. */
const DTYPE_SIZE: Record<SafetensorsDtype, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, U64: 8, I32: 4, U32: 4, I16: 2, U16: 2, I8: 1, U8: 1, BOOL: 1 };

/** Refuse absurd headers before allocating/parsing them (the reference implementation's limit is 100 MB). */
const MAX_HEADER_BYTES = 100_000_000;

/** Parses safetensors bytes; `name` is used in error messages (usually the file path). */
export function parseSafetensors(bytes: Uint8Array, name: string): SafetensorsContents {
  const fail = (why: string): never => {
    throw new UserError(`${name}: not a valid safetensors file (${why})`);
  };
  if (bytes.byteLength < 8) fail("shorter than the 8-byte header length");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength > MAX_HEADER_BYTES || 8 + headerLength > bytes.byteLength) fail(`header length ${headerLength} exceeds the file size ${bytes.byteLength}`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)));
  } catch (error) {
    fail(`header is not UTF-8 JSON: ${(error as Error).message}`);
  }
  if (header === null || typeof header !== "object" || Array.isArray(header)) fail("header is not a JSON object");
  const dataStart = 8 + headerLength;
  const dataLength = bytes.byteLength - dataStart;
  const metadata: Record<string, string> = {};
  const entries: { key: string; dtype: SafetensorsDtype; shape: number[]; begin: number; end: number }[] = [];
  for (const [key, value] of Object.entries(header as Record<string, unknown>)) {
    if (key === "__metadata__") {
      if (value === null || typeof value !== "object" || Array.isArray(value)) fail("__metadata__ is not an object");
      for (const [mk, mv] of Object.entries(value as Record<string, unknown>)) {
        if (typeof mv !== "string") fail(`__metadata__ value "${mk}" is not a string`);
        metadata[mk] = mv as string;
      }
      continue;
    }
    const info = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown } | null;
    if (info === null || typeof info !== "object") fail(`tensor "${key}": entry is not an object`);
    const dtype = info!.dtype;
    if (typeof dtype !== "string" || !(dtype in DTYPE_SIZE)) fail(`tensor "${key}": unsupported dtype ${JSON.stringify(dtype)}`);
    const shape = info!.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) fail(`tensor "${key}": bad shape ${JSON.stringify(shape)}`);
    const offsets = info!.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((d) => Number.isSafeInteger(d) && d >= 0) || offsets[0] > offsets[1]) {
      fail(`tensor "${key}": bad data_offsets ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets as number[];
    if (end > dataLength) fail(`tensor "${key}": data_offsets [${begin}, ${end}] run past the end of the data (${dataLength} bytes)`);
    const elements = (shape as number[]).reduce((a, b) => a * b, 1);
    if (elements * DTYPE_SIZE[dtype as SafetensorsDtype] !== end - begin) {
      fail(`tensor "${key}": shape [${shape}] of ${dtype} needs ${elements * DTYPE_SIZE[dtype as SafetensorsDtype]} bytes, data_offsets give ${end - begin}`);
    }
    entries.push({ key, dtype: dtype as SafetensorsDtype, shape: shape as number[], begin, end });
  }
  // The format requires the tensors to tile the data area exactly: no overlaps, no holes.
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (const entry of sorted) {
    if (entry.begin !== cursor) fail(`tensor "${entry.key}": data_offsets start at ${entry.begin}, expected ${cursor} (overlap or hole)`);
    cursor = entry.end;
  }
  if (cursor !== dataLength) fail(`${dataLength - cursor} trailing bytes after the last tensor`);

  const tensors = new Map<string, SafetensorsTensor>();
  for (const entry of entries) {
    const raw = bytes.subarray(dataStart + entry.begin, dataStart + entry.end);
    tensors.set(entry.key, { dtype: entry.dtype, shape: entry.shape, data: decode(entry.dtype, raw) });
  }
  return { tensors, metadata };
}

/** Reads and parses a safetensors file. */
export function readSafetensors(path: string): SafetensorsContents {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new UserError(`cannot read ${path}: ${(error as Error).message}`);
  }
  return parseSafetensors(bytes, path);
}

/** Copies the (possibly unaligned) bytes into a fresh typed array; F16/BF16 become Float32Array. */
function decode(dtype: SafetensorsDtype, raw: Uint8Array): SafetensorsData {
  // Aligned, owned copy: the offsets inside the file need not be aligned. (new Uint8Array copies; Buffer#slice would not.)
  const copy = new Uint8Array(raw).buffer;
  switch (dtype) {
    case "F64":
      return new Float64Array(copy);
    case "F32":
      return new Float32Array(copy);
    case "I64":
      return new BigInt64Array(copy);
    case "U64":
      return new BigUint64Array(copy);
    case "I32":
      return new Int32Array(copy);
    case "U32":
      return new Uint32Array(copy);
    case "I16":
      return new Int16Array(copy);
    case "U16":
      return new Uint16Array(copy);
    case "I8":
      return new Int8Array(copy);
    case "U8":
    case "BOOL":
      return new Uint8Array(copy);
    case "F16":
      return halfToFloat32(new Uint16Array(copy));
    case "BF16": {
      const half = new Uint16Array(copy);
      const out = new Float32Array(half.length);
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < half.length; i++) bits[i] = half[i] << 16; // bfloat16 = upper 16 bits of a float32
      return out;
    }
  }
}

/** IEEE 754 binary16 → float32 (subnormals, infinities and NaN included). */
export function halfToFloat32(half: Uint16Array): Float32Array {
  const out = new Float32Array(half.length);
  for (let i = 0; i < half.length; i++) {
    const h = half[i];
    const sign = h & 0x8000 ? -1 : 1;
    const exponent = (h >> 10) & 0x1f;
    const fraction = h & 0x3ff;
    if (exponent === 0) out[i] = sign * fraction * 2 ** -24;
    else if (exponent === 31) out[i] = fraction ? NaN : sign * Infinity;
    else out[i] = sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
  }
  return out;
}

export interface TensorToWrite {
  data: SafetensorsData;
  shape: number[];
}

function dtypeOf(data: SafetensorsData, key: string): SafetensorsDtype {
  if (data instanceof Float64Array) return "F64";
  if (data instanceof Float32Array) return "F32";
  if (data instanceof BigInt64Array) return "I64";
  if (data instanceof BigUint64Array) return "U64";
  if (data instanceof Int32Array) return "I32";
  if (data instanceof Uint32Array) return "U32";
  if (data instanceof Int16Array) return "I16";
  if (data instanceof Uint16Array) return "U16";
  if (data instanceof Int8Array) return "I8";
  if (data instanceof Uint8Array) return "U8";
  throw new Error(`safetensors: tensor "${key}" has an unsupported array type`);
}

/** Encodes tensors (in the given order) + string metadata as safetensors chunks: [length+header, ...data]. */
export function encodeSafetensors(tensors: Iterable<[string, TensorToWrite]>, metadata: Record<string, string> = {}): Uint8Array[] {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [key, tensor] of tensors) {
    if (key === "__metadata__") throw new Error(`safetensors: "__metadata__" is not a valid tensor name`);
    if (key in header) throw new Error(`safetensors: duplicate tensor "${key}"`);
    const elements = tensor.shape.reduce((a, b) => a * b, 1);
    if (elements !== tensor.data.length) throw new Error(`safetensors: tensor "${key}" has ${tensor.data.length} values for shape [${tensor.shape}]`);
    const dtype = dtypeOf(tensor.data, key);
    const bytes = new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
    header[key] = { dtype, shape: tensor.shape, data_offsets: [offset, offset + bytes.byteLength] };
    chunks.push(bytes);
    offset += bytes.byteLength;
  }
  let json = JSON.stringify(header);
  // Pad with spaces so the data starts 8-byte aligned (as the reference writer does): readers can then map
  // tensors in place.
  const jsonBytes = () => new TextEncoder().encode(json);
  json += " ".repeat((8 - (jsonBytes().byteLength % 8)) % 8);
  const encoded = jsonBytes();
  const prefix = new Uint8Array(8 + encoded.byteLength);
  new DataView(prefix.buffer).setBigUint64(0, BigInt(encoded.byteLength), true);
  prefix.set(encoded, 8);
  return [prefix, ...chunks];
}

/** Writes a safetensors file atomically (temp file + fsync + rename). */
export function writeSafetensors(path: string, tensors: Iterable<[string, TensorToWrite]>, metadata: Record<string, string> = {}): void {
  writeFileAtomic(path, encodeSafetensors(tensors, metadata));
}
