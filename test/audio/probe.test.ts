// Audio length from headers, before decoding (lib/audio/probe.ts), and the clip-length limit it enforces in decoding.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeAudioBuffer, decodeAudioFile, DEFAULT_MAX_CLIP_SECONDS } from "../../lib/audio/decode";
import { probeAudioFile, wavFileDuration } from "../../lib/audio/probe";
import { UserError } from "../../lib/errors";

const DIR = join(__dirname, "../fixtures/audio/encoded");
const probe = (file: string) => probeAudioFile(join(DIR, file), statSync(join(DIR, file)).size);

/** A 44-byte PCM WAV header: 16-bit mono at `rate`, data chunk of `dataBytes` (what the header claims). */
function wavHeader(rate: number, dataBytes: number): Buffer {
  const h = Buffer.alloc(44);
  h.write("RIFF", 0, "latin1");
  h.writeUInt32LE((36 + dataBytes) >>> 0, 4);
  h.write("WAVEfmt ", 8, "latin1");
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write("data", 36, "latin1");
  h.writeUInt32LE(dataBytes >>> 0, 40);
  return h;
}

test("durations of every fixture format from the headers alone", async () => {
  const cases: [string, number, number, number][] = [
    // file, seconds, sample rate, channels
    ["sine440_16k_s16.wav", 0.25, 16000, 1],
    ["sine440_44k_stereo_s16.wav", 0.25, 44100, 2],
    ["sine440_16k_f32.wav", 0.25, 16000, 1],
    ["sine440_48k.flac", 0.25, 48000, 1],
    ["sine440_44k.ogg", 0.25, 44100, 1],
    ["silence_11min_8k.flac", 660, 8000, 1],
    ["silence_11min_8k.ogg", 660, 8000, 1],
  ];
  for (const [file, seconds, rate, channels] of cases) {
    const found = await probe(file);
    assert.ok(found, `${file}: no probe result`);
    assert.ok(Math.abs(found.durationSeconds - seconds) < 1e-3, `${file}: ${found.durationSeconds} s, expected ${seconds}`);
    assert.equal(found.sampleRate, rate, file);
    assert.equal(found.channels, channels, file);
  }
  // MP3 without a Xing header: estimated from the frames; encoder padding adds up to a frame or two (26 ms each).
  const mp3 = await probe("sine440_44k.mp3");
  assert.ok(mp3 && Math.abs(mp3.durationSeconds - 0.25) < 0.06, `mp3: ${mp3?.durationSeconds}`);
  assert.equal(await probe("not_audio.wav"), undefined);
  assert.equal(wavFileDuration(join(DIR, "sine440_44k_stereo_s16.wav")), 0.25);
  assert.equal(wavFileDuration(join(DIR, "sine440_16k_f32.wav")), 0.25);
  assert.equal(wavFileDuration(join(DIR, "not_audio.wav")), undefined);
  assert.equal(wavFileDuration(join(DIR, "sine440_48k.flac")), undefined);
});

test("a 10-hour WAV is refused from its header without being read (sparse file, 1.15 GB)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "psl-long-"));
  try {
    const path = join(dir, "ten-hours.wav");
    const dataBytes = 10 * 3600 * 16000 * 2;
    writeFileSync(path, wavHeader(16000, dataBytes));
    // Extending the file leaves a hole: 1.15 GB of digital silence that uses no disk and is never read.
    truncateSync(path, 44 + dataBytes);
    assert.equal(wavFileDuration(path), 36000);
    const rssBefore = process.memoryUsage().rss;
    await assert.rejects(decodeAudioFile(path), (error: unknown) => {
      assert.ok(error instanceof UserError);
      assert.equal(
        error.message,
        `${path}: 10.0 h long (wav header), over the 10.0 min limit for one clip; cut it into clips ` +
          "(e.g. sox in.wav out.wav trim 0 10 : newfile : restart) or raise the limit (--max-seconds, config data.maxClipSeconds)",
      );
      return true;
    });
    // Nothing close to the file's size was allocated (a full read alone would be 1.15 GB).
    assert.ok(process.memoryUsage().rss - rssBefore < 100 * 2 ** 20, "the file was read into memory");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("compressed files longer than the limit are refused from their headers; the limit can be raised", async () => {
  for (const file of ["silence_11min_8k.flac", "silence_11min_8k.ogg"]) {
    await assert.rejects(decodeAudioFile(join(DIR, file)), new RegExp(`${file}: 11\\.0 min long \\((FLAC|Ogg) header\\), over the 10\\.0 min limit`));
  }
  assert.equal(DEFAULT_MAX_CLIP_SECONDS, 600);
  const decoded = await decodeAudioFile(join(DIR, "silence_11min_8k.flac"), { maxSeconds: 700 });
  assert.equal(decoded.durationSeconds, 660);
  assert.ok(decoded.samples.every((x) => x === 0));
});

test("the limit also holds after decoding (bytes in memory; probe estimates) and rejects nonsense limits", async () => {
  const bytes = readFileSync(join(DIR, "sine440_48k.flac"));
  await assert.rejects(decodeAudioBuffer(bytes, "clip.flac", { maxSeconds: 0.2 }), /^UserError: clip\.flac: 0\.3 s long, over the 0\.2 s limit/);
  assert.equal((await decodeAudioBuffer(bytes, "clip.flac", { maxSeconds: 0.3 })).samples.length, 4000);
  await assert.rejects(decodeAudioFile(join(DIR, "sine440_16k_s16.wav"), { maxSeconds: 0 }), /maxSeconds must be a positive number of seconds, got 0/);
  await assert.rejects(decodeAudioFile(join(DIR, "sine440_16k_s16.wav"), { maxSeconds: Number.NaN }), /maxSeconds must be a positive/);
});

test("truncated and streamed WAVs: the header's claim is clamped to the bytes present", async () => {
  const dir = mkdtempSync(join(tmpdir(), "psl-wavlen-"));
  try {
    const samples = Buffer.alloc(16000 * 2); // 1 s of silence
    // An interrupted download: the header claims an hour, the file holds 1 s.
    const truncated = join(dir, "truncated.wav");
    writeFileSync(truncated, Buffer.concat([wavHeader(16000, 3600 * 16000 * 2), samples]));
    assert.equal(wavFileDuration(truncated), 1);
    assert.equal((await decodeAudioFile(truncated)).durationSeconds, 1);
    // Written to a pipe: the data size is a placeholder (0 or 0xFFFFFFFF); the samples run to the end of the file.
    for (const placeholder of [0, 0xffffffff]) {
      const streamed = join(dir, `streamed-${placeholder}.wav`);
      writeFileSync(streamed, Buffer.concat([wavHeader(16000, placeholder), samples]));
      assert.equal(wavFileDuration(streamed), 1, `placeholder ${placeholder}`);
      assert.equal((await decodeAudioFile(streamed)).samples.length, 16000, `placeholder ${placeholder}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
