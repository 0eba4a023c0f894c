/** bench/engine.ts on a tiny model: the timings it reports are consistent with each other and with the shapes asked for. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { benchInference, benchTrainStep } from "../../bench/engine";
import { median } from "../../lib/evaluation/median";
import { initBackend } from "../../lib/nn/backend";

test("benchTrainStep times `steps` steps after the warm-up and derives its median and throughput from them", async () => {
  await initBackend({ preferred: "wasm", quiet: true });
  const lines: string[] = [];
  const r = await benchTrainStep({ steps: 3, warmup: 1, batch: 2, chunkSeconds: 0.5, numClasses: 3, widthMult: 0.1, workers: 0, log: (l) => lines.push(l) });
  assert.equal(r.msAll.length, 3);
  assert.ok(r.msAll.every((ms) => ms > 0 && Number.isFinite(ms)));
  assert.equal(r.cpuMsAll.length, 3);
  assert.ok(r.cpuMsAll.every((ms) => ms >= 0 && Number.isFinite(ms)));
  assert.equal(r.msMedian, median(r.msAll));
  assert.equal(r.chunksPerSecond, 2 / (r.msMedian / 1000));
  assert.deepEqual([r.batch, r.chunkSeconds, r.workers], [2, 0.5, 0]);
  assert.deepEqual(lines.map((l) => l.replace(/: \d+ ms$/, "")), ["train step 1/4 (warm-up)", "train step 2/4", "train step 3/4", "train step 4/4"]);
});

test("benchInference reports clips per second of the full-width model on the requested clip length", async () => {
  await initBackend({ preferred: "wasm", quiet: true });
  const r = await benchInference({ steps: 2, batch: 1, clipSeconds: 0.5, numClasses: 3 });
  assert.deepEqual([r.batch, r.clipSeconds], [1, 0.5]);
  assert.ok(r.msMedian > 0);
  assert.equal(r.clipsPerSecond, 1 / (r.msMedian / 1000));
});
