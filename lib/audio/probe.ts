/**
 * Duration of an audio file from its headers, before anything is decoded: an hour-long recording (or a whole video
 * downloaded where a 10-s AudioSet segment was expected) is refused in milliseconds instead of being decoded into
 * gigabytes of samples (decoding keeps the whole file in memory: ~1 MB per second of 48 kHz stereo).
 *
 * PCM/float WAV: the kit's own header reader (./wav-pcm), which counts only the frames the file really holds, so a
 * truncated download is measured as what it decodes to. Everything else: music-metadata, a well-kept pure-JS metadata
 * reader that streams the file (FLAC STREAMINFO, MP3 Xing/VBRI or frame count, Ogg's last granule position, …) and
 * never holds more than a small buffer. Undefined when neither knows the format: the caller then falls back to a
 * file-size bound.
 */
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { readPcmWavLayout, WavHeaderError, type PcmWavLayout } from "./wav-pcm";

export interface AudioProbe {
  durationSeconds: number;
  sampleRate: number;
  channels: number;
  /** "wav" or music-metadata's container name ("FLAC", "Ogg", "MPEG", …). */
  container: string;
}

/** Enough for common WAV headers (fmt + LIST/bext chunks before the data); a data chunk further in goes to music-metadata. */
const WAV_HEAD_BYTES = 64 * 1024;

function readHead(path: string, fileBytes: number): Uint8Array {
  const head = Buffer.alloc(Math.min(fileBytes, WAV_HEAD_BYTES));
  const fd = openSync(path, "r");
  try {
    let got = 0;
    while (got < head.length) {
      const n = readSync(fd, head, got, head.length - got, got);
      if (n === 0) break;
      got += n;
    }
    return head.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}

interface MetadataFormat {
  container?: string;
  duration?: number;
  sampleRate?: number;
  numberOfChannels?: number;
}
type ParseFile = (path: string, options: { duration: boolean; skipCovers: boolean }) => Promise<{ format: MetadataFormat }>;
let parseFilePromise: Promise<ParseFile> | undefined;

/** music-metadata is ESM-only; loaded once, lazily (like audio-decode in ./decode). */
function loadParseFile(): Promise<ParseFile> {
  parseFilePromise ??= import("music-metadata").then((mod) => (mod as unknown as { parseFile: ParseFile }).parseFile);
  return parseFilePromise;
}

/** The WAV layout, or undefined for anything else, a self-contradicting header included (decoding names the problem). */
function wavLayout(path: string, fileBytes: number): PcmWavLayout | undefined {
  try {
    return readPcmWavLayout(readHead(path, fileBytes), fileBytes);
  } catch (error) {
    if (error instanceof WavHeaderError) return undefined;
    throw error;
  }
}

/** Duration of a PCM/float WAV file from its header (reads at most 64 KiB), or undefined when it is not one. */
export function wavFileDuration(path: string, fileBytes = statSync(path).size): number | undefined {
  const wav = wavLayout(path, fileBytes);
  return wav ? wav.frames / wav.sampleRate : undefined;
}

/** Probes `path` (an existing regular file of `fileBytes` bytes). Never throws for unknown or corrupt content. */
export async function probeAudioFile(path: string, fileBytes: number): Promise<AudioProbe | undefined> {
  const wav = wavLayout(path, fileBytes);
  if (wav) return { durationSeconds: wav.frames / wav.sampleRate, sampleRate: wav.sampleRate, channels: wav.channels, container: "wav" };
  try {
    // duration: true makes Ogg/Opus exact (it reads to the last page: ~0.2–0.6 s for an hour, streamed, bounded memory).
    const { format } = await (await loadParseFile())(path, { duration: true, skipCovers: true });
    const { duration, sampleRate, numberOfChannels } = format;
    if (!(typeof duration === "number" && Number.isFinite(duration) && duration >= 0)) return undefined;
    return { durationSeconds: duration, sampleRate: sampleRate ?? 0, channels: numberOfChannels ?? 0, container: format.container ?? "unknown" };
  } catch {
    return undefined; // not a format music-metadata knows, or corrupt: decoding will say what is wrong
  }
}
