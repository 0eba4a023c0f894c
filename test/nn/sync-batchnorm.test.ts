/**
 * The whole-batch BatchNorm exchange (lib/nn/sync-batchnorm.ts): worker threads see every shard's vector in shard
 * order, call after call; the merged moments and sums equal float64 statistics of the concatenated batch; a shard that
 * fails releases the others instead of leaving them blocked.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { Worker } from "node:worker_threads";
import {
  abortExchange, createExchangeBuffer, sharedExchange, wholeBatchMoments, wholeBatchSums, type ShardExchange,
} from "../../lib/nn/sync-batchnorm";
import { seeded } from "./helpers";

const MODULE = require.resolve("../../lib/nn/sync-batchnorm");

/** Runs `body` (JavaScript, with `exchange` and `shard` in scope) in a worker thread per shard; resolves their messages. */
function runShards(buffer: SharedArrayBuffer, shards: number, body: string, started = shards): Promise<unknown[]> {
  return Promise.all(Array.from({ length: started }, (_, shard) => new Promise((resolve, reject) => {
    const source = `require(${JSON.stringify(require.resolve("tsx/cjs/api"))}).register();
      const { parentPort, workerData } = require("node:worker_threads");
      const sync = require(${JSON.stringify(MODULE)});
      const shard = workerData.shard;
      const exchange = sync.sharedExchange(workerData.buffer, shard, ${shards}, 1, ${shards});
      try { parentPort.postMessage((() => { ${body} })()); } catch (error) { parentPort.postMessage({ error: error.constructor.name + ": " + error.message }); }`;
    const worker = new Worker(source, { eval: true, workerData: { buffer, shard } });
    worker.once("message", (m) => {
      resolve(m);
      void worker.terminate();
    });
    worker.once("error", reject);
  })));
}

test("three worker threads: every call returns every shard's vector, in shard order (2000 calls, varying lengths)", async () => {
  const buffer = createExchangeBuffer(3, 16);
  const results = await runShards(buffer, 3, `
    let wrong = 0;
    for (let k = 0; k < 2000; k++) {
      const n = 1 + (k % 16);
      const parts = exchange.allGather(Float64Array.from({ length: n }, (_, i) => k * 1000 + shard * 100 + i));
      for (let p = 0; p < 3; p++) for (let i = 0; i < n; i++) if (parts[p][i] !== k * 1000 + p * 100 + i) wrong++;
    }
    return wrong;`);
  assert.deepEqual(results, [0, 0, 0]);
});

test("a failing shard releases the others: waiting shards throw ExchangeAborted", async () => {
  const buffer = createExchangeBuffer(2, 4);
  // Only shard 0 of 2 runs: it blocks in the barrier until the abort (what a worker that died mid-step leaves).
  const waiting = runShards(buffer, 2, "return exchange.allGather(new Float64Array(2));", 1);
  const arrived = new Int32Array(buffer, 0, 2); // header: [generation, shards arrived]
  const t0 = Date.now();
  while (Atomics.load(arrived, 1) === 0) {
    if (Date.now() - t0 > 60_000) assert.fail("the shard never reached the barrier");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  abortExchange(buffer);
  const [result] = (await waiting) as { error?: string }[];
  assert.match(String(result.error), /^ExchangeAborted: .*another train worker failed/);
  // Once aborted, every later call fails at once (the trainer is unusable after a worker failure).
  assert.throws(() => sharedExchange(buffer, 0, 1, 1, 1).allGather(new Float64Array(1)), /another train worker failed/);
});

/** An exchange over precomputed parts (what the other shards would contribute), for the pure merging functions. */
function fixedExchange(parts: (local: Float64Array) => Float64Array[]): ShardExchange {
  return { shard: 0, shards: 3, shardItems: 2, batchItems: 6, allGather: parts };
}

test("merged moments and sums equal float64 statistics of the concatenated batch (uneven shards, large offset)", () => {
  const C = 5;
  const shardRows = [7, 3, 11];
  const shards = shardRows.map((rows, s) => Array.from(seeded(rows * C, 40 + s), (v, i) => 1000 + (i % C) + 3 * v));
  const local = (x: number[], rows: number) => {
    const mean = new Float64Array(C), m2 = new Float64Array(C);
    for (let r = 0; r < rows; r++) for (let c = 0; c < C; c++) mean[c] += x[r * C + c] / rows;
    for (let r = 0; r < rows; r++) for (let c = 0; c < C; c++) m2[c] += (x[r * C + c] - mean[c]) ** 2;
    return { mean, m2 };
  };
  const payloads = shards.map((x, s) => {
    const { mean, m2 } = local(x, shardRows[s]);
    return Float64Array.from([shardRows[s], ...mean, ...m2]);
  });
  const first = local(shards[0], shardRows[0]);
  const merged = wholeBatchMoments(fixedExchange(() => payloads), shardRows[0], first.mean, first.m2);
  const all = shards.flat(), rows = all.length / C;
  const whole = local(all, rows);
  assert.equal(merged.rows, rows);
  for (let c = 0; c < C; c++) {
    assert.ok(Math.abs(merged.mean[c] - whole.mean[c]) < 1e-12 * 1000, `mean[${c}]`);
    assert.ok(Math.abs(merged.variance[c] - whole.m2[c] / rows) < 1e-10, `variance[${c}] ${merged.variance[c]} vs ${whole.m2[c] / rows}`);
  }
  const sums = wholeBatchSums(fixedExchange(() => [Float64Array.from([1, 2, 10, 20]), Float64Array.from([3, 4, 30, 40]), Float64Array.from([5, 6, 50, 60])]), Float64Array.from([1, 2]), Float64Array.from([10, 20]));
  assert.deepEqual([...sums.a, ...sums.b], [9, 12, 90, 120]);
});
