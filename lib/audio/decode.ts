/**
 * Audio decoding to the kit's canonical form: mono Float32 at 16 kHz.
 *
 * Containers/codecs come from `audio-decode` (pure JS/wasm, installs offline): FLAC, OGG/Vorbis, Opus, MP3, AIFF,
 * ADPCM WAV, … Plain PCM/float WAV (8/16/24/32-bit int, 32/64-bit float) is read by ./wav-pcm instead, because
 * audio-decode scales positive integer samples by 1/(2^(bits−1) − 1); the kit scales every integer sample by
 * 1/2^(bits−1) (16-bit: x/32768), exactly what the reference does when it reads its int16 HDF5 dumps. Stereo is averaged (the reference keeps only the
 * first channel, by an indexing slip; averaging is the usual intent), then resampled with the band-limited
 * torchaudio-compatible filter in ./resample.
 */
import { readFileSync, statSync } from "node:fs";
import { UserError } from "../errors";
import { SAMPLE_RATE } from "./frontend";
import { probeAudioFile, type AudioProbe } from "./probe";
import { resample } from "./resample";
import { decodePcmWav } from "./wav-pcm";


/**
 * Longest file decoded by default (10 min). Clips in AudioSet are 10 s, in FSD50K ≤ 30 s; a file far longer is
 * nearly always a mistake (a whole video instead of its segment), and decoding holds it whole in memory
 * (~1 MB per second at 48 kHz stereo), so it is refused with a message unless the caller raises the limit.
 */
export const DEFAULT_MAX_CLIP_SECONDS = 600;

/**
 * Upper bound on the encoded bytes per second of any audio the kit reads (8 channels × 96 kHz × 32 bit): a file whose
 * format the probe cannot read and that is larger than maxSeconds × this cannot be short enough, so it is not read.
 */
const MAX_ENCODED_BYTES_PER_SECOND = 8 * 96000 * 4;

export interface DecodeOptions {
  /** Refuse files longer than this many seconds (default DEFAULT_MAX_CLIP_SECONDS); Infinity = no limit. */
  maxSeconds?: number;
}

function formatSeconds(seconds: number): string {
  if (seconds < 120) return `${seconds.toFixed(1)} s`;
  if (seconds < 3600) return `${(seconds / 60).toFixed(1)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

function tooLong(name: string, what: string, maxSeconds: number): UserError {
  return new UserError(
    `${name}: ${what}, over the ${formatSeconds(maxSeconds)} limit for one clip; cut it into clips ` +
      `(e.g. sox in.wav out.wav trim 0 10 : newfile : restart) or raise the limit (--max-seconds, config data.maxClipSeconds)`,
  );
}

function checkMaxSeconds(maxSeconds: number): number {
  if (!(maxSeconds > 0)) throw new UserError(`maxSeconds must be a positive number of seconds, got ${maxSeconds}`);
  return maxSeconds;
}

export interface DecodedAudio {
  /** Mono samples at 16 kHz, nominally in [-1, 1]. */
  samples: Float32Array;
  sampleRate: typeof SAMPLE_RATE;
  /** Sample rate of the encoded file before resampling. */
  sourceSampleRate: number;
  /** Channel count of the encoded file before the downmix. */
  channels: number;
  /** samples.length / SAMPLE_RATE. */
  durationSeconds: number;
}

interface RawAudio {
  channelData: Float32Array[];
  sampleRate: number;
}

type DecodeFn = (bytes: Uint8Array) => Promise<RawAudio>;
let decoderPromise: Promise<DecodeFn> | undefined;

/** audio-decode is ESM-only; loaded once, lazily, so that importing the kit does not pay for its wasm codecs. */
function loadDecoder(): Promise<DecodeFn> {
  decoderPromise ??= import("audio-decode").then((mod) => {
    const fn = (mod as { default?: unknown }).default ?? mod;
    return fn as DecodeFn;
  });
  return decoderPromise;
}

/** Averages channels and resamples to 16 kHz. Synchronous; inputs are not modified. */
export function toMono16k(channelData: Float32Array[], sampleRate: number): Float32Array {
  if (channelData.length === 0) throw new UserError("toMono16k: no channels");
  const length = channelData[0].length;
  for (const channel of channelData) {
    if (channel.length !== length) throw new UserError("toMono16k: channels have different lengths");
  }
  let mono: Float32Array;
  if (channelData.length === 1) {
    mono = channelData[0];
  } else {
    mono = new Float32Array(length);
    const weight = 1 / channelData.length;
    for (const channel of channelData) for (let i = 0; i < length; i++) mono[i] += channel[i] * weight;
  }
  return sampleRate === SAMPLE_RATE ? mono.slice() : resample(mono, sampleRate, SAMPLE_RATE);
}

/** Index of the first NaN/±Inf sample, or −1. */
function firstNonFinite(channelData: Float32Array[]): number {
  for (const channel of channelData) {
    for (let i = 0; i < channel.length; i++) if (!Number.isFinite(channel[i])) return i;
  }
  return -1;
}

/**
 * Decodes encoded bytes (any supported format, detected from content). `nameForErrors` appears in every error.
 * Audio longer than `maxSeconds` is a UserError (checked after decoding: bytes in memory cannot be probed first).
 */
export async function decodeAudioBuffer(bytes: Uint8Array, nameForErrors: string, options: DecodeOptions = {}): Promise<DecodedAudio> {
  const maxSeconds = checkMaxSeconds(options.maxSeconds ?? DEFAULT_MAX_CLIP_SECONDS);
  if (bytes.byteLength === 0) throw new UserError(`${nameForErrors}: empty file (0 bytes), not audio`);
  let raw: RawAudio | undefined;
  try {
    raw = decodePcmWav(bytes) ?? (await (await loadDecoder())(bytes));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new UserError(`${nameForErrors}: cannot decode audio (${reason})`);
  }
  const channelData = raw?.channelData ?? [];
  const sourceSampleRate = raw?.sampleRate;
  if (channelData.length === 0 || channelData[0].length === 0) {
    throw new UserError(`${nameForErrors}: decoded to no samples (corrupt or truncated audio)`);
  }
  if (!Number.isInteger(sourceSampleRate) || sourceSampleRate <= 0) {
    throw new UserError(`${nameForErrors}: invalid sample rate ${sourceSampleRate}`);
  }
  const sourceSeconds = channelData[0].length / sourceSampleRate;
  if (sourceSeconds > maxSeconds) throw tooLong(nameForErrors, `${formatSeconds(sourceSeconds)} long`, maxSeconds);
  const bad = firstNonFinite(channelData);
  if (bad >= 0) throw new UserError(`${nameForErrors}: sample ${bad} is NaN or infinite (corrupt float audio)`);
  const samples = toMono16k(channelData, sourceSampleRate);
  return {
    samples,
    sampleRate: SAMPLE_RATE,
    sourceSampleRate,
    channels: channelData.length,
    durationSeconds: samples.length / SAMPLE_RATE,
  };
}

/**
 * The length of `path` (a regular file of `fileBytes` bytes) from its headers (./probe), refused with a UserError when
 * longer than `maxSeconds`. Undefined when only decoding can tell; a file too large to be that short is refused then.
 */
export async function probeWithinLimit(path: string, fileBytes: number, maxSeconds: number): Promise<AudioProbe | undefined> {
  const probe = await probeAudioFile(path, fileBytes);
  if (probe && probe.durationSeconds > maxSeconds) throw tooLong(path, `${formatSeconds(probe.durationSeconds)} long (${probe.container} header)`, maxSeconds);
  if (!probe && fileBytes > maxSeconds * MAX_ENCODED_BYTES_PER_SECOND) {
    throw tooLong(path, `${(fileBytes / 2 ** 20).toFixed(0)} MiB in a format whose length cannot be read without decoding`, maxSeconds);
  }
  return probe;
}

/**
 * Reads and decodes an audio file. Missing, empty, corrupt or non-audio files throw a UserError naming `path`; so do
 * files longer than `maxSeconds`, found from their headers (./probe) before the file is read into memory.
 */
export async function decodeAudioFile(path: string, options: DecodeOptions = {}): Promise<DecodedAudio> {
  const maxSeconds = checkMaxSeconds(options.maxSeconds ?? DEFAULT_MAX_CLIP_SECONDS);
  let bytes: Uint8Array;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) throw new UserError(`${path}: not a file`);
    if (stat.size > 0 && Number.isFinite(maxSeconds)) await probeWithinLimit(path, stat.size, maxSeconds);
    bytes = readFileSync(path);
  } catch (error) {
    if (error instanceof UserError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(code === "ENOENT" ? `${path}: no such audio file` : `${path}: cannot read (${code ?? error})`);
  }
  return decodeAudioBuffer(bytes, path, { maxSeconds });
}
