/**
 * Source audio for the mixer: decoded to mono 16 kHz (lib/audio/decode), leading/trailing silence trimmed and the
 * level normalised, so that an event's gain in the clip plan is its level relative to a common reference and
 * "quiet event" means the same thing for every source.
 */
import { existsSync } from "node:fs";
import { decodeAudioFile } from "../audio/decode";
import { UserError } from "../errors";
import { renderSpeech } from "./render";
import type { DemoSource } from "./sources";

/** The kit's one sample rate (lib/audio/frontend.ts), re-exported for the demo's modules. */
export { SAMPLE_RATE } from "../audio/frontend";
/** RMS over a source's active frames after normalisation (−20 dBFS): leaves 20 dB of headroom for mixing. */
export const REFERENCE_RMS = 0.1;
const FRAME = 160; // 10 ms

/** True when the source can be used here: its file exists, or its render tool and soundfont are installed. */
export function sourceAvailable(source: DemoSource): boolean {
  if (source.render === null) return existsSync(source.path);
  if (source.render.kind === "fluidsynth") return existsSync(source.render.font) && commandExists("fluidsynth");
  return commandExists("espeak-ng");
}

function commandExists(name: string): boolean {
  const dirs = (process.env.PATH ?? "").split(":");
  return dirs.some((dir) => dir !== "" && existsSync(`${dir}/${name}`));
}

function frameEnergies(samples: Float32Array): Float64Array {
  const frames = Math.max(1, Math.ceil(samples.length / FRAME));
  const energies = new Float64Array(frames);
  for (let f = 0; f < frames; f++) {
    let sum = 0;
    const end = Math.min(samples.length, (f + 1) * FRAME);
    for (let i = f * FRAME; i < end; i++) sum += samples[i] * samples[i];
    energies[f] = sum / Math.max(1, end - f * FRAME);
  }
  return energies;
}

/**
 * Trims frames more than 50 dB below the loudest frame at both ends, then scales so the RMS over frames within
 * 30 dB of the loudest equals REFERENCE_RMS. Returns null for silent audio.
 */
export function trimAndNormalise(samples: Float32Array): Float32Array | null {
  const energies = frameEnergies(samples);
  let peak = 0;
  for (const e of energies) peak = Math.max(peak, e);
  if (peak <= 1e-12) return null;
  const trimFloor = peak * 1e-5; // −50 dB in energy
  let first = 0;
  while (first < energies.length && energies[first] < trimFloor) first++;
  let last = energies.length - 1;
  while (last > first && energies[last] < trimFloor) last--;
  const trimmed = samples.slice(first * FRAME, Math.min(samples.length, (last + 1) * FRAME));
  const activeFloor = peak * 1e-3; // −30 dB
  let sum = 0;
  let count = 0;
  for (let f = first; f <= last; f++) {
    if (energies[f] >= activeFloor) {
      sum += energies[f];
      count++;
    }
  }
  const gain = REFERENCE_RMS / Math.sqrt(sum / Math.max(1, count));
  for (let i = 0; i < trimmed.length; i++) trimmed[i] *= gain;
  return trimmed;
}

/**
 * Prepared source audio kept for the life of the process (a notebook or test that builds several corpora decodes each
 * source once; ~300 short sources are a few tens of MB). Keyed by the decoded file's path (renders: the cache path).
 */
const prepared = new Map<string, Float32Array>();

/** Forgets the prepared audio (tests use it to prove that fresh renders reproduce the same corpus). */
export function clearPreparedSources(): void {
  prepared.clear();
}

/** Decodes (rendering first if needed), trims and normalises one source. Missing files name their package. */
export async function loadSourceAudio(source: DemoSource, renderCacheDir: string, renderedPaths: Map<string, string> = new Map()): Promise<Float32Array> {
  let path = source.path;
  if (source.render?.kind === "espeak") path = renderSpeech(source, renderCacheDir);
  else if (source.render?.kind === "fluidsynth") {
    const rendered = renderedPaths.get(source.sourceId);
    if (rendered === undefined) throw new Error(`loadSourceAudio: ${source.sourceId} was not rendered (call renderFluidsynthBatches first)`);
    path = rendered;
  }
  const cached = prepared.get(path);
  if (cached) return cached;
  const audio = await loadFile(source, path);
  prepared.set(path, audio);
  return audio;
}

async function loadFile(source: DemoSource, path: string): Promise<Float32Array> {
  if (source.render === null && !existsSync(path)) {
    throw new UserError(
      `demo source ${source.sourceId}: ${path} is missing (Debian package ${source.package}); run scripts/setup-demo-sources.sh`,
    );
  }
  const decoded = await decodeAudioFile(path);
  const audio = trimAndNormalise(decoded.samples);
  if (audio === null) throw new UserError(`demo source ${source.sourceId}: ${path} is silent`);
  return audio;
}
