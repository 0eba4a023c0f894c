/**
 * Clip planning and mixing. A plan is drawn from a seeded generator and says everything about a clip (which source
 * segments play where, how loud, how fast, over which background); rendering a plan is a pure function of the plan and
 * the source audio. Keeping the two apart lets a resumed run rebuild every label without re-rendering audio, and makes
 * the labels exactly the plan's events.
 */
import { mulberry32, type Rng } from "../data/random";
import { SAMPLE_RATE } from "./load";

export const CLIP_SECONDS = 10;

export interface EventPlacement {
  sourceId: string;
  classIndex: number;
  /** Seconds into the clip. */
  onset: number;
  offset: number;
  /** First source sample used and playback-rate factor (1 = original pitch and speed). */
  sourceStart: number;
  speed: number;
  /** Level relative to the normalised source (dB). */
  gainDb: number;
  /**
   * Per-instance colouring (microphone / distance / room): one-pole high-pass and low-pass corner frequencies in Hz
   * (0 = that filter off). Absent = unfiltered.
   */
  eq?: { highpassHz: number; lowpassHz: number };
}

/** Room reverberation of the clip's foreground (Schroeder: 4 combs + 2 all-passes), level of the reverberant part. */
export interface ReverbPlan {
  wetDb: number;
  /** Reverberation time (RT60) in seconds. */
  decaySeconds: number;
}

export type NoiseColour = "white" | "pink" | "brown" | "room";

export interface ClipPlan {
  seconds: number;
  noise: { colour: NoiseColour; levelDb: number; seed: number };
  /** Foreground events and music beds, in mixing order. */
  events: EventPlacement[];
  /** Room reverberation applied to the events (not to the background noise); absent = dry. */
  reverb?: ReverbPlan;
}

export interface SourceInfo {
  sourceId: string;
  classIndex: number;
  length: number; // samples at 16 kHz after trimming
}

export const uniform = (rng: Rng, lo: number, hi: number): number => lo + (hi - lo) * rng.next();

/** How many distinct sound classes a training/eval clip holds: 1–4, mostly 1–2 (AudioSet averages ~2.7 labels incl. parents). */
const EVENT_COUNT_WEIGHTS = [0.35, 0.35, 0.2, 0.1];

export function drawEventCount(rng: Rng): number {
  let u = rng.next();
  for (let k = 0; k < EVENT_COUNT_WEIGHTS.length; k++) {
    u -= EVENT_COUNT_WEIGHTS[k];
    if (u < 0) return k + 1;
  }
  return EVENT_COUNT_WEIGHTS.length;
}

/**
 * Per-instance colouring: half of the instances pass a high-pass (60–600 Hz: small speakers, distant or thin
 * recordings) and/or a low-pass (1.5–7 kHz: muffled, behind a wall, cheap microphone), so one source recording never
 * sounds quite the same twice.
 */
export function drawEq(rng: Rng): EventPlacement["eq"] | undefined {
  if (rng.next() >= 0.5) return undefined;
  const highpassHz = rng.next() < 0.5 ? Math.round(Math.exp(uniform(rng, Math.log(60), Math.log(600)))) : 0;
  const lowpassHz = rng.next() < 0.6 ? Math.round(Math.exp(uniform(rng, Math.log(1500), Math.log(7000)))) : 0;
  return highpassHz === 0 && lowpassHz === 0 ? undefined : { highpassHz, lowpassHz };
}

/**
 * Places one source as an event "slot": a segment (whole short sources; 1.5–8 s crops of long ones) played 1–3 times
 * (short sounds repeat, like a dog barking twice), at random onsets and a level shared (±2 dB) by the repeats; speed
 * (= pitch, ±2 semitones) and colouring are per instance.
 */
export function placeEvent(rng: Rng, source: SourceInfo, seconds: number, gainDb: number): EventPlacement[] {
  const sourceSeconds = source.length / SAMPLE_RATE;
  const speed = uniform(rng, 0.89, 1.12);
  const eq = drawEq(rng);
  let segmentSeconds = sourceSeconds;
  let sourceStart = 0;
  if (sourceSeconds > 8) {
    segmentSeconds = uniform(rng, 1.5, 8);
    sourceStart = rng.int(Math.max(1, source.length - Math.ceil(segmentSeconds * SAMPLE_RATE)));
  }
  const playedSeconds = Math.min(seconds, segmentSeconds / speed);
  const repeats = playedSeconds < 2 ? 1 + rng.int(3) : 1;
  const placements: EventPlacement[] = [];
  for (let r = 0; r < repeats; r++) {
    const onset = Math.round(uniform(rng, 0, seconds - playedSeconds) * 100) / 100;
    placements.push({
      sourceId: source.sourceId,
      classIndex: source.classIndex,
      onset,
      offset: Math.min(seconds, Math.round((onset + playedSeconds) * 100) / 100),
      sourceStart,
      speed,
      gainDb: gainDb + (r === 0 ? 0 : uniform(rng, -2, 2)),
      ...(eq ? { eq } : {}),
    });
  }
  return placements;
}

/** A music bed under the whole clip, from a random point of a long track. */
export function placeBed(rng: Rng, source: SourceInfo, seconds: number, gainDb: number): EventPlacement {
  const need = Math.ceil(seconds * SAMPLE_RATE * 1.06) + 1;
  return {
    sourceId: source.sourceId,
    classIndex: source.classIndex,
    onset: 0,
    offset: seconds,
    sourceStart: rng.int(Math.max(1, source.length - need)),
    speed: 1,
    gainDb,
  };
}

/** Background noise: white, pink (Voss–McCartney-like 1/f by leaky sums), brown (integrated), or "room" (brown + mains hum). */
export function renderNoise(colour: NoiseColour, levelDb: number, seed: number, length: number): Float32Array {
  const out = new Float32Array(length);
  // mulberry32, not the kit's Rng: a 10-s clip needs 640k draws and the noise only has to be seeded and deterministic.
  const uniform01 = mulberry32(seed);
  // Sum of two uniforms (triangular): smooth enough for a background, half the cost of a Gaussian.
  const white = (): number => (uniform01() + uniform01() - 1) * 2.449;
  if (colour === "white") {
    for (let i = 0; i < length; i++) out[i] = white();
  } else if (colour === "pink") {
    // Paul Kellet's economy pink filter (three leaky integrators), good to ±0.5 dB above 10 Hz.
    let b0 = 0;
    let b1 = 0;
    let b2 = 0;
    for (let i = 0; i < length; i++) {
      const w = white();
      b0 = 0.99765 * b0 + w * 0.099046;
      b1 = 0.963 * b1 + w * 0.2965164;
      b2 = 0.57 * b2 + w * 1.0526913;
      out[i] = b0 + b1 + b2 + w * 0.1848;
    }
  } else {
    let y = 0;
    const hz = (seed & 1) === 0 ? 50 : 60;
    for (let i = 0; i < length; i++) {
      y = 0.995 * y + 0.05 * white();
      out[i] = y + (colour === "room" ? 0.15 * Math.sin((2 * Math.PI * hz * i) / SAMPLE_RATE) : 0);
    }
  }
  let sum = 0;
  for (let i = 0; i < length; i++) sum += out[i] * out[i];
  const gain = 10 ** (levelDb / 20) / Math.sqrt(sum / length || 1);
  for (let i = 0; i < length; i++) out[i] *= gain;
  return out;
}

/** Adds `audio[sourceStart + t·speed]` (linear interpolation) times the gain into `out` over the placement. */
export function mixPlacement(out: Float32Array, placement: EventPlacement, audio: Float32Array): void {
  const gain = 10 ** (placement.gainDb / 20);
  const start = Math.round(placement.onset * SAMPLE_RATE);
  const end = Math.min(out.length, Math.round(placement.offset * SAMPLE_RATE));
  // A short fade at both ends avoids clicks where a crop cuts into sound.
  const fade = Math.min(80, Math.floor((end - start) / 4));
  for (let i = start; i < end; i++) {
    const position = placement.sourceStart + (i - start) * placement.speed;
    const k = Math.floor(position);
    if (k + 1 >= audio.length) break;
    const frac = position - k;
    let g = gain;
    if (i - start < fade) g *= (i - start) / fade;
    else if (end - 1 - i < fade) g *= (end - 1 - i) / fade;
    out[i] += g * (audio[k] * (1 - frac) + audio[k + 1] * frac);
  }
}

/**
 * One-pole high-/low-pass over buffer[start, end) in place. Events are mixed one after another, so renderClip filters
 * a placement alone: mixed into a cleared scratch span, filtered there, then added.
 */
export function applyEq(buffer: Float32Array, start: number, end: number, eq: NonNullable<EventPlacement["eq"]>): void {
  if (eq.lowpassHz > 0) {
    const a = Math.exp((-2 * Math.PI * eq.lowpassHz) / SAMPLE_RATE);
    let y = 0;
    for (let i = start; i < end; i++) buffer[i] = y = (1 - a) * buffer[i] + a * y;
  }
  if (eq.highpassHz > 0) {
    const a = Math.exp((-2 * Math.PI * eq.highpassHz) / SAMPLE_RATE);
    let low = 0;
    for (let i = start; i < end; i++) {
      low = (1 - a) * buffer[i] + a * low;
      buffer[i] -= low;
    }
  }
}

/**
 * Schroeder reverberator (4 parallel feedback combs, 2 series all-passes; delays scaled from the classic 44.1 kHz
 * set to 16 kHz) — cheap enough for every clip, and gives the smeared tails a real room adds. Returns the wet signal.
 */
export function schroederReverb(dry: Float32Array, decaySeconds: number): Float32Array {
  const wet = new Float32Array(dry.length);
  for (const delay of [405, 431, 463, 492]) {
    const g = 10 ** ((-3 * delay) / (decaySeconds * SAMPLE_RATE));
    const line = new Float32Array(delay);
    let p = 0;
    for (let i = 0; i < dry.length; i++) {
      const y = line[p];
      line[p] = dry[i] + g * y;
      wet[i] += y * 0.25;
      p = p + 1 === delay ? 0 : p + 1;
    }
  }
  for (const delay of [82, 202]) {
    const g = 0.5;
    const line = new Float32Array(delay);
    let p = 0;
    for (let i = 0; i < wet.length; i++) {
      const buffered = line[p];
      const x = wet[i];
      const y = -g * x + buffered;
      line[p] = x + g * y;
      wet[i] = y;
      p = p + 1 === delay ? 0 : p + 1;
    }
  }
  return wet;
}

/** Renders a plan; peaks above 0.95 scale the whole clip down (a limiter would smear the labels' levels). */
export function renderClip(plan: ClipPlan, audio: Map<string, Float32Array>): Float32Array {
  const length = Math.round(plan.seconds * SAMPLE_RATE);
  const out = renderNoise(plan.noise.colour, plan.noise.levelDb, plan.noise.seed, length);
  const foreground = new Float32Array(length);
  const scratch = new Float32Array(length);
  for (const placement of plan.events) {
    const source = audio.get(placement.sourceId);
    if (!source) throw new Error(`renderClip: no audio for ${placement.sourceId}`);
    if (placement.eq) {
      // Filter this placement alone: mix it into a cleared scratch span, filter, add.
      const start = Math.round(placement.onset * SAMPLE_RATE);
      const end = Math.min(length, Math.round(placement.offset * SAMPLE_RATE));
      scratch.fill(0, start, end);
      mixPlacement(scratch, placement, source);
      applyEq(scratch, start, end, placement.eq);
      for (let i = start; i < end; i++) foreground[i] += scratch[i];
    } else {
      mixPlacement(foreground, placement, source);
    }
  }
  if (plan.reverb) {
    const wet = schroederReverb(foreground, plan.reverb.decaySeconds);
    const g = 10 ** (plan.reverb.wetDb / 20);
    for (let i = 0; i < length; i++) foreground[i] += g * wet[i];
  }
  for (let i = 0; i < length; i++) out[i] += foreground[i];
  let peak = 0;
  for (let i = 0; i < length; i++) peak = Math.max(peak, Math.abs(out[i]));
  if (peak > 0.95) {
    const g = 0.95 / peak;
    for (let i = 0; i < length; i++) out[i] *= g;
  }
  return out;
}
