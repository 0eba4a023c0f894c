/**
 * The kit's clip manifest: a TSV compatible with the reference's label lists — header `filename\tlabels\tduration`,
 * labels = class indices joined by ';', duration in seconds (extra columns such as the reference's `hdf5path` are
 * accepted and ignored). Relative filenames resolve against the manifest's folder.
 *
 * `buildManifestFromFolder` turns a (always partial) download of AudioSet into a manifest: it matches audio files
 * named `<YTID>_<start>_<end>.<ext>` (also `Y<YTID>.<ext>` and `<YTID>.<ext>`) to a segment list, reads each
 * file's duration, and reports what is listed but absent (`missing`), on disk but not listed (`unlisted`) and
 * present but unusable (`unreadable`: empty, not audio, shorter than 0.1 s or longer than the clip limit). Durations come
 * from the files' headers (lib/audio/probe), so audio corrupted past a valid header is found later, when the feature
 * cache decodes it (and skips it with the reason). It never throws on a bad file.
 */
import { readdirSync, statSync } from "node:fs";
import { dirname, extname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { UserError } from "../errors";
import { writeFileAtomic } from "../io/atomic";
import { DEFAULT_MAX_CLIP_SECONDS, decodeAudioFile, probeWithinLimit } from "../audio/decode";
import { field, headerColumns, parseCsv } from "./csv";
import { readTextFile } from "../io/text-file";
import type { SegmentRow } from "./segments";

export interface ManifestRow {
  /** As written in the manifest (relative to the manifest's folder, or absolute). */
  filename: string;
  /** Class indices. */
  labels: number[];
  /** Seconds. */
  duration: number;
  /** Absolute path of the audio file (filled by readManifest / buildManifestFromFolder). */
  path?: string;
  /**
   * The reference's `hdf5path` column: an HDF5 file holding this clip's int16 waveform under the filename's basename
   * (see reference-hdf5.ts). When set, the feature cache reads the waveform from there instead of decoding audio.
   */
  hdf5path?: string;
  /** Where the row came from (manifest file and 1-based line), for messages about it. */
  source?: { manifest: string; line: number };
}

/** "<manifest>:<line>" of a row read from a manifest, else its filename: where a message about the row points. */
export function rowLocation(row: ManifestRow): string {
  return row.source ? `${row.source.manifest}:${row.source.line}` : row.filename;
}

/** Parses manifest text. `baseDir` resolves relative filenames into `path`. */
export function parseManifest(text: string, name: string, baseDir: string): ManifestRow[] {
  const records = parseCsv(text, name, { delimiter: "\t" });
  const columns = headerColumns(records[0], name, ["filename", "labels", "duration"]);
  // A clip listed twice would be trained on twice per epoch and annotated twice under one name: refuse it, also
  // when the two rows spell one file differently ("./a.wav" and "a.wav").
  const firstLine = new Map<string, number>();
  const firstPath = new Map<string, { line: number; filename: string }>();
  return records.slice(1).map((record) => {
    const filename = field(record, columns, "filename", name);
    if (!filename) throw new UserError(`${name}:${record.line}: empty filename`);
    const previous = firstLine.get(filename);
    if (previous !== undefined) throw new UserError(`${name}:${record.line}: duplicate filename "${filename}" (first on line ${previous})`);
    firstLine.set(filename, record.line);
    const path = isAbsolute(filename) ? filename : resolve(baseDir, filename);
    const samePath = firstPath.get(path);
    if (samePath) throw new UserError(`${name}:${record.line}: "${filename}" is the same file as "${samePath.filename}" on line ${samePath.line} (a clip listed twice)`);
    firstPath.set(path, { line: record.line, filename });
    const labelText = field(record, columns, "labels", name);
    const labels = labelText === "" ? [] : labelText.split(";").map((s) => {
      // Decimal digits only: Number() would also read "1e2" as 100 and "0x10" as 16.
      const text = s.trim();
      if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) throw new UserError(`${name}:${record.line}: bad label index "${s}" in "${labelText}" (class indices are decimal integers)`);
      return Number(text);
    });
    const durationText = field(record, columns, "duration", name);
    const duration = Number(durationText);
    if (durationText === "" || !Number.isFinite(duration) || duration <= 0) {
      throw new UserError(`${name}:${record.line}: bad duration "${durationText}" (seconds > 0 expected)`);
    }
    const row: ManifestRow = { filename, labels, duration, path, source: { manifest: name, line: record.line } };
    const hdf5 = columns.has("hdf5path") ? field(record, columns, "hdf5path", name) : "";
    if (hdf5) row.hdf5path = isAbsolute(hdf5) ? hdf5 : resolve(baseDir, hdf5);
    return row;
  });
}

/** Reads a manifest TSV. */
export function readManifest(path: string): ManifestRow[] {
  return parseManifest(readTextFile(path), path, dirname(resolve(path)));
}

/** Formats rows as manifest TSV. Rows with `path` are written relative to `baseDir` when given. */
export function formatManifest(rows: readonly ManifestRow[], baseDir?: string): string {
  const lines = ["filename\tlabels\tduration"];
  for (const row of rows) {
    let filename = row.filename;
    if (baseDir && row.path) {
      const rel = relative(baseDir, row.path);
      filename = rel.startsWith("..") || isAbsolute(rel) ? row.path : rel.split(sep).join("/");
    }
    if (/[\t\n\r]/.test(filename)) throw new UserError(`manifest: filename ${JSON.stringify(filename)} contains a tab or newline`);
    if (!(row.duration > 0)) throw new UserError(`manifest: ${filename} has bad duration ${row.duration}`);
    lines.push(`${filename}\t${row.labels.join(";")}\t${Number(row.duration.toFixed(6))}`);
  }
  return `${lines.join("\n")}\n`;
}

/** Writes a manifest atomically; filenames are made relative to the manifest's folder when rows carry `path`. */
export function writeManifest(path: string, rows: readonly ManifestRow[]): void {
  writeFileAtomic(path, formatManifest(rows, dirname(resolve(path))));
}

export const AUDIO_EXTENSIONS = new Set([".wav", ".flac", ".ogg", ".oga", ".opus", ".mp3", ".m4a", ".aac", ".aif", ".aiff", ".webm"]);

/**
 * Duration of an audio file from its headers (lib/audio/probe), else by decoding it. Throws a UserError naming the
 * file when it is empty, unreadable, or longer than `maxSeconds`.
 */
export async function probeDuration(path: string, maxSeconds = DEFAULT_MAX_CLIP_SECONDS): Promise<number> {
  const size = statSync(path).size;
  if (size === 0) throw new UserError(`${path}: empty file (0 bytes)`);
  const probe = await probeWithinLimit(path, size, maxSeconds);
  if (probe) return probe.durationSeconds;
  // No header the probe knows: decoding tells the length, or exactly what is wrong with the file.
  return (await decodeAudioFile(path, { maxSeconds })).durationSeconds;
}

function walkAudioFiles(dir: string): string[] {
  const out: string[] = [];
  const visit = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = join(folder, entry.name);
      if (entry.isDirectory()) visit(full);
      else if (entry.isFile() && AUDIO_EXTENSIONS.has(extname(entry.name).toLowerCase())) out.push(full);
    }
  };
  visit(dir);
  return out;
}

const DOWNLOAD_NAME = /^(.+)_(\d+(?:\.\d+)?)_(\d+(?:\.\d+)?)$/;

/** The YTID (and start, when present) encoded in a download's file name. */
export function parseDownloadName(file: string): { ytid: string; start?: number } {
  const stem = file.slice(0, file.length - extname(file).length);
  const base = stem.slice(stem.lastIndexOf("/") + 1);
  const m = DOWNLOAD_NAME.exec(base);
  if (m) return { ytid: m[1], start: Number(m[2]) };
  return { ytid: base };
}

export interface FolderManifest {
  rows: ManifestRow[];
  /** Listed segments with no file on disk. */
  missing: SegmentRow[];
  /** Audio files on disk that match no listed segment (paths relative to the folder). */
  unlisted: string[];
  /** Files that match a segment but cannot be used; reason names the problem. */
  unreadable: { filename: string; reason: string }[];
  /** Listed segments matched by more than one file: the first (sorted) is used, the others are listed here. */
  duplicates: string[];
}

export interface BuildManifestOptions {
  /** Clips this short or shorter are dropped like the reference does (default 0.1 s). */
  minDurationSeconds?: number;
  /** Files longer than this are listed as unreadable (default DEFAULT_MAX_CLIP_SECONDS, as the feature cache). */
  maxClipSeconds?: number;
  onProgress?: (done: number, total: number) => void;
}

/** Matches a download folder against a segment list (see file comment). Filenames in rows are relative to `audioDir`. */
export async function buildManifestFromFolder(
  audioDir: string,
  segments: readonly SegmentRow[],
  options: BuildManifestOptions = {},
): Promise<FolderManifest> {
  const root = resolve(audioDir);
  try {
    if (!statSync(root).isDirectory()) throw new UserError(`${audioDir}: not a folder`);
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(`${audioDir}: audio folder not found`);
  }
  const minDuration = options.minDurationSeconds ?? 0.1;
  const byYtid = new Map<string, SegmentRow>();
  for (const segment of segments) if (!byYtid.has(segment.ytid)) byYtid.set(segment.ytid, segment);
  const files = walkAudioFiles(root);
  const matched = new Map<SegmentRow, string>();
  const unlisted: string[] = [];
  const duplicates: string[] = [];
  for (const file of files) {
    const rel = relative(root, file).split(sep).join("/");
    const { ytid, start } = parseDownloadName(rel);
    let segment = byYtid.get(ytid);
    // PANNs-style downloads prefix the YTID with "Y".
    if (!segment && ytid.startsWith("Y")) segment = byYtid.get(ytid.slice(1));
    if (!segment || (start !== undefined && Math.abs(start - segment.start) > 1e-3)) {
      unlisted.push(rel);
      continue;
    }
    if (matched.has(segment)) duplicates.push(rel);
    else matched.set(segment, file);
  }
  const rows: ManifestRow[] = [];
  const missing: SegmentRow[] = [];
  const unreadable: FolderManifest["unreadable"] = [];
  let done = 0;
  for (const segment of segments) {
    const file = matched.get(segment);
    done++;
    if (!file) {
      missing.push(segment);
      options.onProgress?.(done, segments.length);
      continue;
    }
    const rel = relative(root, file).split(sep).join("/");
    try {
      const duration = await probeDuration(file, options.maxClipSeconds);
      if (!(duration > minDuration)) unreadable.push({ filename: rel, reason: `duration ${duration.toFixed(3)} s ≤ ${minDuration} s` });
      else rows.push({ filename: rel, labels: segment.labels, duration: Number(duration.toFixed(6)), path: file });
    } catch (error) {
      unreadable.push({ filename: rel, reason: error instanceof Error ? error.message : String(error) });
    }
    options.onProgress?.(done, segments.length);
  }
  return { rows, missing, unlisted, unreadable, duplicates };
}
