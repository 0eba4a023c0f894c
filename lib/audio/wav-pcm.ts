/**
 * Fast reader for plain PCM / IEEE-float WAV (RIFF or RF64; format tags 1, 3 and WAVE_FORMAT_EXTENSIBLE with those
 * sub-formats), with the reference's integer scaling: every integer sample divided by 2^(bits−1) (16-bit: x/32768);
 * 8-bit is unsigned, centred at 128.
 * Hand-written because the libraries at hand either scale differently (audio-decode: positives by 1/(2^(bits−1) − 1))
 * or unpack generically and slowly (wavefile: ~40 ms per 10 s clip, 4× the log-mel itself). Anything else (ADPCM,
 * µ-law, odd headers) returns undefined and is left to audio-decode.
 */
export interface PcmAudio {
  channelData: Float32Array[];
  sampleRate: number;
}

/** Where the samples of a PCM/float WAV are, read from its header alone (see `readPcmWavLayout`). */
export interface PcmWavLayout {
  isFloat: boolean;
  channels: number;
  sampleRate: number;
  bits: number;
  /** Byte offset of the first frame. */
  dataOffset: number;
  /** Whole frames present: the data chunk's size, clamped to the bytes the file really has (truncated downloads). */
  frames: number;
}

const EXTENSIBLE = 0xfffe;

/** A plain PCM/float WAV header that contradicts itself (its length cannot be known). */
export class WavHeaderError extends Error {}

/**
 * Parses the chunk headers of a PCM/float WAV. `head` may be only the beginning of the file (a probe reads a few KiB of
 * an hour-long file); `fileBytes` is the whole file's size, used to clamp the frame count. Undefined when the header is
 * not a plain PCM/float WAV, or when the data chunk starts beyond `head`; a WavHeaderError when it is one whose fields
 * contradict each other.
 */
export function readPcmWavLayout(head: Uint8Array, fileBytes = head.length): PcmWavLayout | undefined {
  if (head.length < 12) return undefined;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const riff = String.fromCharCode(head[0], head[1], head[2], head[3]);
  const wave = String.fromCharCode(head[8], head[9], head[10], head[11]);
  if ((riff !== "RIFF" && riff !== "RF64") || wave !== "WAVE") return undefined;
  let format = -1;
  let channels = 0;
  let sampleRate = 0;
  let bits = 0;
  let blockAlign = 0;
  let dataSize64: number | undefined;
  let offset = 12;
  while (offset + 8 <= head.length) {
    const id = String.fromCharCode(head[offset], head[offset + 1], head[offset + 2], head[offset + 3]);
    let size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === "ds64" && body + 24 <= head.length) {
      // RF64: the real data size is a 64-bit field here; the data chunk header holds 0xFFFFFFFF.
      dataSize64 = view.getUint32(body + 8, true) + view.getUint32(body + 12, true) * 2 ** 32;
    } else if (id === "fmt ") {
      if (body + 16 > head.length) return undefined;
      format = view.getUint16(body, true);
      channels = view.getUint16(body + 2, true);
      sampleRate = view.getUint32(body + 4, true);
      blockAlign = view.getUint16(body + 12, true);
      bits = view.getUint16(body + 14, true);
      if (format === EXTENSIBLE && size >= 40 && body + 26 <= head.length) format = view.getUint16(body + 24, true);
    } else if (id === "data") {
      if (format !== 1 && format !== 3) return undefined;
      // bits 0 would make blockAlign 0 and the frame count infinite (found by test/robustness fuzzing).
      if (channels < 1 || sampleRate < 1 || bits < 8 || bits % 8 !== 0) return undefined;
      const isFloat = format === 3;
      if (isFloat ? bits !== 32 && bits !== 64 : ![8, 16, 24, 32].includes(bits)) return undefined;
      // A frame of plain PCM is channels × bits/8 bytes. A header that says otherwise is corrupt: trusting either field
      // reads the file at the wrong length (audio-decode, which got these files before, trusts blockAlign: a 16-bit mono
      // second saying 4 bytes per frame decoded to half a second), so it is refused with what it says.
      if (blockAlign !== channels * (bits / 8)) {
        throw new WavHeaderError(`WAV header: blockAlign ${blockAlign} contradicts ${channels} channel${channels === 1 ? "" : "s"} × ${bits}-bit ${isFloat ? "float" : "PCM"} samples (expected ${channels * (bits / 8)} bytes per frame): corrupt header`);
      }
      if (riff === "RF64" && size === 0xffffffff && dataSize64 !== undefined) size = dataSize64;
      // Streamed WAVs may carry a placeholder size (0, or 0xFFFFFFFF): the samples then run to the end of the file.
      // Truncated files: never count past the end.
      const present = Math.max(0, fileBytes - body);
      const available = size === 0 ? present : Math.min(size, present);
      return { isFloat, channels, sampleRate, bits, dataOffset: body, frames: Math.floor(available / blockAlign) };
    }
    offset = body + size + (size % 2);
  }
  return undefined;
}

export function decodePcmWav(bytes: Uint8Array): PcmAudio | undefined {
  const layout = readPcmWavLayout(bytes);
  if (!layout) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const { channels, bits, isFloat, frames } = layout;
  const channelData = Array.from({ length: channels }, () => new Float32Array(frames));
  const bytesPerSample = bits / 8;
  let p = layout.dataOffset;
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < channels; c++) {
      let v: number;
      if (isFloat) v = bits === 32 ? view.getFloat32(p, true) : view.getFloat64(p, true);
      else if (bits === 16) v = view.getInt16(p, true) / 32768;
      else if (bits === 8) v = (view.getUint8(p) - 128) / 128;
      else if (bits === 24) v = ((view.getUint8(p) | (view.getUint8(p + 1) << 8) | (view.getInt8(p + 2) << 16)) / 8388608);
      else v = view.getInt32(p, true) / 2147483648;
      channelData[c][i] = v;
      p += bytesPerSample;
    }
  }
  return { channelData, sampleRate: layout.sampleRate };
}
