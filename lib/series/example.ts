/**
 * One real clip followed through the method. Notebooks 01–04 show the intermediate objects on it before any aggregate:
 * its waveform and log-mel (01), the teacher's frame and clip probabilities (02), its chunks, their PSL-table rows and
 * targets (03), a batch of its chunks in the student loss (04). Every notebook picks the same clip.
 */
import { decodeAudioFile } from "../audio/decode";
import { loadModel } from "../model/checkpoint";
import { predictClipsAndFrames } from "../model/predict";
import type { StrongEvent } from "../analysis/types";
import { UserError } from "../errors";
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
export function modelOnClip(series: SeriesData, checkpoint: string, filename: string): ModelOnClip {
  const mel = clipLogMel(series, filename);
  const model = loadModel(checkpoint);
  try {
    const out = predictClipsAndFrames(model, [{ data: mel.logMel, frames: mel.frames }]);
    return { frames: out.frames[0].data, numFrames: out.frames[0].frames, numClasses: model.config.numClasses, clip: out.clip[0] };
  } finally {
    model.dispose();
  }
}
