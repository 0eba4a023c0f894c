/**
 * Bad inputs through the CLI (in-process `main`, the same code path as `npx psl`): each must end with a non-zero exit
 * and one clear message naming the file / row / field — no stack trace — or, where the kit tolerates the input
 * (broken clips inside a corpus, chunks longer than the clip), finish and say what it did.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeWav } from "../../lib/audio/wav";
import { manifestText, writeTinyConfig, writeToneClips } from "./corpus";
import { assertUserFailure, psl } from "./in-process";
import { SAMPLE_RATE } from "../../lib/audio/frontend";

/**
 * An `hours`-long 16 kHz 16-bit WAV of silence as a sparse file: the header is real, the samples are a hole in the
 * file that takes no disk space (and must never be read: 2 hours would be 230 MB of samples).
 */
function writeLongWav(path: string, hours: number): void {
  const header = encodeWav(new Float32Array(0), SAMPLE_RATE, 16);
  const dataBytes = hours * 3600 * SAMPLE_RATE * 2;
  const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
  view.setUint32(4, 36 + dataBytes, true);
  view.setUint32(40, dataBytes, true);
  writeFileSync(path, header);
  truncateSync(path, 44 + dataBytes);
}

const dir = mkdtempSync(join(tmpdir(), "psl-bad-inputs-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test("psl features: missing, empty, non-audio, truncated and NaN audio files", async () => {
  const out = join(dir, "out.npy");
  const tone = Float32Array.from({ length: SAMPLE_RATE }, (_, i) => 0.3 * Math.sin(i / 3));
  writeFileSync(join(dir, "empty.wav"), "");
  writeFileSync(join(dir, "text.flac"), "this is not audio at all, just text with an audio extension\n");
  writeFileSync(join(dir, "header-only.wav"), encodeWav(tone, SAMPLE_RATE).slice(0, 44));
  writeFileSync(join(dir, "cut.wav"), encodeWav(tone, SAMPLE_RATE).slice(0, 44 + 8001)); // cut mid-sample, half the data
  // writeWav refuses non-finite samples, so the float WAVs are patched after encoding (as a buggy exporter would write).
  const floatWavWith = (index: number, value: number) => {
    const bytes = encodeWav(tone, SAMPLE_RATE, 32);
    new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).setFloat32(44 + 4 * index, value, true);
    return bytes;
  };
  writeFileSync(join(dir, "nan.wav"), floatWavWith(1234, Number.NaN));
  writeFileSync(join(dir, "inf.wav"), floatWavWith(99, Number.POSITIVE_INFINITY));
  writeLongWav(join(dir, "two-hours.wav"), 2);
  // A header whose blockAlign (bytes per frame) contradicts its format: was read at the wrong length (half the samples).
  const misaligned = encodeWav(tone, SAMPLE_RATE);
  new DataView(misaligned.buffer, misaligned.byteOffset, misaligned.byteLength).setUint16(32, 4, true);
  writeFileSync(join(dir, "block-align.wav"), misaligned);

  assertUserFailure(await psl("features", join(dir, "missing.wav"), "--out", out), /missing\.wav/, "missing file");
  assertUserFailure(await psl("features", join(dir, "empty.wav"), "--out", out), /empty\.wav: empty file/, "zero-length");
  assertUserFailure(await psl("features", join(dir, "text.flac"), "--out", out), /text\.flac: cannot decode audio/, "non-audio");
  assertUserFailure(await psl("features", join(dir, "header-only.wav"), "--out", out), /header-only\.wav: (decoded to no samples|cannot decode)/, "header only");
  assertUserFailure(await psl("features", join(dir, "nan.wav"), "--out", out), /nan\.wav: sample 1234 is NaN or infinite/, "NaN sample");
  assertUserFailure(await psl("features", join(dir, "inf.wav"), "--out", out), /inf\.wav: sample 99 is NaN or infinite/, "Inf sample");
  assertUserFailure(await psl("features", join(dir, "block-align.wav"), "--out", out), /block-align\.wav: cannot decode audio \(WAV header: blockAlign 4 contradicts 1 channel × 16-bit PCM samples \(expected 2 bytes per frame\): corrupt header\)/, "blockAlign contradicts the format");
  assertUserFailure(await psl("features", join(dir, "cut.wav"), "--out", out, "--top-db=-3"), /--top-db must be a number ≥ 0/, "negative top-db");
  assertUserFailure(await psl("features", join(dir, "cut.wav"), "--out", out, "--bogus"), /bogus/, "unknown option");
  // Extremely long: refused from the header, before a byte of audio is read; the message says what to do.
  assertUserFailure(await psl("features", join(dir, "two-hours.wav"), "--out", out), /two-hours\.wav: 2\.0 h long \(wav header\), over the 10\.0 min limit for one clip; cut it into clips .*--max-seconds/, "2-hour file");
  assertUserFailure(await psl("features", join(dir, "cut.wav"), "--out", out, "--max-seconds", "0.1"), /cut\.wav: 0\.3 s long \(wav header\), over the 0\.1 s limit/, "--max-seconds below the clip");
  assertUserFailure(await psl("features", join(dir, "cut.wav"), "--out", out, "--max-seconds", "ten"), /--max-seconds must be a positive number of seconds, got "ten"/, "--max-seconds not a number");
  // A WAV cut mid-data decodes what is there (the usual state of an interrupted download), and says how long it is.
  const cut = await psl("features", join(dir, "cut.wav"), "--out", out);
  assert.equal(cut.code, 0, cut.err);
  assert.match(cut.out, /cut\.wav: 0\.250 s .*float32 \[26, 64\]/);
});

test("psl train-teacher: invalid configs and parameters name the field", async () => {
  const work = join(dir, "params");
  const rows = writeToneClips(work, 4, 1);
  writeFileSync(join(work, "train.tsv"), manifestText(rows));
  writeFileSync(join(work, "eval.tsv"), manifestText(rows));
  const config = writeTinyConfig(work);
  const run = (...sets: string[]) => psl("train-teacher", "--config", config, ...sets.flatMap((s) => ["--set", s]));
  assertUserFailure(await psl("train-teacher", "--config", join(work, "nope.json")), /cannot read config .*nope\.json/, "missing config");
  writeFileSync(join(work, "broken.json"), "{ \"name\": ");
  assertUserFailure(await psl("train-teacher", "--config", join(work, "broken.json")), /broken\.json: not valid JSON/, "config not JSON");
  assertUserFailure(await psl("train-teacher"), /--config is required/, "no config");
  assertUserFailure(await run("teacher.epochs"), /--set "teacher\.epochs": expected key=value/, "--set without =");
  assertUserFailure(await run("=3"), /--set "=3": expected key=value/, "--set without key");
  assertUserFailure(await run("teacher..epochs=3"), /malformed key "teacher\.\.epochs"/, "--set empty key part");
  assertUserFailure(await run("teacher.bogus=1"), /unknown config field "teacher\.bogus"/, "--set unknown field");
  assertUserFailure(await run("annotation.threshold=1.5"), /annotation\.threshold must be a number in \[0, 1\], got 1\.5/, "threshold > 1");
  assertUserFailure(await run("annotation.threshold=-0.1"), /annotation\.threshold must be a number in \[0, 1\], got -0\.1/, "threshold < 0");
  assertUserFailure(await run("annotation.threshold.Speech=2"), /annotation\.threshold\.Speech must be a number in \[0, 1\]/, "per-class threshold");
  assertUserFailure(await run("annotation.chunkSeconds=-2"), /annotation\.chunkSeconds must be a positive number of seconds ≥ 0\.01 \(one 10-ms log-mel frame\), got -2/, "negative chunk");
  assertUserFailure(await run("annotation.chunkSeconds=0"), /annotation\.chunkSeconds must be a positive/, "zero chunk");
  assertUserFailure(await run("annotation.hopSeconds=-1"), /annotation\.hopSeconds must be a positive/, "negative hop");
  assertUserFailure(await run("data.maxClipSeconds=0"), /data\.maxClipSeconds must be a positive number of seconds, got 0/, "zero clip limit");
  // An unwritable cache (here a file where the folder belongs; a full disk or a read-only mount take the same path).
  writeFileSync(join(work, "not-a-folder"), "");
  assertUserFailure(await run(`cacheDir=${join(work, "not-a-folder")}`), /cannot write .*not-a-folder\/features\/.*: a parent path is a file, not a folder \(ENOTDIR\)/, "cacheDir is a file");
  assertUserFailure(await run("backend=tpu"), /backend must be "auto" or one of .*got "tpu"/, "unknown backend");
  assertUserFailure(await run("teacher.batchSize=0"), /teacher\.batchSize must be an integer ≥ 1/, "zero batch");
  assertUserFailure(await run("student.alpha=2"), /student\.alpha must be a number in \[0, 1\]/, "alpha > 1");
  assertUserFailure(await run("teacher.epochs=abc"), /teacher\.epochs must be an integer ≥ 0, got "abc"/, "non-numeric epochs");
  assertUserFailure(await run("teacher.checkpoint=" + join(work, "absent.pt")), /teacher\.checkpoint: .*absent\.pt does not exist/, "missing teacher checkpoint");
  writeFileSync(join(work, "fake.pt"), "not a checkpoint");
  assertUserFailure(await run("teacher.checkpoint=" + join(work, "fake.pt")), /fake\.pt: not a PyTorch checkpoint/, "non-checkpoint teacher");
});

test("psl train-teacher: bad manifests name the file and row", async () => {
  const work = join(dir, "manifests");
  const rows = writeToneClips(work, 4, 2);
  writeFileSync(join(work, "eval.tsv"), manifestText(rows));
  const config = writeTinyConfig(work);
  const withTrain = async (text: string) => {
    writeFileSync(join(work, "train.tsv"), text);
    return psl("train-teacher", "--config", config);
  };
  assertUserFailure(await withTrain(""), /train\.tsv.*(empty|header|filename)/i, "empty manifest file");
  assertUserFailure(await withTrain("file\tlabel\tlength\na.wav\t0\t2\n"), /train\.tsv.*filename/, "wrong header");
  assertUserFailure(await withTrain("filename\tlabels\tduration\n"), /train\.tsv.*no (clips|rows)/i, "header only, no rows");
  assertUserFailure(await withTrain(manifestText(rows).replace("clip-1.wav\t1", "clip-1.wav\t7")), /train\.tsv:3: label 7 ≥ numClasses 3 \(clip clip-1\.wav\)/, "unknown class index");
  assertUserFailure(await withTrain(manifestText(rows).replace("clip-1.wav\t1", "clip-1.wav\tSpeech")), /train\.tsv:3: bad label index "Speech"/, "label not an index");
  assertUserFailure(await withTrain(manifestText(rows).replace("clip-1.wav\t1\t2", "clip-1.wav\t1\tlong")), /train\.tsv:3: bad duration "long"/, "bad duration");
  assertUserFailure(await withTrain(manifestText([...rows, rows[1]])), /train\.tsv:6: duplicate filename "clip-1\.wav" \(first on line 3\)/, "duplicate row");
});

test("corpus-wide run: broken clips are skipped and listed at the end; --strict fails instead; chunks longer than the clip", { timeout: 180_000 }, async () => {
  const work = join(dir, "corpus");
  const rows = writeToneClips(work, 8, 3);
  writeFileSync(join(work, "zero.wav"), "");
  writeFileSync(join(work, "junk.ogg"), "definitely not an ogg stream");
  writeLongWav(join(work, "whole-video.wav"), 3);
  const broken = [
    { filename: "whole-video.wav", labels: [1], duration: 10 },
    { filename: "zero.wav", labels: [0], duration: 2 },
    { filename: "junk.ogg", labels: [1], duration: 2 },
    { filename: "gone.wav", labels: [2], duration: 2 },
  ];
  writeFileSync(join(work, "train.tsv"), manifestText([...rows.slice(0, 6), ...broken]));
  writeFileSync(join(work, "eval.tsv"), manifestText(rows.slice(6)));
  // Chunks of 30 s over 2-s clips: each clip is one chunk, the whole clip.
  const config = writeTinyConfig(work, { annotation: { chunkSeconds: 30, shardClips: 2 }, teacher: { widthMult: 0.1, epochs: 1, patience: 5, batchSize: 4 } });

  const strict = await psl("annotate", "--config", config, "--strict");
  assertUserFailure(strict, /(zero\.wav: empty file|junk\.ogg: cannot decode|gone\.wav: no such audio file|whole-video\.wav: 3\.0 h long)/, "--strict on a broken clip");

  const lenient = await psl("annotate", "--config", config);
  assert.equal(lenient.code, 0, lenient.err);
  const summary = lenient.out.slice(lenient.out.indexOf("features: skipped"));
  assert.match(summary, /features: skipped 4 missing, unreadable or too long clips/);
  assert.match(summary, /whole-video\.wav: .*whole-video\.wav: 3\.0 h long \(wav header\), over the 10\.0 min limit/);
  assert.match(summary, /zero\.wav: .*zero\.wav: empty file/);
  assert.match(summary, /junk\.ogg: .*junk\.ogg: cannot decode audio/);
  assert.match(summary, /gone\.wav: .*gone\.wav: no such audio file/);
  // 6 readable clips, 25 % held out for validation → 4 or 5 annotated, one chunk each.
  const annotated = Number(/annotation: .* \((\d+) chunks/.exec(lenient.out)?.[1]);
  assert.ok(annotated >= 4 && annotated <= 5, `annotated ${annotated} chunks`);
});
