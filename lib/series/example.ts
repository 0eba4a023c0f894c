/**
 * One real clip followed through the method. Notebooks 01–04 show the intermediate objects on it before any aggregate:
 * its waveform and log-mel (01), the teacher's frame and clip probabilities (02), its chunks, their PSL-table rows and
 * targets (03), a batch of its chunks in the student loss (04). Every notebook picks the same clip.
 */
import { decodeAudioFile } from "../audio/decode";
import { openModel } from "../model/open";
import { predictClipsAndFramesAsync } from "../model/predict";
import type { StrongEvent } from "../analysis/types";
import { UserError } from "../errors";
import { hopSecondsOf, minChunkSecondsOf } from "../psl/config";
import { chunkRanges, inputFramesFor } from "../psl/chunking";
import { padToLength } from "../psl/features";
import type { PslTable } from "../psl/table";
import { weakTargets } from "../psl/targets";
import type { LogMelInput } from "../model/predict";
import { clipLogMel, type SeriesData } from "./data";

export interface ExampleClip {
  filename: string;
  /** Absolute path of the audio file. */
  path: string;
  duration: number;
  /** The clip's weak labels (what training sees). */
  weak: number[];
  /** Its true labels (demo corpus only). */
  truth?: number[];
  /** Its strong labels (demo corpus only; empty otherwise). */
  events: StrongEvent[];
}

/**
 * The clip the notebooks follow, from the student-training split: on the demo corpus the first clip whose weak labels
 * miss one of its true labels while at least two classes sound in it (so one clip shows what PSL is for); elsewhere,
 * or when no clip qualifies, the first clip. `filename` picks a clip by name instead.
 */
export function exampleClip(series: SeriesData, filename?: string): ExampleClip {
  const rows = series.data.studentTrain;
  if (rows.length === 0) throw new UserError("exampleClip: the student-training split is empty");
  const truthOf = new Map((series.truth.balanced ?? []).map((r) => [r.filename, r.labels]));
  const qualifies = (row: (typeof rows)[number]) => {
    const truth = truthOf.get(row.filename) ?? [];
    const sounding = new Set((series.strong.get(row.filename) ?? []).map((e) => e.label));
    return sounding.size >= 2 && truth.some((c) => !row.labels.includes(c));
  };
  const row = filename !== undefined ? rows.find((r) => r.filename === filename) : (rows.find(qualifies) ?? rows[0]);
  if (!row) throw new UserError(`exampleClip: no clip "${filename}" in the student-training split`);
  const path = (row as { path?: string }).path;
  if (!path) throw new UserError(`exampleClip: ${row.filename} has no audio path`);
  return {
    filename: row.filename,
    path,
    duration: row.duration,
    weak: [...row.labels],
    truth: truthOf.get(row.filename)?.slice(),
    events: (series.strong.get(row.filename) ?? []).slice().sort((a, b) => a.onset - b.onset),
  };
}

/** The clip's audio as the front-end receives it: 16 kHz mono float samples. */
export async function exampleAudio(clip: ExampleClip): Promise<Float32Array> {
  return (await decodeAudioFile(clip.path)).samples;
}

export interface ModelOnClip {
  /** Per-frame probabilities, row-major [frames, classes] (before the mean over time). */
  frames: Float32Array;
  numFrames: number;
  numClasses: number;
  /** The model's clip output: the mean of the frame probabilities over time. */
  clip: Float32Array;
}

/** A trained model (checkpoint) on one clip's cached log-mel: its frame probabilities and its clip probabilities. */
export async function modelOnClip(series: SeriesData, checkpoint: string, filename: string): Promise<ModelOnClip> {
  const mel = clipLogMel(series, filename);
  // By content: a kit checkpoint, or a PyTorch one (a given teacher such as the authors' .pt).
  const model = openModel(checkpoint).model;
  try {
    const out = await predictClipsAndFramesAsync(model, [{ data: mel.logMel, frames: mel.frames }]);
    return { frames: out.frames[0].data, numFrames: out.frames[0].frames, numClasses: model.config.numClasses, clip: out.clip[0] };
  } finally {
    model.dispose();
  }
}

export interface ChunkBatch {
  /** One entry per chunk, in the PSL table's order. */
  chunks: Array<{ filename: string; chunk: number; from: number; to: number }>;
  /** The log-mel inputs, padded to one length: what the teacher scored and what the student trains on. */
  inputs: LogMelInput[];
  /** The teacher's probabilities (the chunks' PSL-table rows), row-major [chunks, classes]. */
  teacher: Float32Array;
  /** The clip's weak labels as 0/1 targets, [chunks, classes]. */
  weak: Float32Array;
  numClasses: number;
}

/**
 * The chunks of `filenames` as one training batch, built as annotation and training build it (lib/psl/chunking.ts:
 * the series' chunking of `chunkSeconds`, every chunk padded to the full-chunk input length): their PSL-table rows and
 * the inputs the student sees. Chunks must be in the table (it was annotated with the same chunking).
 */
export function chunkBatch(series: SeriesData, table: PslTable, chunkSeconds: number, filenames: readonly string[]): ChunkBatch {
  const annotation = { ...series.config.annotation, chunkSeconds };
  const chunking = { chunkSeconds, hopSeconds: hopSecondsOf(annotation), minChunkSeconds: minChunkSecondsOf(annotation) };
  const all = series.data.studentTrain;
  const rows = filenames.map((name) => {
    const row = all.find((r) => r.filename === name);
    if (!row) throw new UserError(`chunkBatch: no clip "${name}" in the student-training split`);
    return row;
  });
  const inputFrames = inputFramesFor(chunking, chunkRanges(all, series.data.features, chunking));
  const ranges = chunkRanges(rows, series.data.features, chunking);
  const C = table.numClasses;
  const rowOf = new Map(table.filenames.map((name, i) => [`${name}#${table.chunkIndex[i]}`, i]));
  const teacher = new Float32Array(ranges.length * C);
  ranges.forEach((range, k) => {
    const row = rowOf.get(`${range.filename}#${range.index}`);
    if (row === undefined) throw new UserError(`chunkBatch: chunk ${range.index} of ${range.filename} is not in the PSL table (other chunking?)`);
    teacher.set(table.probs.subarray(row * C, (row + 1) * C), k * C);
  });
  return {
    chunks: ranges.map((r) => ({ filename: r.filename, chunk: r.index, from: r.from, to: r.to })),
    inputs: ranges.map((r) => ({ data: padToLength([series.data.features.readFrames(r.filename, r.start, r.end)], inputFrames), frames: inputFrames })),
    teacher,
    weak: weakTargets(ranges.map((r) => rows[r.row].labels), C),
    numClasses: C,
  };
}
