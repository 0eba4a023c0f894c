import { test } from "node:test";
import assert from "node:assert/strict";
import { chunkFrames, chunkManifest, cutChunks } from "../../lib/data/chunks";
import { framesForSeconds } from "../../lib/audio/frontend";
import { UserError } from "../../lib/errors";

const spans = (duration: number, chunk: number, hop?: number) => cutChunks(duration, chunk, hop).map((c) => [c.from, c.to]);

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
  assert.deepEqual(spans(10.02, 5), [[0, 5], [5, 10], [10, 10.02]]); // like numpy.arange(0, 10.02, 5)
  assert.deepEqual(spans(1.2, 0.5), [[0, 0.5], [0.5, 1], [1, 1.2]]);
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
  // A manifest duration rounded up past the real audio is clamped to the clip's frames.
  const last = cutChunks(10.04, 5).at(-1)!;
  assert.deepEqual(chunkFrames(last, clipFrames), { start: 1000, end: 1001 });
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
