/** bench/frontend.ts with few repeats: figures consistent with each other; the feature-cache benchmark cleans up. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { benchFeatureCache, benchFrontEnd, torchaudioMsPer10sClip } from "../../bench/frontend";

test("benchFrontEnd: real-time factor = 10 s / median ms per clip; the fastest repeat is no slower than the median", async () => {
  const r = await benchFrontEnd({ repeats: 3, torchaudio: false });
  assert.ok(r.msPer10sClip > 0 && r.cpuMsPer10sClip > 0 && r.resampleMsPer10sAt44k > 0);
  assert.ok(Math.abs(r.realtimeFactor * r.msPer10sClip - 10_000) < 1e-6);
  assert.ok(r.minMsPer10sClip <= r.msPer10sClip);
  assert.equal(r.torchaudioMsPer10sClip, undefined, "torchaudio: false skips the reference");
});

test("benchFeatureCache builds and reads a cache of real WAV clips in a temp folder it removes", async () => {
  const before = readdirSync(tmpdir()).filter((f) => f.startsWith("psl-bench-cache-")).length;
  const r = await benchFeatureCache(3);
  assert.equal(r.clips, 3);
  assert.ok(r.buildClipsPerSecond > 0 && r.chunkReadsPerSecond > 0);
  assert.equal(readdirSync(tmpdir()).filter((f) => f.startsWith("psl-bench-cache-")).length, before);
});

test("the torchaudio reference runs bench/reference/torchaudio_melspec.py when Debian's torchaudio is there", { skip: process.env.PSL_BENCH_TORCHAUDIO ? undefined : "set PSL_BENCH_TORCHAUDIO=1 (needs /usr/bin/python3 with torchaudio)" }, () => {
  const r = torchaudioMsPer10sClip();
  assert.ok(r && r.wallMs > 0 && r.cpuMs > 0, "torchaudio figures");
});
