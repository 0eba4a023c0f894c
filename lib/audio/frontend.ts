/**
 * The front-end's facts, in one place: everything that must agree with the reference's log-mel (and therefore with a
 * model trained on it) reads them from here — the decoder's target rate, the log-mel's parameters, the model's input
 * width, how many frames a chunk of a given duration has. torchaudio's MelSpectrogram in the reference:
 *   sample_rate 16000, n_fft 512, win_length 512 (periodic Hann), hop 160, n_mels 64, f_min 0, f_max 8000,
 *   then AmplitudeToDB(top_db 120).
 */
import { UserError } from "../errors";

/** Every clip is decoded, downmixed and resampled to this rate before the log-mel. */
export const SAMPLE_RATE = 16000;
export const N_FFT = 512;
export const WIN_LENGTH = 512;
/** 10 ms at 16 kHz: 100 frames per second. */
export const HOP_LENGTH = 160;
/** Log-mel frames per second of audio (100). */
export const FRAMES_PER_SECOND = SAMPLE_RATE / HOP_LENGTH;
/** Mel bins: the log-mel's width and the model's input width. */
export const N_MELS = 64;
export const F_MIN = 0;
export const F_MAX = 8000;
export const TOP_DB = 120;
/** AmplitudeToDB's amin for power spectra: 10·log10(1e-10) = −100 dB is the lowest value before the top_db floor. */
export const AMIN = 1e-10;

/** Number of frames the front-end produces for `samples` samples (center=True): 1 + floor(samples / 160). */
export function framesForSamples(samples: number): number {
  return 1 + Math.floor(samples / HOP_LENGTH);
}

/** Samples in `seconds` of 16 kHz audio, truncated like the reference's int(seconds · sr). */
export function secondsToSamples(seconds: number): number {
  return Math.floor(seconds * SAMPLE_RATE);
}

/** Frames for a signal of `seconds` seconds: 10 s → 1001, 2 s → 201, 0.5 s → 51. */
export function framesForSeconds(seconds: number): number {
  if (!Number.isFinite(seconds) || seconds < 0) throw new UserError(`seconds must be a finite number ≥ 0, got ${seconds}`);
  return framesForSamples(secondsToSamples(seconds));
}
