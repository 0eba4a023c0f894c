/**
 * Small seeded pseudo-random generator shared by the samplers, splits and anything else that must be
 * reproducible from a seed. Math.random cannot be seeded, so the kit carries its own.
 *
 * Generator: xoshiro128** (Blackman & Vigna), 128-bit state seeded through splitmix32 so that nearby seeds
 * (0, 1, 2, …) give unrelated streams. It is hand-written because it is ~20 lines, has no dependency and
 * its output must never change between package versions (seeded experiments are compared across releases).
 */
import { UserError } from "../errors";

export interface Rng {
  /** Uniform float in [0, 1) with 32 bits of randomness. */
  next(): number;
  /** Uniform integer in [0, n) without modulo bias; n must be a positive integer ≤ 2^32. */
  int(n: number): number;
  /** Fisher–Yates shuffle IN PLACE; returns the same array for chaining. */
  shuffle<T>(array: T[]): T[];
  /** An independent generator derived from this one (for sub-tasks that must not disturb this stream). */
  fork(): Rng;
}

function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Hashes any JS number (including non-integers and values above 2^32) to a 32-bit seed. */
function seedToUint32(seed: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, seed);
  return (view.getUint32(0) ^ Math.imul(view.getUint32(4), 0x9e3779b1)) >>> 0;
}

export function createRng(seed: number): Rng {
  if (!Number.isFinite(seed)) throw new UserError(`seed must be a finite number, got ${seed}`);
  // Integers below 2^32 seed directly so that `seed: 42` is easy to reason about; others are hashed.
  const start = Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32 ? seed : seedToUint32(seed);
  const mix = splitmix32(start);
  let s0 = mix();
  let s1 = mix();
  let s2 = mix();
  let s3 = mix();
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1; // the all-zero state is a fixed point of xoshiro

  function nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (s1 << 9) >>> 0;
    s2 = (s2 ^ s0) >>> 0;
    s3 = (s3 ^ s1) >>> 0;
    s1 = (s1 ^ s2) >>> 0;
    s0 = (s0 ^ s3) >>> 0;
    s2 = (s2 ^ t) >>> 0;
    s3 = rotl(s3, 11);
    return result;
  }

  const rng: Rng = {
    next: () => nextUint32() / 4294967296,
    int(n: number): number {
      if (!Number.isInteger(n) || n <= 0 || n > 4294967296) {
        throw new UserError(`rng.int(n): n must be a positive integer ≤ 2^32, got ${n}`);
      }
      // Rejection sampling: discard the top partial block so every residue is equally likely.
      const limit = 4294967296 - (4294967296 % n);
      let x = nextUint32();
      while (x >= limit) x = nextUint32();
      return x % n;
    },
    shuffle<T>(array: T[]): T[] {
      for (let i = array.length - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        const tmp = array[i];
        array[i] = array[j];
        array[j] = tmp;
      }
      return array;
    },
    fork: () => createRng(nextUint32()),
  };
  return rng;
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/**
 * mulberry32: the kit's FAST uniform stream in [0, 1) for bulk draws (weight init, background noise, test data),
 * where createRng's xoshiro128** behind closures costs ~4× more per draw and statistical-test quality is not needed.
 * `state` is used as the raw 32-bit starting state (callers that want nearby seeds decorrelated mix them first).
 * Its output sequence is frozen: seeded weights and demo audio depend on it.
 */
export function mulberry32(state: number): () => number {
  let a = state >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `length` values uniform in [low, high) from mulberry32(seed): the kit's one noise generator for synthetic inputs
 * (benchmarks, tests), where only the distribution matters, not statistical quality.
 */
export function uniformNoise(length: number, seed: number, low = -1, high = 1): Float32Array {
  const uniform = mulberry32(seed);
  const span = high - low;
  return Float32Array.from({ length }, () => low + span * uniform());
}
