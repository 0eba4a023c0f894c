import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildFeatureCache, openFeatureCache } from "../../lib/data/feature-cache";
import { decodeAudioFile } from "../../lib/audio/decode";
import { logMel } from "../../lib/audio/melspec";
import { writeWav } from "../../lib/audio/wav";
import { chunkFrames, cutChunks } from "../../lib/data/chunks";
import type { ManifestRow } from "../../lib/data/manifest";
import { UserError } from "../../lib/errors";
import { N_MELS, SAMPLE_RATE } from "../../lib/audio/frontend";

const ENCODED = join(__dirname, "../fixtures/audio/encoded");

function setup() {
  const dir = mkdtempSync(join(tmpdir(), "psl-cache-"));
  const noise = Float32Array.from({ length: SAMPLE_RATE * 3 + 37 }, (_, i) => 0.2 * Math.sin(i * 0.37) * Math.cos(i * 0.0011));
  writeWav(join(dir, "a.wav"), noise, SAMPLE_RATE);
  copyFileSync(join(ENCODED, "sine440_44k.ogg"), join(dir, "b.ogg"));
  copyFileSync(join(ENCODED, "not_audio.wav"), join(dir, "broken.wav"));
  const rows: ManifestRow[] = ["a.wav", "b.ogg", "broken.wav", "gone.wav"].map((filename) => ({ filename, labels: [1], duration: 1, path: join(dir, filename) }));
  return { dir, rows, cacheDir: join(dir, "cache") };
}

test("cache holds each clip's log-mel; chunks read back by offset equal the front-end's frames", async () => {
  const { dir, rows, cacheDir } = setup();
  try {
    const progress: number[] = [];
    const cache = await buildFeatureCache(rows, cacheDir, { onProgress: (p) => progress.push(p.done) });
    assert.deepEqual(cache.filenames.sort(), ["a.wav", "b.ogg"]);
    assert.deepEqual(cache.skipped.map((s) => s.filename), ["broken.wav", "gone.wav"]);
    assert.match(cache.skipped[0].reason, /broken\.wav: cannot decode audio/);
    assert.match(cache.skipped[1].reason, /gone\.wav: no such audio file/);
    assert.equal(progress.at(-1), 4);
    const expected = logMel((await decodeAudioFile(join(dir, "a.wav"))).samples);
    assert.equal(cache.clipFrames("a.wav"), expected.frames);
    assert.deepEqual(cache.readClip("a.wav"), expected.data);
    for (const chunk of cutChunks(3.002, 0.5)) {
      const { start, end } = chunkFrames(chunk, cache.clipFrames("a.wav"));
      assert.deepEqual(cache.readFrames("a.wav", start, end), expected.data.subarray(start * N_MELS, end * N_MELS));
    }
    assert.throws(() => cache.readFrames("a.wav", 400, 410), /out of range/);
    assert.throws(() => cache.readClip("gone.wav"), /not cached/);
    cache.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("resumable: a rebuild recomputes only new or changed clips; strict mode throws on bad audio", async () => {
  const { dir, rows, cacheDir } = setup();
  try {
    const first = await buildFeatureCache(rows.slice(0, 1), cacheDir);
    const before = first.readClip("a.wav");
    first.close();
    let computed = -1;
    const second = await buildFeatureCache(rows.slice(0, 2), cacheDir, { onProgress: (p) => (computed = p.computed) });
    assert.equal(computed, 1); // only b.ogg
    assert.deepEqual(second.readClip("a.wav"), before);
    second.close();
    // Change a.wav (new content and mtime): it is recomputed.
    writeWav(join(dir, "a.wav"), new Float32Array(8000).fill(0.1), SAMPLE_RATE);
    utimesSync(join(dir, "a.wav"), new Date(), new Date(Date.now() + 5000));
    const third = await buildFeatureCache(rows.slice(0, 2), cacheDir, { onProgress: (p) => (computed = p.computed) });
    assert.equal(computed, 1);
    assert.equal(third.clipFrames("a.wav"), 51);
    third.close();
    assert.ok(readdirSync(cacheDir).every((f) => f === "index.json" || /^shard-\d+\.bin$/.test(f))); // no temp files left
    await assert.rejects(buildFeatureCache(rows, cacheDir, { strict: true }), /broken\.wav: cannot decode audio/);
    // A folder without an index is not a cache.
    assert.throws(() => openFeatureCache(join(dir, "nowhere")), /no feature cache here/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("int16 centi-dB encoding: half the bytes, every value within 0.005 dB", async () => {
  const { dir, rows, cacheDir } = setup();
  try {
    const cache = await buildFeatureCache(rows.slice(0, 1), cacheDir, { encoding: "int16-centidb" });
    const exact = logMel((await decodeAudioFile(join(dir, "a.wav"))).samples).data;
    const stored = cache.readClip("a.wav");
    let maxDiff = 0;
    for (let i = 0; i < exact.length; i++) maxDiff = Math.max(maxDiff, Math.abs(stored[i] - exact[i]));
    assert.ok(maxDiff <= 0.005 + 1e-5, `max diff ${maxDiff}`); // + float32 rounding of values near 100 dB
    assert.equal(statSync(join(cacheDir, "shard-0.bin")).size, cache.clipFrames("a.wav") * N_MELS * 2);
    assert.equal(openFeatureCache(cacheDir).encoding, "int16-centidb");
    cache.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("one name, two files: refused before anything is computed; the same name from another folder is another clip", async () => {
  const { dir, rows, cacheDir } = setup();
  try {
    // Two manifests in different folders, both listing "audio/x.wav" (relative to their own folder).
    const other = mkdtempSync(join(tmpdir(), "psl-cache-other-"));
    try {
      writeWav(join(other, "a.wav"), new Float32Array(8000).fill(0.05), SAMPLE_RATE);
      const clash: ManifestRow[] = [rows[0], { filename: "a.wav", labels: [2], duration: 0.5, path: join(other, "a.wav") }];
      await assert.rejects(buildFeatureCache(clash, cacheDir), (error: unknown) => {
        assert.ok(error instanceof UserError);
        assert.equal(
          error.message,
          `feature cache: two different files are both named "a.wav" in the manifests (${join(dir, "a.wav")} and ${join(other, "a.wav")}); ` +
            "clips are identified by their manifest filename, so make the names unique across manifests (e.g. absolute paths)",
        );
        return true;
      });
      // The same row twice (one clip listed by two splits) is fine.
      const twice = await buildFeatureCache([rows[0], rows[0]], cacheDir);
      assert.equal(twice.clipFrames("a.wav"), 301);
      twice.close();
      // A later run whose "a.wav" is another file — even with the same size and mtime — gets that file's features.
      writeWav(join(other, "a.wav"), Float32Array.from({ length: SAMPLE_RATE * 3 + 37 }, (_, i) => 0.1 * Math.sin(i * 0.05)), SAMPLE_RATE);
      const { atime, mtime } = statSync(join(dir, "a.wav"));
      utimesSync(join(other, "a.wav"), atime, mtime);
      const moved = await buildFeatureCache([{ ...rows[0], path: join(other, "a.wav") }], cacheDir);
      const expected = logMel((await decodeAudioFile(join(other, "a.wav"))).samples);
      assert.deepEqual(moved.readClip("a.wav"), expected.data);
      moved.close();
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
