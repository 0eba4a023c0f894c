/** exampleClip: the one clip notebooks 01–04 follow is chosen by what it can show, the same way every time. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { exampleClip, type SeriesData } from "../../lib/series";

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
