import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../lib/cli";
import { writeWav } from "../../lib/audio/wav";
import { readClassLabels } from "../../lib/data/classes";
import { readManifest } from "../../lib/data/manifest";

const SEGMENTS = "data-manifests/audioset/balanced_train_segments.csv";
const CLASSES = readClassLabels("data-manifests/audioset/class_labels_indices.csv");

async function capture(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = console.log;
  const error = console.error;
  const write = process.stderr.write.bind(process.stderr);
  console.log = (...a: unknown[]) => void out.push(a.join(" "));
  console.error = (...a: unknown[]) => void err.push(a.join(" "));
  process.stderr.write = ((chunk: string | Uint8Array) => (err.push(String(chunk)), true)) as typeof process.stderr.write;
  try {
    return { code: await main(args), out: out.join("\n"), err: err.join("\n") };
  } finally {
    console.log = log;
    console.error = error;
    process.stderr.write = write;
  }
}

test("psl manifest: a partial download of the real balanced list becomes a manifest; missing and broken clips are counted", async () => {
  const dir = mkdtempSync(join(tmpdir(), "psl-manifest-"));
  try {
    const audio = join(dir, "audio");
    const tone = Float32Array.from({ length: 16000 * 3 }, (_, i) => 0.2 * Math.sin((2 * Math.PI * 440 * i) / 16000));
    writeWav(join(audio, "--ZhevVpy1s_50.000_60.000.wav"), tone, 16000); // listed: /m/012xff
    writeFileSync(join(audio, "--aE2O5G5WE_0.000_10.000.wav"), "not audio at all"); // listed, unreadable
    writeWav(join(audio, "not-in-any-list_0_10.wav"), tone, 16000); // unlisted
    const out = join(dir, "balanced.tsv");
    const run = await capture(["manifest", "--audio-dir", audio, "--segments", SEGMENTS, "--out", out]);
    assert.equal(run.code, 0, run.err);
    const listed = readFileSync(SEGMENTS, "utf8").split("\n").filter((l) => l.trim() !== "" && !l.startsWith("#")).length;
    assert.match(run.out, new RegExp(`1 clips of ${listed} listed`));
    assert.match(run.out, new RegExp(`missing \\(listed, not on disk\\): ${listed - 2}`));
    assert.match(run.out, /unlisted \(on disk, in no segment\): 1/);
    assert.match(run.out, /unreadable: 1/);
    assert.match(run.out, /unreadable --aE2O5G5WE_0\.000_10\.000\.wav/);
    const rows = readManifest(out);
    assert.equal(rows.length, 1);
    assert.equal(rows[0].filename, "audio/--ZhevVpy1s_50.000_60.000.wav");
    assert.deepEqual(rows[0].labels, [CLASSES.find((c) => c.mid === "/m/012xff")!.index]);
    assert.ok(Math.abs(rows[0].duration - 3) < 1e-6);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("psl manifest: an empty match is an error naming the folder, missing flags print the usage", async () => {
  const dir = mkdtempSync(join(tmpdir(), "psl-manifest-"));
  try {
    const none = await capture(["manifest", "--audio-dir", dir, "--segments", SEGMENTS, "--out", join(dir, "x.tsv")]);
    assert.equal(none.code, 2);
    assert.match(none.err, new RegExp(`${dir}: none of the \\d+ segments`));
    const flags = await capture(["manifest", "--audio-dir", dir]);
    assert.equal(flags.code, 2);
    assert.match(flags.err, /--audio-dir, --segments and --out are required/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
