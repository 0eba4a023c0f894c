/**
 * NumPy .npy read/write, so users can move arrays (log-mels, embeddings, score matrices) between Python and the kit.
 * Read: format 1.0, 2.0 and 3.0; little-endian (or byte-less) f4, f8, i1, i2, i4, i8, u1, u2, u4, bool; C order.
 * Write: format 1.0, f4 / f8 / i4 / u1, C order. Fortran order, big-endian and object/structured dtypes are refused
 * with a UserError rather than silently misread.
 * Hand-written: no maintained npm package reads and writes .npy without pulling in a full ndarray stack, and the
 * format is a 10-byte preamble plus a Python-literal header.
 */
import { readFileSync } from "node:fs";
import { UserError } from "../errors";
import { writeFileAtomic } from "./atomic";

export type NpyData = Float32Array | Float64Array | Int8Array | Int16Array | Int32Array | Uint8Array | Uint16Array | Uint32Array;

export interface NpyArray {
  data: NpyData;
  shape: number[];
  /** The file's dtype string, e.g. "<f4". int64 files are returned as Float64Array (exact up to 2^53). */
  dtype: string;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

type Ctor = { new (buffer: ArrayBuffer): NpyData; BYTES_PER_ELEMENT: number };
const READ_TYPES: Record<string, Ctor> = {
  f4: Float32Array,
  f8: Float64Array,
  i1: Int8Array,
  i2: Int16Array,
  i4: Int32Array,
  u1: Uint8Array,
  u2: Uint16Array,
  u4: Uint32Array,
  b1: Uint8Array,
};

function parseHeader(header: string, name: string): { descr: string; fortran: boolean; shape: number[] } {
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new UserError(`${name}: malformed .npy header ${JSON.stringify(header.trim())}`);
  }
  const shape = shapeText
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => {
      const v = Number(s.replace(/L$/, ""));
      if (!Number.isInteger(v) || v < 0) throw new UserError(`${name}: bad .npy shape (${shapeText})`);
      return v;
    });
  return { descr, fortran: fortran === "True", shape };
}

/** Reads a .npy file (path) or .npy bytes. */
export function readNpy(pathOrBytes: string | Uint8Array, nameForErrors?: string): NpyArray {
  const name = nameForErrors ?? (typeof pathOrBytes === "string" ? pathOrBytes : "<npy bytes>");
  let bytes: Uint8Array;
  if (typeof pathOrBytes === "string") {
    try {
      bytes = readFileSync(pathOrBytes);
    } catch (error) {
      throw new UserError(`${name}: cannot read (${(error as NodeJS.ErrnoException).code ?? error})`);
    }
  } else {
    bytes = pathOrBytes;
  }
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw new UserError(`${name}: not a .npy file (bad magic)`);
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLength: number;
  let headerStart: number;
  if (major === 1) {
    headerLength = view.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    headerLength = view.getUint32(8, true);
    headerStart = 12;
  } else {
    throw new UserError(`${name}: unsupported .npy format version ${major}.${bytes[7]}`);
  }
  if (headerStart + headerLength > bytes.length) throw new UserError(`${name}: truncated .npy header`);
  const decoder = new TextDecoder(major === 3 ? "utf-8" : "latin1");
  const header = decoder.decode(bytes.subarray(headerStart, headerStart + headerLength));
  const { descr, fortran, shape } = parseHeader(header, name);
  if (fortran) throw new UserError(`${name}: Fortran-order .npy is not supported; save with np.ascontiguousarray(a)`);
  const order = descr[0];
  const kind = descr.slice(1);
  if (order === ">" && !["i1", "u1", "b1"].includes(kind)) {
    throw new UserError(`${name}: big-endian dtype ${descr} is not supported; save with a.astype('<${kind}')`);
  }
  if (!["<", "|", "="].includes(order) || (!(kind in READ_TYPES) && kind !== "i8")) {
    throw new UserError(`${name}: unsupported .npy dtype ${descr} (supported: f4 f8 i1 i2 i4 i8 u1 u2 u4 bool, little-endian)`);
  }
  const count = shape.reduce((a, b) => a * b, 1);
  const dataStart = headerStart + headerLength;
  const itemSize = kind === "i8" ? 8 : READ_TYPES[kind].BYTES_PER_ELEMENT;
  if (bytes.length - dataStart < count * itemSize) {
    throw new UserError(`${name}: truncated .npy data (${bytes.length - dataStart} bytes for ${count} × ${descr})`);
  }
  // Copy into a fresh, aligned buffer (the data offset need not be a multiple of the item size).
  const copy = new Uint8Array(count * itemSize);
  copy.set(bytes.subarray(dataStart, dataStart + count * itemSize));
  const raw = copy.buffer;
  if (kind === "i8") {
    const wide = new BigInt64Array(raw);
    const data = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      const v = Number(wide[i]);
      if (!Number.isSafeInteger(v)) throw new UserError(`${name}: int64 value ${wide[i]} at index ${i} exceeds 2^53`);
      data[i] = v;
    }
    return { data, shape, dtype: descr };
  }
  return { data: new READ_TYPES[kind](raw), shape, dtype: descr };
}

function descrFor(data: NpyData): string {
  if (data instanceof Float32Array) return "<f4";
  if (data instanceof Float64Array) return "<f8";
  if (data instanceof Int32Array) return "<i4";
  if (data instanceof Uint8Array) return "|u1";
  throw new UserError(`writeNpy: unsupported array type ${(data as object).constructor.name} (use Float32Array, Float64Array, Int32Array or Uint8Array)`);
}

/** Encodes an array as .npy (format 1.0, C order). `shape` must multiply to data.length. */
export function encodeNpy(array: { data: NpyData; shape: number[] }): Uint8Array {
  const { data, shape } = array;
  if (!shape.every((d) => Number.isInteger(d) && d >= 0)) throw new UserError(`writeNpy: bad shape [${shape.join(", ")}]`);
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new UserError(`writeNpy: shape [${shape.join(", ")}] holds ${count} values but data has ${data.length}`);
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  let header = `{'descr': '${descrFor(data)}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // Pad with spaces so that the data starts on a 64-byte boundary; the header ends with a newline (NEP 1).
  const total = 10 + header.length + 1;
  header += " ".repeat((64 - (total % 64)) % 64) + "\n";
  if (header.length > 65535) throw new UserError("writeNpy: header too long for format 1.0");
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}

/** Writes an array to `path` as .npy, atomically. */
export function writeNpy(path: string, array: { data: NpyData; shape: number[] }): void {
  writeFileAtomic(path, encodeNpy(array));
}
