/**
 * The reference's prepared waveforms: one HDF5 file per subset (balanced.h5, eval.h5) holding one 1-D dataset per
 * clip, named by the audio file's basename, int16 PCM at 16 kHz (its dump script writes what soundfile reads as
 * int16). Read back as the reference does: integer samples / 32768 as float32. Lets a user who already ran the
 * reference's data preparation reuse it (manifest rows with `hdf5path`, as in its label TSVs) without re-decoding.
 * Uses h5wasm (the HDF5 C library compiled to wasm; installs offline). Its node build is ESM-only and exported for
 * `import` only, so it is loaded with a real dynamic import.
 */
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { UserError } from "../errors";

export interface WaveformStore {
  readonly path: string;
  keys(): string[];
  has(key: string): boolean;
  /** Number of samples of a clip. */
  length(key: string): number;
  /** Samples [fromSample, toSample) of a clip as float32 (integers divided by 32768, like the reference). */
  read(key: string, fromSample?: number, toSample?: number): Float32Array;
  close(): void;
}

interface H5Dataset {
  shape: number[];
  dtype: string;
  slice(ranges: [number, number][]): ArrayLike<number> | null;
}
interface H5File {
  keys(): string[];
  get(name: string): unknown;
  close(): void;
}
interface H5Module {
  ready: Promise<unknown>;
  File: new (path: string, mode: string) => H5File;
  Dataset: new (...args: never[]) => H5Dataset;
}

// A Function-built import() survives TypeScript's CommonJS output (which would turn import() into require()).
const dynamicImport = new Function("specifier", "return import(specifier)") as (specifier: string) => Promise<unknown>;
let h5Promise: Promise<H5Module> | undefined;
function loadH5wasm(): Promise<H5Module> {
  h5Promise ??= dynamicImport("h5wasm/node").then(async (mod) => {
    const h5 = ((mod as { default?: unknown }).default ?? mod) as H5Module;
    await h5.ready;
    return h5;
  });
  return h5Promise;
}

const HDF5_SIGNATURE = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);

/** HDF5's superblock signature sits at byte 0 or, after a user block, at 512, 1024, 2048, … */
function looksLikeHdf5(path: string): boolean {
  const fd = openSync(path, "r");
  try {
    const size = statSync(path).size;
    const probe = Buffer.alloc(8);
    for (let offset = 0; offset + 8 <= size; offset = offset === 0 ? 512 : offset * 2) {
      readSync(fd, probe, 0, 8, offset);
      if (probe.equals(HDF5_SIGNATURE)) return true;
    }
    return false;
  } finally {
    closeSync(fd);
  }
}

/** Opens a reference-layout HDF5 waveform file for reading. */
export async function openWaveformHdf5(path: string): Promise<WaveformStore> {
  try {
    if (!statSync(path).isFile()) throw new Error("not a file");
  } catch {
    throw new UserError(`${path}: HDF5 waveform file not found`);
  }
  if (!looksLikeHdf5(path)) throw new UserError(`${path}: cannot open as HDF5 (no HDF5 signature)`);
  const h5 = await loadH5wasm();
  let file: H5File;
  let keySet: Set<string>;
  try {
    file = new h5.File(path, "r");
    keySet = new Set(file.keys());
  } catch (error) {
    throw new UserError(`${path}: cannot open as HDF5 (${(error as Error).message ?? error})`);
  }
  const dataset = (key: string): H5Dataset => {
    if (!keySet.has(key)) throw new UserError(`${path}: no dataset "${key}"`);
    const item = file.get(key);
    if (!(item instanceof h5.Dataset)) throw new UserError(`${path}: "${key}" is not a dataset`);
    if (item.shape.length !== 1) throw new UserError(`${path}: "${key}" has shape (${item.shape.join(", ")}); mono 1-D waveforms expected`);
    return item;
  };
  return {
    path,
    keys: () => [...keySet],
    has: (key) => keySet.has(key),
    length: (key) => dataset(key).shape[0],
    read(key, fromSample = 0, toSample?: number) {
      const ds = dataset(key);
      const end = Math.min(toSample ?? ds.shape[0], ds.shape[0]);
      if (!Number.isInteger(fromSample) || fromSample < 0 || end <= fromSample) {
        throw new UserError(`${path}: samples ${fromSample} … ${toSample} out of range for "${key}" (${ds.shape[0]} samples)`);
      }
      const values = ds.slice([[fromSample, end]]);
      if (!values) throw new UserError(`${path}: cannot read "${key}"`);
      // The reference divides every integer dtype by 32768 (meant for int16); floats pass through.
      // h5wasm reports dtypes as struct codes ("<h" = int16, "<f" = float32).
      const isInteger = /^[<>|=!]?[bBhHiIlLqQ]$/.test(ds.dtype);
      const out = new Float32Array(values.length);
      const scale = isInteger ? 1 / 32768 : 1;
      for (let i = 0; i < values.length; i++) out[i] = Number(values[i]) * scale;
      return out;
    },
    close: () => file.close(),
  };
}
