/**
 * The PyTorch checkpoint file format, read without Python: the `torch.save` zip format (`<archive>/data.pkl` +
 * `<archive>/data/<key>` raw storages, little-endian) and the legacy pre-1.6 stream format, with the pickle reader in
 * ./pickle.ts. Tensors come back materialised contiguous; dicts as Map. `extractStateDict` finds the state_dict
 * inside the usual wrappers (`{"model": …}`, `{"state_dict": …}`, `{"model_state_dict": …}`, a `module.` prefix from
 * DataParallel). What the tensors mean for the kit's MobileNetV2 is lib/model/torch-import.ts's business.
 */
import { unzipSync } from "fflate";
import { UserError } from "../errors";
import { halfToFloat32 } from "./safetensors";
import { PickleGlobal, PickleObject, unpickle } from "./pickle";

export type TorchDtype = "float32" | "float64" | "float16" | "bfloat16" | "int64" | "int32" | "int16" | "int8" | "uint8" | "bool";

/** A tensor read from a torch checkpoint, materialised contiguous (C order). Floats widened to Float32Array. */
export interface TorchTensor {
  dtype: TorchDtype;
  shape: number[];
  /** float types → Float32Array (float64 narrowed); integer/bool types → Float64Array (exact to 2^53). */
  data: Float32Array | Float64Array;
}

interface TorchStorage {
  dtype: TorchDtype;
  bytes: Uint8Array;
}

const STORAGE_TYPES: Record<string, { dtype: TorchDtype; size: number }> = {
  FloatStorage: { dtype: "float32", size: 4 },
  DoubleStorage: { dtype: "float64", size: 8 },
  HalfStorage: { dtype: "float16", size: 2 },
  BFloat16Storage: { dtype: "bfloat16", size: 2 },
  LongStorage: { dtype: "int64", size: 8 },
  IntStorage: { dtype: "int32", size: 4 },
  ShortStorage: { dtype: "int16", size: 2 },
  CharStorage: { dtype: "int8", size: 1 },
  ByteStorage: { dtype: "uint8", size: 1 },
  BoolStorage: { dtype: "bool", size: 1 },
};
const DTYPE_SIZE: Record<TorchDtype, number> = Object.fromEntries(Object.values(STORAGE_TYPES).map((s) => [s.dtype, s.size])) as Record<TorchDtype, number>;

/** The dtype marker objects that `torch.FloatStorage` etc. resolve to while unpickling. */
class StorageType {
  constructor(readonly dtype: TorchDtype) {}
}

/** Reads the element at `index` of a storage as a JS number. */
function storageReader(storage: TorchStorage): (index: number) => number {
  const view = new DataView(storage.bytes.buffer, storage.bytes.byteOffset, storage.bytes.byteLength);
  switch (storage.dtype) {
    case "float32":
      return (i) => view.getFloat32(i * 4, true);
    case "float64":
      return (i) => view.getFloat64(i * 8, true);
    case "float16":
      return (i) => halfToFloat32(new Uint16Array([view.getUint16(i * 2, true)]))[0];
    case "bfloat16":
      return (i) => new Float32Array(new Uint32Array([view.getUint16(i * 2, true) << 16]).buffer)[0];
    case "int64":
      return (i) => Number(view.getBigInt64(i * 8, true));
    case "int32":
      return (i) => view.getInt32(i * 4, true);
    case "int16":
      return (i) => view.getInt16(i * 2, true);
    case "int8":
      return (i) => view.getInt8(i);
    case "uint8":
    case "bool":
      return (i) => view.getUint8(i);
  }
}

/** torch._utils._rebuild_tensor_v2(storage, storage_offset, size, stride, …): gathers a strided view into C order. */
function rebuildTensor(storage: unknown, offset: unknown, size: unknown, stride: unknown): TorchTensor {
  if (!storage || typeof storage !== "object" || !("bytes" in storage)) throw new UserError("tensor without a storage");
  const st = storage as TorchStorage;
  const isIntArray = (v: unknown): v is number[] => Array.isArray(v) && v.every((d) => Number.isSafeInteger(d) && d >= 0);
  if (!Number.isSafeInteger(offset) || (offset as number) < 0 || !isIntArray(size) || !isIntArray(stride) || size.length !== stride.length) {
    throw new UserError("tensor with a bad offset/size/stride");
  }
  const numel = size.reduce((a, b) => a * b, 1);
  const available = st.bytes.byteLength / DTYPE_SIZE[st.dtype];
  // A stride-0 (expanded) view could claim any size over a tiny storage; state dicts never hold such views, and
  // materialising one could exhaust memory.
  if (numel > Math.max(available, 1 << 20)) throw new UserError(`tensor of shape [${size}] is larger than its storage (${available} elements)`);
  if (numel > 0) {
    const last = (offset as number) + size.reduce((acc, d, i) => acc + (d - 1) * stride[i], 0);
    if (last >= available) throw new UserError(`tensor of shape [${size}] reads past its storage (${available} elements)`);
  }
  const read = storageReader(st);
  const isFloat = st.dtype.startsWith("float") || st.dtype === "bfloat16";
  const data = isFloat ? new Float32Array(numel) : new Float64Array(numel);
  const index = new Array<number>(size.length).fill(0);
  for (let n = 0; n < numel; n++) {
    let src = offset as number;
    for (let d = 0; d < size.length; d++) src += index[d] * stride[d];
    data[n] = read(src);
    for (let d = size.length - 1; d >= 0; d--) {
      if (++index[d] < size[d]) break;
      index[d] = 0;
    }
  }
  return { dtype: st.dtype, shape: [...size], data };
}

function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

/** GLOBALs a torch checkpoint needs; `rebuild` decides what a tensor becomes. */
function torchFindClass(rebuild: (storage: unknown, offset: unknown, size: unknown, stride: unknown) => unknown) {
  return (module: string, qualname: string): unknown => {
    if (module === "collections" && qualname === "OrderedDict") return () => new Map();
    if (module === "torch._utils" && qualname === "_rebuild_tensor_v2") return rebuild;
    if (module === "torch._utils" && (qualname === "_rebuild_parameter" || qualname === "_rebuild_parameter_with_state")) {
      return (data: unknown) => data;
    }
    // Storage classes only appear as the type inside a persistent id: a plain marker value is enough.
    if (module === "torch" && qualname in STORAGE_TYPES) return new StorageType(STORAGE_TYPES[qualname].dtype);
    return undefined;
  };
}

/** Checks a persistent id `('storage', storage_type, key, location, numel, …)`; returns its dtype, key and numel. */
function storageId(pid: unknown, name: string): { dtype: TorchDtype; key: string; numel: number } {
  if (!Array.isArray(pid) || pid.length < 5 || pid[0] !== "storage") throw new UserError(`${name}: unsupported persistent id`);
  const dtype = pid[1] instanceof StorageType ? pid[1].dtype : undefined;
  if (!dtype) throw new UserError(`${name}: unsupported storage type ${pid[1] instanceof PickleGlobal ? pid[1].qualifiedName : String(pid[1])}`);
  const numel = Number(pid[4]);
  if (!Number.isSafeInteger(numel) || numel < 0) throw new UserError(`${name}: storage with a bad element count ${String(pid[4])}`);
  return { dtype, key: String(pid[2]), numel };
}

/**
 * Unpickles a `torch.save` file — the zip format (torch ≥ 1.6) or the legacy stream format — and returns the saved
 * object with tensors as TorchTensor and dicts as Map.
 */
export function readTorchFile(bytes: Uint8Array, name: string): unknown {
  if (isZip(bytes)) return readZipFormat(bytes, name);
  if (bytes.length >= 2 && bytes[0] === 0x80) return readLegacyFormat(bytes, name);
  throw new UserError(`${name}: not a PyTorch checkpoint (expected a torch.save file)`);
}

function readZipFormat(bytes: Uint8Array, name: string): unknown {
  let entries: Record<string, Uint8Array>;
  try {
    // torch.save stores entries uncompressed; refuse implausible inflation ratios (zip bombs) before inflating.
    entries = unzipSync(bytes, {
      filter: (file) => {
        if (file.compression !== 0 && file.originalSize > 100 * file.size + (1 << 20)) throw new Error(`entry ${file.name} inflates ${file.size} → ${file.originalSize} bytes`);
        return true;
      },
    });
  } catch (error) {
    throw new UserError(`${name}: corrupt zip archive (${(error as Error).message})`);
  }
  const pickles = Object.keys(entries).filter((k) => /^[^/]+\/data\.pkl$/.test(k));
  if (pickles.length !== 1) throw new UserError(`${name}: expected one <archive>/data.pkl in the zip, found ${pickles.length}`);
  const prefix = pickles[0].slice(0, -"data.pkl".length);
  const byteorder = entries[`${prefix}byteorder`];
  if (byteorder && new TextDecoder().decode(byteorder).trim() !== "little") {
    throw new UserError(`${name}: big-endian torch checkpoints are not supported`);
  }
  const storages = new Map<string, TorchStorage>();
  const persistentLoad = (pid: unknown): TorchStorage => {
    const { dtype, key, numel } = storageId(pid, name);
    const cached = storages.get(key);
    if (cached) return cached;
    const data = entries[`${prefix}data/${key}`];
    if (!data) throw new UserError(`${name}: storage "${prefix}data/${key}" missing from the archive`);
    if (numel * DTYPE_SIZE[dtype] > data.byteLength) throw new UserError(`${name}: storage "${key}" holds ${data.byteLength} bytes, fewer than its ${numel} elements`);
    const storage = { dtype, bytes: data };
    storages.set(key, storage);
    return storage;
  };
  const findClass = torchFindClass((storage, offset, size, stride) => rebuildTensor(storage, offset, size, stride));
  return unpickle(entries[pickles[0]], { findClass, persistentLoad, name: `${name}:${pickles[0]}` }).value;
}

/** torch's legacy format magic number (first pickle of the stream). */
const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;

/**
 * The pre-1.6 stream: pickles of (magic, protocol version, sys_info, the object, the sorted storage keys), then each
 * storage as an int64 element count + raw little-endian data, in key order. Tensors refer to storages that come
 * after the object pickle, so the object is parsed twice: once to learn where it ends and which storages exist,
 * once more with the storage data in hand.
 */
function readLegacyFormat(bytes: Uint8Array, name: string): unknown {
  const magic = unpickle(bytes, { name: `${name} (magic number)` });
  if (magic.value !== LEGACY_MAGIC) throw new UserError(`${name}: not a PyTorch checkpoint (a pickle, but not written by torch.save)`);
  const version = unpickle(bytes, { name: `${name} (protocol version)` }, magic.end);
  if (version.value !== 1001) throw new UserError(`${name}: unsupported legacy torch protocol version ${String(version.value)}`);
  const sysInfo = unpickle(bytes, { name: `${name} (sys_info)` }, version.end);
  if (sysInfo.value instanceof Map && sysInfo.value.get("little_endian") === false) throw new UserError(`${name}: big-endian torch checkpoints are not supported`);

  const declared = new Map<string, { dtype: TorchDtype; numel: number }>();
  const scan = unpickle(
    bytes,
    {
      name,
      findClass: torchFindClass(() => null),
      persistentLoad: (pid) => {
        const { dtype, key, numel } = storageId(pid, name);
        declared.set(key, { dtype, numel });
        return null;
      },
    },
    sysInfo.end,
  );
  const keys = unpickle(bytes, { name: `${name} (storage keys)` }, scan.end);
  if (!Array.isArray(keys.value) || !keys.value.every((k) => typeof k === "string")) throw new UserError(`${name}: malformed storage key list`);
  const storages = new Map<string, TorchStorage>();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = keys.end;
  for (const key of keys.value as string[]) {
    const info = declared.get(key);
    if (!info) throw new UserError(`${name}: storage "${key}" is listed but never used`);
    if (pos + 8 > bytes.byteLength) throw new UserError(`${name}: file ends before storage "${key}"`);
    const numel = Number(view.getBigInt64(pos, true));
    const length = numel * DTYPE_SIZE[info.dtype];
    if (numel !== info.numel || pos + 8 + length > bytes.byteLength) throw new UserError(`${name}: storage "${key}" is truncated or inconsistent (${numel} elements)`);
    storages.set(key, { dtype: info.dtype, bytes: bytes.subarray(pos + 8, pos + 8 + length) });
    pos += 8 + length;
  }
  const persistentLoad = (pid: unknown): TorchStorage => {
    const { key } = storageId(pid, name);
    const storage = storages.get(key);
    if (!storage) throw new UserError(`${name}: storage "${key}" is missing from the file`);
    return storage;
  };
  const findClass = torchFindClass((storage, offset, size, stride) => rebuildTensor(storage, offset, size, stride));
  return unpickle(bytes, { name, findClass, persistentLoad }, sysInfo.end).value;
}

/** Whether a value read by readTorchFile is a tensor. */
export function isTorchTensor(value: unknown): value is TorchTensor {
  return typeof value === "object" && value !== null && "shape" in value && "data" in value && "dtype" in value;
}

const WRAPPER_KEYS = ["model", "state_dict", "model_state_dict", "model_state", "net", "student"];

/** Finds the state dict inside what torch.load returned (plain dict of tensors or a common wrapper). */
export function extractStateDict(saved: unknown, name: string): Map<string, TorchTensor> {
  const tensorsOf = (value: unknown): Map<string, TorchTensor> | undefined => {
    if (!(value instanceof Map)) return undefined;
    const out = new Map<string, TorchTensor>();
    for (const [key, item] of value) if (typeof key === "string" && isTorchTensor(item)) out.set(key, item);
    return out.size > 0 ? out : undefined;
  };
  let found: Map<string, TorchTensor> | undefined;
  if (saved instanceof Map) {
    for (const key of WRAPPER_KEYS) {
      found = tensorsOf(saved.get(key));
      if (found) break;
    }
    found ??= tensorsOf(saved);
  }
  if (!found) {
    const what = saved instanceof PickleObject ? `a ${saved.cls.qualifiedName} object` : saved instanceof Map ? `a dict with keys ${[...saved.keys()].slice(0, 8).join(", ")}` : typeof saved;
    throw new UserError(`${name}: no state_dict found (got ${what}; expected a dict of tensors or {"model": state_dict})`);
  }
  // DataParallel / DDP prefix every key with "module.".
  if ([...found.keys()].every((k) => k.startsWith("module."))) {
    found = new Map([...found].map(([k, v]) => [k.slice("module.".length), v]));
  }
  return found;
}
