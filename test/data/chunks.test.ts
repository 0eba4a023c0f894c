import { test } from "node:test";
import assert from "node:assert/strict";
import { chunkFrames, chunkManifest, cutChunks, roundDuration } from "../../lib/data/chunks";
import { framesForSeconds } from "../../lib/audio/frontend";
import { UserError } from "../../lib/errors";

const spans = (duration: number, chunk: number, hop?: number, min?: number) => cutChunks(duration, chunk, hop, min).map((c) => [c.from, c.to]);

test("10 s clip cut into 10/5/2/1/0.5 s chunks", () => {
  assert.deepEqual(spans(10, 10), [[0, 10]]);
  assert.deepEqual(spans(10, 5), [[0, 5], [5, 10]]);
  assert.deepEqual(spans(10, 2), [[0, 2], [2, 4], [4, 6], [6, 8], [8, 10]]);
  assert.equal(cutChunks(10, 1).length, 10);
  const halves = cutChunks(10, 0.5);
  assert.equal(halves.length, 20);
  assert.deepEqual(halves.map((c) => c.index), Array.from({ length: 20 }, (_, i) => i));
  assert.deepEqual([halves[19].from, halves[19].to], [9.5, 10]);
});

test("durations that are not a multiple of the chunk: the last chunk is cut at the clip's end", () => {
  assert.deepEqual(spans(9.7, 2), [[0, 2], [2, 4], [4, 6], [6, 8], [8, 9.7]]);
  assert.deepEqual(spans(3.3, 5), [[0, 3.3]]);
  assert.deepEqual(spans(1.2, 0.5), [[0, 0.5], [0.5, 1], [1, 1.2]]);
});

test("durations are rounded to 0.1 s first, as the reference's label lists hold them", () => {
  // Without rounding, numpy.arange(0, 10.02, 2) would add a sixth chunk of 0.02 s (3 frames) with a meaningless target.
  assert.deepEqual(spans(10.02, 2), [[0, 2], [2, 4], [4, 6], [6, 8], [8, 10]]);
  assert.deepEqual(spans(10.02, 5), [[0, 5], [5, 10]]);
  assert.deepEqual(spans(9.96, 2).at(-1), [8, 10]);
  assert.deepEqual(spans(9.4, 2), [[0, 2], [2, 4], [4, 6], [6, 8], [8, 9.4]]);
  assert.deepEqual(spans(4.0, 2), [[0, 2], [2, 4]]);
  assert.deepEqual(spans(4.04, 2), [[0, 2], [2, 4]]);
  assert.deepEqual(spans(0.04, 2), [[0, 0.1]], "a positive duration keeps one chunk of one rounding step");
  assert.equal(roundDuration(9.449), 9.4);
  assert.equal(roundDuration(9.451), 9.5);
});

test("chunks after the first shorter than the minimum are dropped; the first is always kept", () => {
  assert.deepEqual(spans(9.4, 2, 2, 1), [[0, 2], [2, 4], [4, 6], [6, 8], [8, 9.4]], "1.4 s ≥ 1 s: kept");
  assert.deepEqual(spans(8.9, 2, 2, 1), [[0, 2], [2, 4], [4, 6], [6, 8]], "0.9 s < 1 s: dropped");
  assert.deepEqual(spans(9, 2, 2, 1), [[0, 2], [2, 4], [4, 6], [6, 8], [8, 9]], "exactly the minimum: kept");
  assert.deepEqual(spans(0.6, 2, 2, 1), [[0, 0.6]], "a clip shorter than the minimum is one chunk");
  assert.deepEqual(spans(10.4, 10, 10, 5), [[0, 10]]);
  assert.deepEqual(spans(5, 2, 1, 1.5).map(([from]) => from), [0, 1, 2, 3], "overlapping chunks: the 1-s one from 4 s is dropped");
  assert.throws(() => cutChunks(10, 2, 2, -1), /minChunkSeconds must be a finite number ≥ 0/);
});

test("hop shorter than the chunk gives overlapping chunks; hop defaults to the chunk", () => {
  assert.deepEqual(spans(5, 2, 1), [[0, 2], [1, 3], [2, 4], [3, 5], [4, 5]]);
  assert.deepEqual(spans(5, 2), spans(5, 2, 2));
});

test("invalid parameters → UserError naming the parameter", () => {
  for (const [args, name] of [
    [[10, 0], "chunkSeconds"],
    [[10, -1], "chunkSeconds"],
    [[10, Number.NaN], "chunkSeconds"],
    [[10, 2, 0], "hopSeconds"],
    [[0, 2], "durationSeconds"],
    [[Number.POSITIVE_INFINITY, 2], "durationSeconds"],
  ] as [number[], string][]) {
    assert.throws(() => cutChunks(args[0], args[1], args[2]), (e: unknown) => e instanceof UserError && e.message.startsWith(name));
  }
});

test("chunkFrames: frame ranges in the clip log-mel (100 frames/s, 1 + floor(samples/160) frames per chunk)", () => {
  const clipFrames = framesForSeconds(10); // 1001
  const frames = cutChunks(10, 2).map((c) => chunkFrames(c, clipFrames));
  assert.deepEqual(frames, [
    { start: 0, end: 201 },
    { start: 200, end: 401 },
    { start: 400, end: 601 },
    { start: 600, end: 801 },
    { start: 800, end: 1001 },
  ]);
  // Every chunk has as many frames as the reference's front-end produces for the chunk's samples.
  for (const chunk of cutChunks(10, 0.5)) {
    const { start, end } = chunkFrames(chunk, clipFrames);
    assert.equal(end - start, framesForSeconds(chunk.to - chunk.from));
  }
  // A chunk end past the real audio (a duration rounded up) is clamped to the clip's frames.
  assert.deepEqual(chunkFrames({ index: 2, from: 10, to: 10.04 }, clipFrames), { start: 1000, end: 1001 });
  assert.deepEqual(chunkFrames(cutChunks(9.96, 2).at(-1)!, framesForSeconds(9.96)), { start: 800, end: 997 });
  assert.throws(() => chunkFrames({ index: 3, from: 20, to: 22 }, clipFrames), /beyond the clip's 1001 frames/);
});

test("chunkManifest: each chunk inherits its clip's weak labels", () => {
  const chunks = chunkManifest(
    [
      { filename: "a.wav", labels: [0, 5], duration: 10 },
      { filename: "b.wav", labels: [3], duration: 3 },
    ],
    2,
  );
  assert.equal(chunks.length, 5 + 2);
  assert.deepEqual(chunks.slice(5).map((c) => [c.clip, c.filename, c.labels, c.from, c.to]), [
    [1, "b.wav", [3], 0, 2],
    [1, "b.wav", [3], 2, 3],
  ]);
  assert.ok(chunks.slice(0, 5).every((c) => c.labels.join() === "0,5"));
});
