/**
 * 16-bit mono 16 kHz WAV bytes for the corpus clips. The sample conversion is the kit's (lib/audio/wav floatToInt16:
 * round(x·32768), clipped), so files equal what `writeWav` would produce; only the RIFF packing is done here, because
 * the generic `wavefile` packer takes ~100 ms per 10-s clip — most of a 2,000-clip corpus's generation time.
 */
import { floatToInt16 } from "../audio/wav";
import { SAMPLE_RATE } from "./load";

export function encodePcm16Wav(samples: Float32Array, sampleRate: number = SAMPLE_RATE): Uint8Array {
  const pcm = floatToInt16(samples);
  const bytes = new Uint8Array(44 + pcm.length * 2);
  const view = new DataView(bytes.buffer);
  const ascii = (offset: number, text: string): void => {
    for (let i = 0; i < text.length; i++) bytes[offset + i] = text.charCodeAt(i);
  };
  ascii(0, "RIFF");
  view.setUint32(4, 36 + pcm.length * 2, true);
  ascii(8, "WAVE");
  ascii(12, "fmt ");
  view.setUint32(16, 16, true); // PCM fmt chunk size
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * 2, true); // byte rate
  view.setUint16(32, 2, true); // block align
  view.setUint16(34, 16, true); // bits per sample
  ascii(36, "data");
  view.setUint32(40, pcm.length * 2, true);
  for (let i = 0; i < pcm.length; i++) view.setInt16(44 + 2 * i, pcm[i], true);
  return bytes;
}
