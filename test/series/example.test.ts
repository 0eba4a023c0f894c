/** exampleClip: the one clip notebooks 01–04 follow is chosen by what it can show, the same way every time. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { chunkBatch, exampleClip, type SeriesData } from "../../lib/series";
import { resolveConfig } from "../../lib/psl/config";
import { memoryFeatureSource } from "../../lib/psl/features";
import type { PslTable } from "../../lib/psl/table";
import { N_MELS } from "../../lib/audio/frontend";

function fakeSeries(): SeriesData {
  const row = (filename: string, labels: number[]) => ({ filename, labels, duration: 10, path: `/audio/${filename}` });
  return {
    data: { studentTrain: [row("a.wav", [1]), row("b.wav", [2]), row("c.wav", [3, 4])] },
    truth: { balanced: [row("a.wav", [1]), row("b.wav", [2, 5]), row("c.wav", [3, 4, 6])] },
    strong: new Map([
      ["a.wav", [{ filename: "a.wav", onset: 0, offset: 1, label: 1 }]],
      ["b.wav", [{ filename: "b.wav", onset: 0, offset: 1, label: 2 }]],
      ["c.wav", [{ filename: "c.wav", onset: 5, offset: 6, label: 6 }, { filename: "c.wav", onset: 1, offset: 2, label: 3 }]],
    ]),
  } as unknown as SeriesData;
}

test("the first clip with two sounding classes and a missing weak label; its events in time order", () => {
  const clip = exampleClip(fakeSeries());
  assert.equal(clip.filename, "c.wav", "a.wav misses nothing, b.wav has one sounding class");
  assert.deepEqual(clip.weak, [3, 4]);
  assert.deepEqual(clip.truth, [3, 4, 6]);
  assert.deepEqual(clip.events.map((e) => e.onset), [1, 5]);
  assert.equal(clip.path, "/audio/c.wav");
});

test("a clip by name, or a clear error", () => {
  assert.equal(exampleClip(fakeSeries(), "a.wav").filename, "a.wav");
  assert.throws(() => exampleClip(fakeSeries(), "z.wav"), /no clip "z.wav" in the student-training split/);
});

test("chunkBatch: a clip's chunks as one training batch — PSL-table rows, inputs padded as annotation pads them", () => {
  const C = 3;
  const logMel = (frames: number, value: number) => ({ data: new Float32Array(frames * N_MELS).fill(value), frames });
  const clips = new Map([["long.wav", logMel(1001, 1)], ["short.wav", logMel(441, 2)]]);
  const series = {
    config: resolveConfig({}),
    data: {
      studentTrain: [{ filename: "long.wav", labels: [0], duration: 10 }, { filename: "short.wav", labels: [2], duration: 4.4 }],
      features: memoryFeatureSource(clips),
    },
  } as unknown as SeriesData;
  // PSL table rows for short.wav's 2-s chunks (0–2, 2–4, and 4–4.4 dropped: shorter than half a chunk), scores by row.
  const table = {
    numClasses: C, filenames: ["short.wav", "short.wav"], chunkIndex: Int32Array.from([0, 1]), weak: [[2], [2]],
    probs: Float32Array.from([0.1, 0.2, 0.9, 0.3, 0.4, 0.8]),
  } as unknown as PslTable;
  const batch = chunkBatch(series, table, 2, ["short.wav"]);
  assert.deepEqual(batch.chunks.map((c) => [c.chunk, c.from, c.to]), [[0, 0, 2], [1, 2, 4]]);
  assert.deepEqual(batch.inputs.map((i) => i.frames), [201, 201], "a full 2-s chunk's frames");
  assert.deepEqual(Array.from(batch.teacher), Array.from(table.probs));
  assert.deepEqual(Array.from(batch.weak), [0, 0, 1, 0, 0, 1]);
  assert.throws(() => chunkBatch(series, table, 2, ["long.wav"]), /chunk 0 of long\.wav is not in the PSL table/);
});
