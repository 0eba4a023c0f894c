/**
 * Whole-batch BatchNorm statistics across data-parallel shards (what PyTorch calls SyncBatchNorm).
 *
 * The worker-thread trainer (lib/engine/trainer.ts) splits a batch into contiguous shards, one per worker. Without
 * synchronisation each BatchNorm would normalise its shard with the shard's own statistics, so the model would depend
 * on the worker count. Instead, inside every training-mode BatchNorm each shard publishes its per-channel partial
 * statistics, waits for the others, and combines all shards' partials **in shard order** in float64: every shard gets
 * bit-identical whole-batch statistics, and the worker count changes only float rounding.
 *
 * - forward: (count, mean, M2 = Σ(x − mean)²) per shard, merged pairwise in shard order (Chan et al.'s parallel
 *   variance update; no catastrophic cancellation);
 * - backward: Σg and Σg·x̂ per channel (g = dy through the ReLU6 mask), summed in shard order.
 *
 * The exchange is a SharedArrayBuffer every worker maps: a header of Int32 counters (a generation barrier) and two
 * halves of per-shard float64 slots. Call k writes and reads half k mod 2, where k = the barrier generation at the
 * time of writing (the same for every participant, as no shard can pass barrier k before all arrived): a shard can
 * be at most one call ahead of a slower one, so the half it writes is never the half being read.
 */

/** The exchange of one training step, as seen by one shard. */
export interface ShardExchange {
  /** This shard's index (0-based) and the number of shards taking part in this step. */
  readonly shard: number;
  readonly shards: number;
  /** Items (samples) in this shard and in the whole batch. */
  readonly shardItems: number;
  readonly batchItems: number;
  /** Every shard's `local` vector, in shard order (this shard's own included). Blocks until every shard gave its own. */
  allGather(local: Float64Array): Float64Array[];
}

let active: ShardExchange | undefined;

/** The exchange of the step being computed in this thread, if any (read by the BatchNorm ops and kernels). */
export function activeShardExchange(): ShardExchange | undefined {
  return active;
}

/** Runs `f` (one shard's forward + backward) with `exchange` active; single-shard exchanges are skipped entirely. */
export function withShardExchange<T>(exchange: ShardExchange | undefined, f: () => T): T {
  const previous = active;
  active = exchange && exchange.shards > 1 ? exchange : undefined;
  try {
    return f();
  } finally {
    active = previous;
  }
}

/** Whole-batch rows of a BatchNorm input from this shard's rows (every item has the same number of rows). */
export function batchRows(exchange: ShardExchange, shardRows: number): number {
  return (shardRows / exchange.shardItems) * exchange.batchItems;
}

/**
 * Whole-batch per-channel mean and biased variance from this shard's count, mean and M2 (float64), merged in shard
 * order. Returns float64 arrays; `rows` is the whole batch's count.
 */
export function wholeBatchMoments(exchange: ShardExchange, rows: number, mean: Float64Array, m2: Float64Array): { rows: number; mean: Float64Array; variance: Float64Array } {
  const C = mean.length;
  const local = new Float64Array(1 + 2 * C);
  local[0] = rows;
  local.set(mean, 1);
  local.set(m2, 1 + C);
  const parts = exchange.allGather(local);
  let n = parts[0][0];
  const m = parts[0].slice(1, 1 + C);
  const s = parts[0].slice(1 + C, 1 + 2 * C);
  for (let p = 1; p < parts.length; p++) {
    const nb = parts[p][0], total = n + nb;
    for (let c = 0; c < C; c++) {
      const delta = parts[p][1 + c] - m[c];
      m[c] += (delta * nb) / total;
      s[c] += parts[p][1 + C + c] + ((delta * delta * n) / total) * nb;
    }
    n = total;
  }
  const variance = new Float64Array(C);
  for (let c = 0; c < C; c++) variance[c] = s[c] > 0 ? s[c] / n : 0;
  return { rows: n, mean: m, variance };
}

/** Whole-batch per-channel sums of two vectors (float64), added in shard order. */
export function wholeBatchSums(exchange: ShardExchange, a: Float64Array, b: Float64Array): { a: Float64Array; b: Float64Array } {
  const C = a.length;
  const local = new Float64Array(2 * C);
  local.set(a, 0);
  local.set(b, C);
  const parts = exchange.allGather(local);
  const sa = new Float64Array(C), sb = new Float64Array(C);
  for (const part of parts) {
    for (let c = 0; c < C; c++) {
      sa[c] += part[c];
      sb[c] += part[C + c];
    }
  }
  return { a: sa, b: sb };
}

// ---------------------------------------------------------------- the shared-memory exchange

const GENERATION = 0, ARRIVED = 1, ABORTED = 2, MAX_SHARDS = 3, MAX_VALUES = 4;
const HEADER_BYTES = 32;
/** A waiting shard re-checks the abort flag this often (ms); a normal wake-up is immediate (Atomics.notify). */
const WAIT_SLICE_MS = 250;

/** Thrown in every waiting shard when another shard failed (or the trainer stopped) mid-step. */
export class ExchangeAborted extends Error {}

/** The shared buffer for up to `maxShards` shards exchanging at most `maxValues` float64 values each per call. */
export function createExchangeBuffer(maxShards: number, maxValues: number): SharedArrayBuffer {
  const buffer = new SharedArrayBuffer(HEADER_BYTES + 2 * maxShards * maxValues * 8);
  const header = new Int32Array(buffer, 0, HEADER_BYTES / 4);
  header[MAX_SHARDS] = maxShards;
  header[MAX_VALUES] = maxValues;
  return buffer;
}

/** Values per shard slot for a model whose widest BatchNorm has `channels` channels (forward: 1 + 2C). */
export const exchangeValuesFor = (channels: number): number => 1 + 2 * channels;

/** Releases every shard waiting on `buffer` with an ExchangeAborted error (a worker failed or the trainer stopped). */
export function abortExchange(buffer: SharedArrayBuffer): void {
  const header = new Int32Array(buffer, 0, HEADER_BYTES / 4);
  Atomics.store(header, ABORTED, 1);
  Atomics.notify(header, GENERATION);
}

/** One shard's view of the exchange buffer for one step. */
export function sharedExchange(buffer: SharedArrayBuffer, shard: number, shards: number, shardItems: number, batchItems: number): ShardExchange {
  const header = new Int32Array(buffer, 0, HEADER_BYTES / 4);
  const maxShards = header[MAX_SHARDS], maxValues = header[MAX_VALUES];
  if (shards > maxShards || shard < 0 || shard >= shards) throw new Error(`BatchNorm exchange: shard ${shard} of ${shards} (room for ${maxShards})`);
  const slot = (half: number, s: number) => new Float64Array(buffer, HEADER_BYTES + (half * maxShards + s) * maxValues * 8, maxValues);
  const checkAborted = () => {
    if (Atomics.load(header, ABORTED) !== 0) throw new ExchangeAborted("BatchNorm exchange: another train worker failed or the trainer stopped mid-step");
  };
  return {
    shard, shards, shardItems, batchItems,
    allGather(local) {
      if (local.length > maxValues) throw new Error(`BatchNorm exchange: ${local.length} values exceed the slot size ${maxValues}`);
      checkAborted();
      const generation = Atomics.load(header, GENERATION);
      const half = generation & 1;
      slot(half, shard).set(local);
      // Barrier: the last shard to arrive resets the count and opens the next generation.
      if (Atomics.add(header, ARRIVED, 1) === shards - 1) {
        Atomics.store(header, ARRIVED, 0);
        Atomics.add(header, GENERATION, 1);
        Atomics.notify(header, GENERATION);
      } else {
        while (Atomics.load(header, GENERATION) === generation) {
          checkAborted();
          Atomics.wait(header, GENERATION, generation, WAIT_SLICE_MS);
        }
      }
      checkAborted();
      return Array.from({ length: shards }, (_, s) => slot(half, s).slice(0, local.length));
    },
  };
}
