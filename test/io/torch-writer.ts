/**
 * Writes PyTorch checkpoints (torch.save's zip format) without Python, for tests that need a `.pt` the kit has not
 * seen before (e.g. a random-weight teacher in the authors' layout for the own-download walkthrough) without keeping
 * megabytes of fixtures: `archive/data.pkl` (pickle protocol 2: dicts, strings, numbers, and tensors rebuilt through
 * torch._utils._rebuild_tensor_v2 from persistent storages), `archive/data/<n>` (raw little-endian storages, stored
 * uncompressed as torch writes them), `archive/version`. torch.load reads the result (checked once with Debian's
 * torch 1.13 while writing this helper; CI has no torch and reads it with lib/io/torch-file.ts).
 */
import { zipSync } from "fflate";
import { writeFileSync } from "node:fs";

/** A tensor to write: float32 or int64 data, C-contiguous. */
export interface TensorToSave {
  dtype: "float32" | "int64";
  shape: number[];
  data: Float32Array | BigInt64Array;
}

export type Picklable = null | boolean | number | string | TensorToSave | Picklable[] | { [key: string]: Picklable } | Map<string, Picklable>;

const isTensor = (v: unknown): v is TensorToSave => typeof v === "object" && v !== null && "dtype" in v && "shape" in v && "data" in v;

class PickleWriter {
  private parts: number[] = [];
  readonly storages: Uint8Array[] = [];

  byte(...values: number[]): void {
    this.parts.push(...values);
  }

  u32(value: number): void {
    this.byte(value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff);
  }

  text(s: string): void {
    const bytes = Buffer.from(s, "utf8");
    this.byte(0x58); // BINUNICODE
    this.u32(bytes.length);
    this.byte(...bytes);
  }

  global(module: string, name: string): void {
    this.byte(0x63, ...Buffer.from(`${module}\n${name}\n`, "latin1")); // GLOBAL
  }

  int(value: number): void {
    this.byte(0x4a); // BININT (signed 32-bit)
    this.u32(value >>> 0);
  }

  float(value: number): void {
    const b = Buffer.alloc(8);
    b.writeDoubleBE(value);
    this.byte(0x47, ...b); // BINFLOAT
  }

  tuple(items: (() => void)[]): void {
    this.byte(0x28); // MARK
    for (const item of items) item();
    this.byte(0x74); // TUPLE
  }

  emptyOrderedDict(): void {
    this.global("collections", "OrderedDict");
    this.byte(0x29, 0x52); // EMPTY_TUPLE, REDUCE
  }

  value(v: Picklable): void {
    if (v === null) this.byte(0x4e); // NONE
    else if (v === true) this.byte(0x88);
    else if (v === false) this.byte(0x89);
    else if (typeof v === "number") Number.isInteger(v) && Math.abs(v) < 2 ** 31 ? this.int(v) : this.float(v);
    else if (typeof v === "string") this.text(v);
    else if (isTensor(v)) this.tensor(v);
    else if (Array.isArray(v)) {
      this.byte(0x5d, 0x28); // EMPTY_LIST, MARK
      for (const item of v) this.value(item);
      this.byte(0x65); // APPENDS
    } else {
      // A Map is a state dict (collections.OrderedDict, as torch's); a plain object a dict.
      if (v instanceof Map) this.emptyOrderedDict();
      else this.byte(0x7d); // EMPTY_DICT
      const entries = v instanceof Map ? [...v.entries()] : Object.entries(v);
      if (entries.length === 0) return;
      this.byte(0x28); // MARK
      for (const [key, item] of entries) {
        this.text(key);
        this.value(item);
      }
      this.byte(0x75); // SETITEMS
    }
  }

  /** torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, backward_hooks). */
  tensor(t: TensorToSave): void {
    const key = String(this.storages.length);
    const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    this.storages.push(bytes.slice());
    const numel = t.data.length;
    const stride = t.shape.map((_, i) => t.shape.slice(i + 1).reduce((a, b) => a * b, 1));
    this.global("torch._utils", "_rebuild_tensor_v2");
    this.tuple([
      () => {
        this.tuple([() => this.text("storage"), () => this.global("torch", t.dtype === "float32" ? "FloatStorage" : "LongStorage"), () => this.text(key), () => this.text("cpu"), () => this.int(numel)]);
        this.byte(0x51); // BINPERSID
      },
      () => this.int(0),
      () => this.tuple(t.shape.map((d) => () => this.int(d))),
      () => this.tuple(stride.map((d) => () => this.int(d))),
      () => this.byte(0x89),
      () => this.emptyOrderedDict(),
    ]);
    this.byte(0x52); // REDUCE
  }

  bytes(root: Picklable): Uint8Array {
    this.parts = [0x80, 2]; // PROTO 2
    this.value(root);
    this.byte(0x2e); // STOP
    return Uint8Array.from(this.parts);
  }
}

/** Writes `root` (typically {model: state dict, …}) as a torch.save zip file at `path`. */
export function writeTorchFile(path: string, root: Picklable): void {
  const writer = new PickleWriter();
  const pickle = writer.bytes(root);
  const files: Record<string, [Uint8Array, { level: 0 }]> = {
    "archive/data.pkl": [pickle, { level: 0 }],
    "archive/version": [Buffer.from("3\n"), { level: 0 }],
  };
  writer.storages.forEach((bytes, i) => (files[`archive/data/${i}`] = [bytes, { level: 0 }]));
  writeFileSync(path, zipSync(files));
}
