// Decoding real encoded files (made by scripts/fixtures/make_audio_fixtures.sh with sox/ffmpeg/oggenc).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { WaveFile } from "wavefile";
import { decodeAudioBuffer, decodeAudioFile } from "../../lib/audio/decode";
import { UserError } from "../../lib/errors";
import { SAMPLE_RATE } from "../../lib/audio/frontend";

const DIR = join(__dirname, "../fixtures/audio/encoded");

/** Amplitude of the 440 Hz component over 0.2 s in the middle (88 whole periods), and the signal's rms. */
function toneAt440(samples: Float32Array): { amplitude: number; rms: number } {
  const start = 400;
  const n = 3200;
  let re = 0;
  let im = 0;
  let energy = 0;
  for (let i = 0; i < n; i++) {
    const x = samples[start + i];
    const phase = (2 * Math.PI * 440 * i) / SAMPLE_RATE;
    re += x * Math.cos(phase);
    im += x * Math.sin(phase);
    energy += x * x;
  }
  return { amplitude: (2 * Math.hypot(re, im)) / n, rms: Math.sqrt(energy / n) };
}

const CASES: { file: string; rate: number; channels: number; amplitude: number; tolerance: number; exactLength: boolean }[] = [
  { file: "sine440_16k_s16.wav", rate: 16000, channels: 1, amplitude: 0.5, tolerance: 1e-3, exactLength: true },
  { file: "sine440_22k_u8.wav", rate: 22050, channels: 1, amplitude: 0.5, tolerance: 0.01, exactLength: true },
  { file: "sine440_16k_s24.wav", rate: 16000, channels: 1, amplitude: 0.5, tolerance: 1e-3, exactLength: true },
  { file: "sine440_16k_s32.wav", rate: 16000, channels: 1, amplitude: 0.5, tolerance: 1e-3, exactLength: true },
  { file: "sine440_16k_f32.wav", rate: 16000, channels: 1, amplitude: 0.5, tolerance: 1e-3, exactLength: true },
  // Stereo 0.6 left / 0.2 right: the downmix averages to 0.4 (keeping only the first channel would give 0.6).
  { file: "sine440_44k_stereo_s16.wav", rate: 44100, channels: 2, amplitude: 0.4, tolerance: 2e-3, exactLength: true },
  { file: "sine440_48k.flac", rate: 48000, channels: 1, amplitude: 0.5, tolerance: 2e-3, exactLength: true },
  // Lossy codecs: small amplitude error; encoder priming/padding may change the length by a frame.
  { file: "sine440_44k.ogg", rate: 44100, channels: 1, amplitude: 0.5, tolerance: 0.03, exactLength: false },
  { file: "sine440_44k.mp3", rate: 44100, channels: 1, amplitude: 0.5, tolerance: 0.03, exactLength: false },
];

for (const c of CASES) {
  test(`decodes ${c.file}: ${c.channels} ch @ ${c.rate} Hz → mono 16 kHz, 440 Hz tone of amplitude ${c.amplitude} intact`, async () => {
    const audio = await decodeAudioFile(join(DIR, c.file));
    assert.equal(audio.sampleRate, SAMPLE_RATE);
    assert.equal(audio.sourceSampleRate, c.rate);
    assert.equal(audio.channels, c.channels);
    const sourceLength = Math.floor(0.25 * c.rate); // sox truncates 5512.5 samples to 5512
    const expectedLength = Math.ceil((sourceLength * SAMPLE_RATE) / c.rate); // 4000
    if (c.exactLength) assert.equal(audio.samples.length, expectedLength);
    else assert.ok(Math.abs(audio.samples.length - expectedLength) <= 1200, `length ${audio.samples.length}`);
    assert.equal(audio.durationSeconds, audio.samples.length / SAMPLE_RATE);
    const { amplitude, rms } = toneAt440(audio.samples);
    assert.ok(Math.abs(amplitude - c.amplitude) < c.tolerance, `440 Hz amplitude ${amplitude}`);
    // Nearly all energy is the 440 Hz tone (a wrong rate would move it off 440 Hz and break this).
    assert.ok(Math.abs(rms * Math.SQRT2 - amplitude) < c.tolerance + 0.005, `rms ${rms} vs tone ${amplitude}`);
  });
}

test("16-bit PCM is scaled by exactly 1/32768, as the reference reads its int16 dumps", async () => {
  const bytes = readFileSync(join(DIR, "sine440_16k_s16.wav"));
  const wav = new WaveFile(bytes);
  const ints = wav.getSamples(false, Int16Array) as unknown as Int16Array;
  const audio = await decodeAudioFile(join(DIR, "sine440_16k_s16.wav"));
  assert.equal(audio.samples.length, ints.length);
  for (let i = 0; i < ints.length; i++) assert.equal(audio.samples[i], Math.fround(ints[i] / 32768));
});

test("8-bit unsigned PCM decodes around zero", async () => {
  const audio = await decodeAudioFile(join(DIR, "sine440_22k_u8.wav"));
  let mean = 0;
  for (const x of audio.samples) mean += x;
  assert.ok(Math.abs(mean / audio.samples.length) < 0.01);
});

for (const [file, pattern] of [
  ["not_audio.wav", /not_audio\.wav: cannot decode audio/],
  ["truncated_header_only.wav", /truncated_header_only\.wav/],
  ["empty.wav", /empty\.wav: empty file/],
  ["does_not_exist.flac", /does_not_exist\.flac: no such audio file/],
] as const) {
  test(`${file} → UserError naming the file`, async () => {
    await assert.rejects(decodeAudioFile(join(DIR, file)), (error: unknown) => error instanceof UserError && pattern.test(error.message));
  });
}

test("NaN samples in a float WAV → UserError naming the file", async () => {
  const wav = new WaveFile();
  wav.fromScratch(1, SAMPLE_RATE, "32f", [0, 0.1, Number.NaN, 0.2]);
  await assert.rejects(decodeAudioBuffer(wav.toBuffer(), "bad-float.wav"), /bad-float\.wav: sample 2 is NaN/);
});

test("a WAV cut off mid-data (interrupted download) decodes the complete frames it has", async () => {
  const bytes = readFileSync(join(DIR, "sine440_16k_s16.wav"));
  const whole = await decodeAudioBuffer(bytes, "whole.wav");
  const cut = await decodeAudioBuffer(bytes.subarray(0, 44 + 1001), "cut.wav");
  assert.equal(cut.samples.length, 500);
  assert.deepEqual(cut.samples, whole.samples.subarray(0, 500));
});
