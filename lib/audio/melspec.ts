/**
 * The reference's log-mel front-end, reproduced exactly (its parameters: ./frontend.ts):
 *   torchaudio MelSpectrogram(sample_rate 16000, n_fft 512, win_length 512 (periodic Hann), hop 160, n_mels 64,
 *   f_min 0, f_max 8000, power 2, center=True with reflect padding, mel_scale "htk", norm None)
 *   → AmplitudeToDB(stype "power", top_db 120): 10·log10(max(x, 1e-10)), floored at (max − 120 dB).
 * Output is time-major [frames, 64] with frames = 1 + floor(samples / 160) (10 s → 1001 frames).
 *
 * The top_db floor is taken over the whole clip. The reference applies it to a whole padded batch at once, so its
 * features depend slightly on batch-mates; per clip is the clean, batch-independent choice (paper.md, pitfalls).
 *
 * Speed: window, FFT plan and the 64 triangular filters (stored sparsely: each touches only the bins under its
 * triangle) are built once; per frame the work is one 512-point real FFT plus ~500 multiply-adds.
 */
import FFT from "fft.js";
import { UserError } from "../errors";
import { AMIN, F_MAX, F_MIN, HOP_LENGTH, N_FFT, N_MELS, SAMPLE_RATE, TOP_DB, WIN_LENGTH, framesForSamples } from "./frontend";
import { TORCH_HANN_512_F32_BASE64 } from "./torch-hann-window";

const N_FREQS = N_FFT / 2 + 1;
const DB_PER_NEPER = 10 / Math.LN10;
/**
 * Module-local copies of the constants the per-frame loop reads. The kit runs through tsx, whose CommonJS transform
 * turns every imported binding into a getter call on the exporting module; inside the loop those calls cost more
 * than the FFT itself (a profile showed 55% of the log-mel's time in frontend.ts getters).
 */
const FRAME_HOP = HOP_LENGTH;
const FFT_SIZE = N_FFT;
const MEL_BANDS = N_MELS;
const POWER_FLOOR = AMIN;

export interface LogMel {
  /** Row-major [frames, 64] log-mel energies in dB. */
  data: Float32Array;
  frames: number;
  mels: typeof N_MELS;
}

export interface LogMelOptions {
  /** Floor relative to the clip's maximum in dB (default 120, the reference's). `null` disables the floor. */
  topDb?: number | null;
}

function hzToMelHtk(hz: number): number {
  return 2595 * Math.log10(1 + hz / 700);
}
function melToHzHtk(mel: number): number {
  return 700 * (10 ** (mel / 2595) - 1);
}

/** One triangular filter: weights for bins firstBin … firstBin + weights.length − 1 (all others are zero). */
interface SparseFilter {
  firstBin: number;
  weights: Float64Array;
}

/** torchaudio.functional.melscale_fbanks(257, 0, 8000, 64, 16000, norm=None, mel_scale="htk"), one filter per mel. */
export function melFilterbank(): SparseFilter[] {
  const allFreqs = Array.from({ length: N_FREQS }, (_, i) => (i * (SAMPLE_RATE / 2)) / (N_FREQS - 1));
  const melMin = hzToMelHtk(F_MIN);
  const melMax = hzToMelHtk(F_MAX);
  const fPts = Array.from({ length: N_MELS + 2 }, (_, i) => melToHzHtk(melMin + ((melMax - melMin) * i) / (N_MELS + 1)));
  const filters: SparseFilter[] = [];
  for (let m = 0; m < N_MELS; m++) {
    const dense = allFreqs.map((f) => {
      const down = (f - fPts[m]) / (fPts[m + 1] - fPts[m]);
      const up = (fPts[m + 2] - f) / (fPts[m + 2] - fPts[m + 1]);
      return Math.max(0, Math.min(down, up));
    });
    let first = dense.findIndex((w) => w > 0);
    if (first < 0) first = 0; // cannot happen for these parameters (every filter spans ≥ 1 bin), kept safe
    let last = dense.length - 1;
    while (last > first && dense[last] === 0) last--;
    filters.push({ firstBin: first, weights: Float64Array.from(dense.slice(first, last + 1)) });
  }
  return filters;
}

/**
 * Periodic Hann window with torch's exact float32 coefficients. Recomputing 0.5 − 0.5·cos(2πn/512) differs from
 * torch in the last bit of a few coefficients, which moves bins lying >110 dB under a frame's peak by ~0.1 dB; those
 * bins are inaudible, but parity with the reference is checked on every bin, so the window is torch's own.
 */
function periodicHann(length: number): Float64Array {
  if (length !== 512) throw new Error("only the 512-point window is embedded");
  const bytes = Buffer.from(TORCH_HANN_512_F32_BASE64, "base64");
  const w = new Float64Array(new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)));
  // Guard against a damaged constant: it must be the Hann window to float32 precision.
  for (let n = 0; n < length; n++) {
    if (Math.abs(w[n] - (0.5 - 0.5 * Math.cos((2 * Math.PI * n) / length))) > 1e-6) throw new Error("embedded Hann window is corrupt");
  }
  return w;
}

/**
 * Shared, lazily built plan: FFT object, window, the filters packed into flat typed arrays (so the hot loop touches
 * only contiguous memory) and scratch buffers. JS is single-threaded, so sharing the scratch buffers is safe.
 */
interface Plan {
  /** 256-point complex FFT: a 512-point real FFT is done as one half-size complex FFT plus a split step. */
  halfFft: FFT;
  /** cos/sin(2πk/512) for the split step, k = 0 … 256. */
  twiddleCos: Float64Array;
  twiddleSin: Float64Array;
  window: Float64Array;
  filterStart: Int32Array;
  filterLength: Int32Array;
  filterOffset: Int32Array;
  filterWeights: Float64Array;
  frame: Float64Array;
  spectrum: Float64Array;
  power: Float64Array;
}
let plan: Plan | undefined;
function getPlan(): Plan {
  if (plan) return plan;
  const filters = melFilterbank();
  const filterStart = new Int32Array(N_MELS);
  const filterLength = new Int32Array(N_MELS);
  const filterOffset = new Int32Array(N_MELS);
  const filterWeights = new Float64Array(filters.reduce((sum, f) => sum + f.weights.length, 0));
  let offset = 0;
  filters.forEach((f, m) => {
    filterStart[m] = f.firstBin;
    filterLength[m] = f.weights.length;
    filterOffset[m] = offset;
    filterWeights.set(f.weights, offset);
    offset += f.weights.length;
  });
  const twiddleCos = new Float64Array(N_FREQS);
  const twiddleSin = new Float64Array(N_FREQS);
  for (let k = 0; k < N_FREQS; k++) {
    twiddleCos[k] = Math.cos((2 * Math.PI * k) / N_FFT);
    twiddleSin[k] = Math.sin((2 * Math.PI * k) / N_FFT);
  }
  plan = {
    halfFft: new FFT(N_FFT / 2),
    twiddleCos,
    twiddleSin,
    window: periodicHann(WIN_LENGTH),
    filterStart,
    filterLength,
    filterOffset,
    filterWeights,
    frame: new Float64Array(N_FFT),
    spectrum: new Float64Array(2 * N_FFT),
    power: new Float64Array(N_FREQS),
  };
  return plan;
}

/**
 * Index into a signal of length n after reflect padding (numpy/torch "reflect": the edge sample is not repeated).
 * torch refuses pads ≥ n; here the reflection simply folds again, so clips shorter than 257 samples still work.
 */
function reflectIndex(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  let j = i % period;
  if (j < 0) j += period;
  return j < n ? j : period - j;
}

/** Log-mel spectrogram of 16 kHz mono samples, as the reference's front-end computes it (see file comment). */
export function logMel(samples: Float32Array, options: LogMelOptions = {}): LogMel {
  const n = samples.length;
  if (n === 0) throw new UserError("logMel: empty signal (0 samples)");
  const topDb = options.topDb === undefined ? TOP_DB : options.topDb;
  const { halfFft, twiddleCos, twiddleSin, window, filterStart, filterLength, filterOffset, filterWeights, frame, spectrum, power } = getPlan();
  const half = FFT_SIZE / 2;
  const frames = framesForSamples(n);
  const data = new Float32Array(frames * MEL_BANDS);
  let maxDb = -Infinity;
  for (let t = 0; t < frames; t++) {
    const start = t * FRAME_HOP - half; // position of frame sample 0 in the unpadded signal
    if (start >= 0 && start + FFT_SIZE <= n) {
      for (let k = 0; k < FFT_SIZE; k++) frame[k] = samples[start + k] * window[k];
    } else {
      for (let k = 0; k < FFT_SIZE; k++) frame[k] = samples[reflectIndex(start + k, n)] * window[k];
    }
    // Real FFT via a half-size complex FFT (≈40% faster than fft.js's realTransform): read the windowed frame as
    // 256 complex values z[n] = x[2n] + i·x[2n+1] (its interleaved layout already is that), Z = FFT256(z); then
    // even/odd spectra E[k] = (Z[k] + conj Z[256−k]) / 2, O[k] = (Z[k] − conj Z[256−k]) / 2i, X[k] = E[k] + e^(−2πik/512)·O[k].
    halfFft.transform(spectrum, frame);
    // DC and Nyquist are real: X[0] = Re Z[0] + Im Z[0], X[256] = Re Z[0] − Im Z[0].
    const dc = spectrum[0] + spectrum[1];
    const nyquist = spectrum[0] - spectrum[1];
    power[0] = dc * dc;
    power[half] = nyquist * nyquist;
    for (let b = 1; b < half; b++) {
      const zr = spectrum[2 * b];
      const zi = spectrum[2 * b + 1];
      const cr = spectrum[2 * (half - b)];
      const ci = spectrum[2 * (half - b) + 1];
      const er = 0.5 * (zr + cr);
      const ei = 0.5 * (zi - ci);
      const or = 0.5 * (zi + ci);
      const oi = -0.5 * (zr - cr);
      const cos = twiddleCos[b];
      const sin = twiddleSin[b];
      const re = er + cos * or + sin * oi;
      const im = ei + cos * oi - sin * or;
      power[b] = re * re + im * im;
    }
    const row = t * MEL_BANDS;
    for (let m = 0; m < MEL_BANDS; m++) {
      const first = filterStart[m];
      const length = filterLength[m];
      const offset = filterOffset[m];
      let energy = 0;
      for (let k = 0; k < length; k++) energy += power[first + k] * filterWeights[offset + k];
      const db = DB_PER_NEPER * Math.log(energy > POWER_FLOOR ? energy : POWER_FLOOR); // = 10·log10, cheaper in V8
      data[row + m] = db;
      if (db > maxDb) maxDb = db;
    }
  }
  if (topDb !== null) {
    if (!(topDb >= 0)) throw new UserError(`logMel: topDb must be ≥ 0 or null, got ${topDb}`);
    const floor = Math.fround(maxDb - topDb);
    for (let i = 0; i < data.length; i++) if (data[i] < floor) data[i] = floor;
  }
  return { data, frames, mels: N_MELS };
}
