// Manifest TSV I/O and matching a partial download folder against the real balanced_train_segments.csv.
import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readClassLabels } from "../../lib/data/classes";
import { readSegments } from "../../lib/data/segments";
import { buildManifestFromFolder, parseDownloadName, readManifest, writeManifest } from "../../lib/data/manifest";
import { writeWav } from "../../lib/audio/wav";
import { UserError } from "../../lib/errors";
import { repoPath } from "../../lib/io/repo-root";
import { SAMPLE_RATE } from "../../lib/audio/frontend";

const AUDIOSET = repoPath("data-manifests", "audioset");
const ENCODED = join(__dirname, "../fixtures/audio/encoded");
const classes = readClassLabels(join(AUDIOSET, "class_labels_indices.csv"));
const segments = readSegments(join(AUDIOSET, "balanced_train_segments.csv"), classes);

test("download names: <YTID>_<start>_<end>.<ext> with YTIDs containing '_' and '-'", () => {
  assert.deepEqual(parseDownloadName("--PJHxphWEs_30.000_40.000.wav"), { ytid: "--PJHxphWEs", start: 30 });
  assert.deepEqual(parseDownloadName("a_b-c_d_9Xz_30_40.flac"), { ytid: "a_b-c_d_9Xz", start: 30 });
  assert.deepEqual(parseDownloadName("sub/dir/Yabc.wav"), { ytid: "Yabc" });
});

test("a partial download: rows for present clips, missing/unlisted/unreadable reported, nothing thrown", async () => {
  const dir = mkdtempSync(join(tmpdir(), "psl-manifest-"));
  try {
    const audio = join(dir, "audio");
    mkdirSync(join(audio, "part2"), { recursive: true });
    const [s0, s1, s2, s3, s4, s5] = segments;
    const tone = Float32Array.from({ length: SAMPLE_RATE * 3 + 800 }, (_, i) => 0.3 * Math.sin(i / 5));
    writeWav(join(audio, `${s0.ytid}_${s0.startText}_${s0.endText}.wav`), tone, SAMPLE_RATE);
    copyFileSync(join(ENCODED, "sine440_48k.flac"), join(audio, `${s1.ytid}_${s1.start}_${s1.end}.flac`)); // "_50_60" style
    writeFileSync(join(audio, `${s2.ytid}_${s2.startText}_${s2.endText}.wav`), "not audio at all");
    writeFileSync(join(audio, `${s3.ytid}_${s3.startText}_${s3.endText}.wav`), "");
    writeWav(join(audio, "part2", `Y${s4.ytid}.wav`), tone.subarray(0, SAMPLE_RATE), SAMPLE_RATE); // PANNs naming, in a subfolder
    writeWav(join(audio, "notInTheList_0.000_10.000.wav"), tone, SAMPLE_RATE);
    writeWav(join(audio, `${s0.ytid}_99.000_109.000.wav`), tone, SAMPLE_RATE); // listed YTID, other segment
    writeFileSync(join(audio, "readme.txt"), "ignored: not an audio extension");
    // 11 minutes (a whole video where a 10-s segment belonged): over the clip limit, found from the FLAC header.
    copyFileSync(join(ENCODED, "silence_11min_8k.flac"), join(audio, `${s5.ytid}_${s5.startText}_${s5.endText}.flac`));

    const result = await buildManifestFromFolder(audio, segments);
    assert.deepEqual(result.rows.map((r) => [r.filename, r.labels, r.duration]), [
      [`${s0.ytid}_${s0.startText}_${s0.endText}.wav`, s0.labels, 3.05],
      [`${s1.ytid}_${s1.start}_${s1.end}.flac`, s1.labels, 0.25],
      [`part2/Y${s4.ytid}.wav`, s4.labels, 1],
    ]);
    assert.equal(result.missing.length, segments.length - 6);
    assert.ok(!result.missing.includes(s0) && result.missing.includes(segments[6]));
    assert.deepEqual(result.unlisted.sort(), [`${s0.ytid}_99.000_109.000.wav`, "notInTheList_0.000_10.000.wav"].sort());
    assert.equal(result.unreadable.length, 3);
    const [corrupt, empty, long] = result.unreadable;
    assert.ok(long.filename.startsWith(s5.ytid) && /11\.0 min long \(FLAC header\), over the 10\.0 min limit/.test(long.reason), long.reason);
    assert.ok(corrupt.filename.startsWith(s2.ytid) && corrupt.reason.includes(s2.ytid) && /cannot decode/.test(corrupt.reason), corrupt.reason);
    assert.ok(empty.filename.startsWith(s3.ytid) && /empty file/.test(empty.reason));

    // Written next to the audio folder: filenames become relative to the manifest and resolve back.
    const manifestPath = join(dir, "balanced.tsv");
    writeManifest(manifestPath, result.rows);
    const text = readFileSync(manifestPath, "utf8").split("\n");
    assert.equal(text[0], "filename\tlabels\tduration");
    assert.equal(text[1], `audio/${s0.ytid}_${s0.startText}_${s0.endText}.wav\t${s0.labels.join(";")}\t3.05`);
    const back = readManifest(manifestPath);
    assert.deepEqual(back.map((r) => [r.labels, r.duration, r.path]), result.rows.map((r) => [r.labels, r.duration, r.path]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("readManifest accepts the reference's TSV (extra hdf5path column) and names file:line on bad rows", () => {
  const dir = mkdtempSync(join(tmpdir(), "psl-manifest-"));
  try {
    const path = join(dir, "balanced.csv");
    writeFileSync(path, "filename\tlabels\tduration\thdf5path\n/data/a.wav\t0;137\t10.0\tbalanced.h5\nb.wav\t5\t9.9\tbalanced.h5\n");
    const rows = readManifest(path);
    assert.deepEqual(rows, [
      { filename: "/data/a.wav", labels: [0, 137], duration: 10, path: "/data/a.wav", hdf5path: join(dir, "balanced.h5"), source: { manifest: path, line: 2 } },
      { filename: "b.wav", labels: [5], duration: 9.9, path: join(dir, "b.wav"), hdf5path: join(dir, "balanced.h5"), source: { manifest: path, line: 3 } },
    ]);
    writeFileSync(path, "filename\tlabels\tduration\na.wav\t0;x\t10\n");
    assert.throws(() => readManifest(path), (e: unknown) => e instanceof UserError && e.message.endsWith(`balanced.csv:2: bad label index "x" in "0;x" (class indices are decimal integers)`));
    // Number() would read these as classes 100, 16, 2 and 1: only decimal digits are class indices.
    for (const label of ["1e2", "0x10", "2.0", "+1", "1_0"]) {
      writeFileSync(path, `filename\tlabels\tduration\na.wav\t${label}\t10\n`);
      assert.throws(() => readManifest(path), new RegExp(`balanced\\.csv:2: bad label index "${label.replace(/[.+]/g, "\\$&")}"`), label);
    }
    // One file spelled two ways is a clip listed twice (was: one of the two rows silently dropped later).
    writeFileSync(path, "filename\tlabels\tduration\na.wav\t0\t10\nsub/../a.wav\t1\t10\n./a.wav\t1\t10\n");
    assert.throws(() => readManifest(path), /balanced\.csv:3: "sub\/\.\.\/a\.wav" is the same file as "a\.wav" on line 2 \(a clip listed twice\)/);
    // Classic-Mac line endings (CR only) read as lines, not as one garbled record.
    writeFileSync(path, "filename\tlabels\tduration\ra.wav\t0\t10\rb.wav\t1;2\t9.5\r");
    assert.deepEqual(readManifest(path).map((r) => [r.filename, r.labels, r.duration, r.source?.line]), [["a.wav", [0], 10, 2], ["b.wav", [1, 2], 9.5, 3]]);
    writeFileSync(path, "filename\tduration\na.wav\t10\n");
    assert.throws(() => readManifest(path), /header lacks column\(s\) labels/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

