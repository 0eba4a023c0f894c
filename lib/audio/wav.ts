/**
 * WAV writing (mono). The RIFF container comes from `wavefile`; the float → int16 conversion is done here so that
 * it is the exact inverse of the reference's read path (int16 / 32768): round(x · 32768), clipped to
 * [−32768, 32767]. Writes are atomic (temp file + rename) like every artefact of the kit.
 */
import { WaveFile } from "wavefile";
import { UserError } from "../errors";
import { writeFileAtomic } from "../io/atomic";

/** Float samples → int16 PCM (x · 32768, rounded, clipped). */
export function floatToInt16(samples: Float32Array): Int16Array {
  const out = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const v = Math.round(samples[i] * 32768);
    out[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
  }
  return out;
}

/** Encodes mono samples as a WAV file: 16-bit PCM (default) or 32-bit IEEE float. */
export function encodeWav(samples: Float32Array, sampleRate: number, bitDepth: 16 | 32 = 16): Uint8Array {
  if (!Number.isInteger(sampleRate) || sampleRate <= 0) {
    throw new UserError(`encodeWav: sampleRate must be a positive integer, got ${sampleRate}`);
  }
  if (bitDepth !== 16 && bitDepth !== 32) throw new UserError(`encodeWav: bitDepth must be 16 or 32, got ${bitDepth}`);
  for (let i = 0; i < samples.length; i++) {
    if (!Number.isFinite(samples[i])) throw new UserError(`encodeWav: sample ${i} is NaN or infinite`);
  }
  const wav = new WaveFile();
  if (bitDepth === 16) wav.fromScratch(1, sampleRate, "16", floatToInt16(samples));
  else wav.fromScratch(1, sampleRate, "32f", samples);
  return wav.toBuffer();
}

/** Writes mono samples to `path` as WAV, atomically. */
export function writeWav(path: string, samples: Float32Array, sampleRate: number, bitDepth: 16 | 32 = 16): void {
  writeFileAtomic(path, encodeWav(samples, sampleRate, bitDepth));
}
