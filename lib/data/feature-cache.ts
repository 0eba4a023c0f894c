/**
 * Feature cache: the log-mel of every clip of a manifest, computed once and read back per chunk by file offset,
 * without decoding audio again.
 *
 * Layout in `cacheDir`:
 *   index.json           front-end parameters, encoding, and per clip: shard, byte offset, frame count, source size/mtime
 *   shard-<n>.bin        row-major [frames, 64] blocks of consecutive clips, float32 little-endian
 *                        (or int16 in 1/100 dB steps, `encoding: "int16-centidb"`: half the size, error ≤ 0.005 dB)
 * Each shard is written whole with writeFileAtomic, then index.json is rewritten atomically; so after a crash the
 * cache holds only complete shards that the index describes, and `buildFeatureCache` resumes from there
 * (clips already cached with the same size/mtime are not recomputed). Changing the front-end parameters or the
 * encoding invalidates the whole cache. Audio that is missing, does not decode or is longer than `maxClipSeconds` is
 * skipped and recorded (`skipped`, tried again on the next build), or raises the UserError in `strict` mode.
 */
import { closeSync, copyFileSync, existsSync, linkSync, mkdirSync, openSync, readFileSync, readSync, rmSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { UserError } from "../errors";
import { writeFileAtomic, writeJsonAtomic } from "../io/atomic";
import { DEFAULT_MAX_CLIP_SECONDS, decodeAudioFile } from "../audio/decode";
import { F_MAX, F_MIN, HOP_LENGTH, N_FFT, N_MELS, SAMPLE_RATE, TOP_DB, WIN_LENGTH } from "../audio/frontend";
import { logMel } from "../audio/melspec";
import type { ManifestRow } from "./manifest";
import { openWaveformHdf5, type WaveformStore } from "./reference-hdf5";

export type FeatureEncoding = "float32" | "int16-centidb";

/** Everything that changes the cached numbers; a mismatch invalidates the cache. */
export const FRONT_END_KEY = {
  version: 1,
  sampleRate: SAMPLE_RATE,
  nFft: N_FFT,
  winLength: WIN_LENGTH,
  window: "hann-periodic-torch-f32",
  hopLength: HOP_LENGTH,
  nMels: N_MELS,
  fMin: F_MIN,
  fMax: F_MAX,
  melScale: "htk",
  power: 2,
  topDb: TOP_DB,
  topDbScope: "clip",
  resampler: "torchaudio-sinc-hann-w6-r0.99",
  downmix: "mean",
} as const;

interface ClipEntry {
  shard: number;
  /** Byte offset of the clip's first frame in its shard. */
  offset: number;
  frames: number;
  /** Samples of the decoded 16-kHz waveform: the audio's own duration (absent in caches written before it was kept). */
  samples?: number;
  /** Absolute path of the audio (or HDF5) file the features came from: a clip of the same name elsewhere is another clip. */
  sourcePath?: string;
  sourceSize: number;
  sourceMtimeMs: number;
}

interface IndexFile {
  format: "psl-lab-feature-cache";
  frontEnd: typeof FRONT_END_KEY;
  encoding: FeatureEncoding;
  shards: number;
  clips: Record<string, ClipEntry>;
  skipped: { filename: string; reason: string }[];
}

export interface FeatureCache {
  readonly dir: string;
  readonly encoding: FeatureEncoding;
  /** Clips present in the cache (manifest filenames). */
  readonly filenames: string[];
  /** Clips that could not be cached, with the reason (file named). */
  readonly skipped: { filename: string; reason: string }[];
  has(filename: string): boolean;
  /** Number of log-mel frames of a cached clip. */
  clipFrames(filename: string): number;
  /** The clip's own duration in seconds, from its decoded waveform (checked against manifests by the pipeline). */
  clipSeconds(filename: string): number;
  /** Frames [startFrame, endFrame) of a clip as row-major [n, 64] float32; endFrame is clamped to the clip. */
  readFrames(filename: string, startFrame: number, endFrame: number): Float32Array;
  /** The clip's whole log-mel, row-major [frames, 64]. */
  readClip(filename: string): Float32Array;
  /** Releases open file handles (reopened on demand). */
  close(): void;
}

export interface BuildFeatureCacheOptions {
  encoding?: FeatureEncoding;
  /** Throw on the first missing/corrupt file instead of skipping it. */
  strict?: boolean;
  /** Target shard size in bytes (default 64 MiB); a shard is committed when it reaches it. */
  shardBytes?: number;
  /** Audio files longer than this many seconds are skipped (or fail in strict mode); default DEFAULT_MAX_CLIP_SECONDS. */
  maxClipSeconds?: number;
  onProgress?: (progress: { done: number; total: number; computed: number; skipped: number; filename: string }) => void;
}

const BYTES_PER_VALUE: Record<FeatureEncoding, number> = { float32: 4, "int16-centidb": 2 };

function readIndex(dir: string): IndexFile | undefined {
  const path = join(dir, "index.json");
  if (!existsSync(path)) return undefined;
  try {
    const index = JSON.parse(readFileSync(path, "utf8")) as IndexFile;
    return index.format === "psl-lab-feature-cache" ? index : undefined;
  } catch {
    throw new UserError(`${path}: feature cache index is unreadable; delete the folder to rebuild`);
  }
}

function sameFrontEnd(index: IndexFile, encoding: FeatureEncoding): boolean {
  return index.encoding === encoding && JSON.stringify(index.frontEnd) === JSON.stringify(FRONT_END_KEY);
}

function encode(data: Float32Array, encoding: FeatureEncoding): Uint8Array {
  if (encoding === "float32") return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Int16Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = Math.round(data[i] * 100);
    out[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
  }
  return new Uint8Array(out.buffer);
}

/** Computes (or completes) the cache of `rows` in `cacheDir` and opens it. Rows need `path` or an absolute filename. */
export async function buildFeatureCache(
  rows: readonly ManifestRow[],
  cacheDir: string,
  options: BuildFeatureCacheOptions = {},
): Promise<FeatureCache> {
  const dir = resolve(cacheDir);
  const encoding = options.encoding ?? "float32";
  if (!(encoding in BYTES_PER_VALUE)) throw new UserError(`feature cache: unknown encoding "${encoding}"`);
  const shardTarget = options.shardBytes ?? 64 * 1024 * 1024;
  const previous = readIndex(dir);
  const index: IndexFile =
    previous && sameFrontEnd(previous, encoding)
      ? { ...previous, skipped: [] }
      : { format: "psl-lab-feature-cache", frontEnd: FRONT_END_KEY, encoding, shards: previous?.shards ?? 0, clips: {}, skipped: [] };
  // Shard numbers keep increasing across rebuilds so that a stale shard is never overwritten while listed.
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let pendingClips: [string, ClipEntry][] = [];
  const commit = () => {
    if (pendingClips.length === 0) return;
    const shard = index.shards;
    writeFileAtomic(join(dir, `shard-${shard}.bin`), pending);
    for (const [filename, entry] of pendingClips) index.clips[filename] = { ...entry, shard };
    index.shards = shard + 1;
    writeJsonAtomic(join(dir, "index.json"), index);
    pending = [];
    pendingBytes = 0;
    pendingClips = [];
  };
  const stores = new Map<string, WaveformStore>();
  /** Waveform of a row: from its reference HDF5 (int16 / 32768, keyed by basename) or by decoding its audio file. */
  const loadSamples = async (row: ManifestRow, path: string): Promise<Float32Array> => {
    if (!row.hdf5path) return (await decodeAudioFile(path, { maxSeconds: options.maxClipSeconds })).samples;
    let store = stores.get(row.hdf5path);
    if (!store) {
      store = await openWaveformHdf5(row.hdf5path);
      stores.set(row.hdf5path, store);
    }
    const key = basename(row.filename);
    if (!store.has(key)) throw new UserError(`${row.hdf5path}: no waveform for ${row.filename} (dataset "${key}")`);
    const maxSeconds = options.maxClipSeconds ?? DEFAULT_MAX_CLIP_SECONDS;
    if (store.length(key) > maxSeconds * SAMPLE_RATE) {
      throw new UserError(`${row.hdf5path}: "${key}" is ${(store.length(key) / SAMPLE_RATE).toFixed(1)} s long, over the ${maxSeconds}-s clip limit (data.maxClipSeconds)`);
    }
    const samples = store.read(key);
    for (let i = 0; i < samples.length; i++) {
      if (!Number.isFinite(samples[i])) throw new UserError(`${row.hdf5path}: "${key}" sample ${i} is NaN or infinite`);
    }
    return samples;
  };
  // Clips are identified by their manifest filename (the pipeline looks features up by it). Two different files under
  // one name (e.g. "audio/0001.wav" in two manifests of different folders) would silently share one clip's features:
  // refused before anything is computed.
  const pathOf = (row: ManifestRow) => row.path ?? resolve(row.filename);
  const firstPath = new Map<string, string>();
  for (const row of rows) {
    const path = pathOf(row);
    const first = firstPath.get(row.filename);
    if (first === undefined) firstPath.set(row.filename, path);
    else if (first !== path) {
      throw new UserError(
        `feature cache: two different files are both named "${row.filename}" in the manifests (${first} and ${path}); ` +
          "clips are identified by their manifest filename, so make the names unique across manifests (e.g. absolute paths)",
      );
    }
  }
  let computed = 0;
  let done = 0;
  const seen = new Set<string>();
  for (const row of rows) {
    done++;
    const filename = row.filename;
    if (seen.has(filename)) continue;
    seen.add(filename);
    const path = pathOf(row);
    // A clip stored in a reference HDF5 file is as fresh as that file.
    const sourcePath = row.hdf5path ?? path;
    let sourceSize = -1;
    let sourceMtimeMs = -1;
    try {
      const stat = statSync(sourcePath);
      sourceSize = stat.size;
      sourceMtimeMs = stat.mtimeMs;
    } catch {
      // reported below as missing
    }
    const cached = index.clips[filename];
    // Re-used only for the same file, unchanged (entries of caches written before sourcePath was recorded: by size/mtime).
    const sourceKey = resolve(sourcePath);
    const sameSource = cached && (cached.sourcePath === undefined || cached.sourcePath === sourceKey);
    if (cached && sameSource && cached.sourceSize === sourceSize && cached.sourceMtimeMs === sourceMtimeMs) {
      options.onProgress?.({ done, total: rows.length, computed, skipped: index.skipped.length, filename });
      continue;
    }
    delete index.clips[filename];
    try {
      if (sourceSize < 0) throw new UserError(row.hdf5path ? `${sourcePath}: HDF5 waveform file not found` : `${path}: no such audio file`);
      const samples = await loadSamples(row, path);
      const mel = logMel(samples);
      const bytes = encode(mel.data, encoding);
      pendingClips.push([filename, { shard: -1, offset: pendingBytes, frames: mel.frames, samples: samples.length, sourcePath: sourceKey, sourceSize, sourceMtimeMs }]);
      pending.push(bytes);
      pendingBytes += bytes.byteLength;
      computed++;
    } catch (error) {
      if (options.strict || !(error instanceof UserError)) throw error;
      index.skipped.push({ filename, reason: error.message });
    }
    if (pendingBytes >= shardTarget) commit();
    options.onProgress?.({ done, total: rows.length, computed, skipped: index.skipped.length, filename });
  }
  commit();
  for (const store of stores.values()) store.close();
  writeJsonAtomic(join(dir, "index.json"), index);
  return openFeatureCache(dir);
}

/**
 * Folds finished caches (`parts`, e.g. one per `psl features --shard` job) into the cache in `cacheDir`, which then
 * serves every clip as if one run had computed them all: a later build finds them cached and computes nothing.
 * Each part's shard files are hard-linked (copied where the file system cannot link) under new shard numbers, the
 * merged index is written atomically, and only then are the parts deleted: a kill at any point leaves either the
 * old index (the merge simply runs again) or the merged one.
 */
export function mergeFeatureCaches(cacheDir: string, partDirs: readonly string[]): { clips: number; skipped: number } {
  const dir = resolve(cacheDir);
  mkdirSync(dir, { recursive: true });
  const parts = partDirs.map((p) => {
    const index = readIndex(p);
    if (!index) throw new UserError(`${p}: no feature cache here (index.json missing)`);
    return { dir: p, index };
  });
  const encoding = parts[0]?.index.encoding ?? "float32";
  const previous = readIndex(dir);
  const target: IndexFile =
    previous && sameFrontEnd(previous, encoding)
      ? previous
      : { format: "psl-lab-feature-cache", frontEnd: FRONT_END_KEY, encoding, shards: previous?.shards ?? 0, clips: {}, skipped: [] };
  for (const part of parts) {
    if (!sameFrontEnd(part.index, encoding)) throw new UserError(`${part.dir}: computed with other front-end parameters or encoding than the other parts; rebuild it`);
    const base = target.shards;
    for (let k = 0; k < part.index.shards; k++) {
      const from = join(part.dir, `shard-${k}.bin`);
      if (!existsSync(from)) continue; // a shard whose clips were all recomputed later is no longer listed
      const to = join(dir, `shard-${base + k}.bin`);
      rmSync(to, { force: true });
      try {
        linkSync(from, to);
      } catch {
        copyFileSync(from, to);
      }
    }
    for (const [filename, entry] of Object.entries(part.index.clips)) target.clips[filename] = { ...entry, shard: base + entry.shard };
    target.shards = base + part.index.shards;
    target.skipped.push(...part.index.skipped);
  }
  // A clip cached by any part is not skipped; one skipped by several parts is listed once.
  const seen = new Set<string>();
  target.skipped = target.skipped.filter((s) => !(s.filename in target.clips) && !seen.has(s.filename) && (seen.add(s.filename), true));
  writeJsonAtomic(join(dir, "index.json"), target);
  for (const part of parts) rmSync(part.dir, { recursive: true, force: true });
  return { clips: Object.keys(target.clips).length, skipped: target.skipped.length };
}

/** Opens an existing cache for reading. */
export function openFeatureCache(cacheDir: string): FeatureCache {
  const dir = resolve(cacheDir);
  const index = readIndex(dir);
  if (!index) throw new UserError(`${cacheDir}: no feature cache here (index.json missing)`);
  const bytesPerValue = BYTES_PER_VALUE[index.encoding];
  const rowBytes = N_MELS * bytesPerValue;
  const fds = new Map<number, number>();
  const entry = (filename: string): ClipEntry => {
    const found = index.clips[filename];
    if (!found) throw new UserError(`feature cache ${cacheDir}: clip ${filename} is not cached`);
    return found;
  };
  const fdFor = (shard: number): number => {
    let fd = fds.get(shard);
    if (fd === undefined) {
      fd = openSync(join(dir, `shard-${shard}.bin`), "r");
      fds.set(shard, fd);
    }
    return fd;
  };
  const readFrames = (filename: string, startFrame: number, endFrame: number): Float32Array => {
    const clip = entry(filename);
    if (!Number.isInteger(startFrame) || !Number.isInteger(endFrame) || startFrame < 0 || startFrame >= clip.frames || endFrame <= startFrame) {
      throw new UserError(`feature cache: frames ${startFrame} … ${endFrame} out of range for ${filename} (${clip.frames} frames)`);
    }
    const end = Math.min(endFrame, clip.frames);
    const count = (end - startFrame) * N_MELS;
    const buffer = Buffer.alloc(count * bytesPerValue);
    const position = clip.offset + startFrame * rowBytes;
    let got = 0;
    while (got < buffer.length) {
      const n = readSync(fdFor(clip.shard), buffer, got, buffer.length - got, position + got);
      if (n === 0) throw new UserError(`feature cache ${cacheDir}: shard-${clip.shard}.bin is truncated; delete the folder to rebuild`);
      got += n;
    }
    if (index.encoding === "float32") return new Float32Array(buffer.buffer, buffer.byteOffset, count).slice();
    const ints = new Int16Array(buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength));
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = ints[i] / 100;
    return out;
  };
  return {
    dir,
    encoding: index.encoding,
    filenames: Object.keys(index.clips),
    skipped: index.skipped,
    has: (filename) => filename in index.clips,
    clipFrames: (filename) => entry(filename).frames,
    clipSeconds(filename) {
      const clip = entry(filename);
      // Older caches kept no sample count: the frame count tells it to within one hop (10 ms).
      return (clip.samples ?? (clip.frames - 1) * HOP_LENGTH) / SAMPLE_RATE;
    },
    readFrames,
    readClip: (filename) => readFrames(filename, 0, entry(filename).frames),
    close() {
      for (const fd of fds.values()) closeSync(fd);
      fds.clear();
    },
  };
}
