/**
 * From pseudo strong labels (the PSL table's teacher probabilities) to training targets per chunk.
 *
 * These are the knobs users turn interactively, so they are pure functions over the in-memory table (one pass over
 * rows × classes, milliseconds for demo-sized tables): changing a threshold never re-runs the teacher.
 *
 * - soft (default, as the reference): the teacher's probabilities themselves;
 * - hard: 1 where probability ≥ threshold (global, or per class with a `default`), else 0;
 * - topk: 1 for the k most probable classes of each chunk (ties broken by lower class index), else 0.
 * Then combined with the clip's weak labels:
 * - ignore: the pseudo labels alone;
 * - union: pseudo labels plus the weak labels (weak classes set to 1: a labelled tag is trusted);
 * - restrict: pseudo labels only on the clip's weak classes (others 0: the teacher may only localise, not add tags).
 * The student's final target additionally mixes in the weak labels by α (lib/engine/loss.ts mixTargets).
 */
import { UserError } from "../errors";
import type { TargetKind, ThresholdSetting, WeakCombination } from "./config";

export interface TargetOptions {
  target: TargetKind;
  threshold: ThresholdSetting;
  topK: number;
  weak: WeakCombination;
}

/** The part of a PSL table the targets need (any `PslTable` fits). */
export interface ChunkProbabilities {
  numClasses: number;
  /** Row-major [rows, numClasses]. */
  probs: Float32Array;
  /** Weak labels per row (the row's clip's labels). */
  weak: ReadonlyArray<readonly number[]>;
}

/**
 * Per-class thresholds from a global number or a map keyed by class index ("137") or display name ("Speech"), with an
 * optional `default` (else 0.5). Unknown class names or out-of-range values are UserErrors naming the key.
 */
export function resolveThresholds(setting: ThresholdSetting, numClasses: number, classNames?: readonly string[]): Float32Array {
  const out = new Float32Array(numClasses);
  const check = (value: unknown, key: string): number => {
    if (typeof value !== "number" || !(value >= 0 && value <= 1)) throw new UserError(`annotation.threshold${key}: must be a number in [0, 1], got ${JSON.stringify(value)}`);
    return value;
  };
  if (typeof setting === "number") return out.fill(check(setting, ""));
  out.fill(setting.default === undefined ? 0.5 : check(setting.default, ".default"));
  for (const [key, value] of Object.entries(setting)) {
    if (key === "default") continue;
    const index = /^\d+$/.test(key) ? Number(key) : classNames ? classNames.indexOf(key) : -1;
    if (index < 0 || index >= numClasses) {
      throw new UserError(`annotation.threshold.${key}: unknown class${classNames ? "" : " (use class indices, or pass class names)"}`);
    }
    out[index] = check(value, `.${key}`);
  }
  return out;
}

/** Training targets [rows, numClasses] for every chunk of the table. */
export function chunkTargets(table: ChunkProbabilities, options: TargetOptions, classNames?: readonly string[]): Float32Array {
  const C = table.numClasses;
  const rows = table.weak.length;
  if (table.probs.length !== rows * C) throw new UserError(`PSL table: ${table.probs.length} probabilities for ${rows} rows × ${C} classes`);
  if (!Number.isInteger(options.topK) || options.topK < 1) throw new UserError(`annotation.topK: must be an integer ≥ 1, got ${options.topK}`);
  const out = new Float32Array(rows * C);
  const thresholds = options.target === "hard" ? resolveThresholds(options.threshold, C, classNames) : undefined;
  const k = Math.min(options.topK, C);
  const top = new Int32Array(k);
  for (let r = 0; r < rows; r += 1) {
    const base = r * C;
    if (options.target === "soft") {
      for (let c = 0; c < C; c += 1) out[base + c] = table.probs[base + c];
    } else if (options.target === "hard") {
      for (let c = 0; c < C; c += 1) out[base + c] = table.probs[base + c] >= thresholds![c] ? 1 : 0;
    } else if (options.target === "topk") {
      // Partial selection of the k largest (k is small): insertion into a sorted list of size k.
      let filled = 0;
      for (let c = 0; c < C; c += 1) {
        const p = table.probs[base + c];
        if (filled === k && p <= table.probs[base + top[k - 1]]) continue;
        let i = filled < k ? filled++ : k - 1;
        while (i > 0 && table.probs[base + top[i - 1]] < p) {
          top[i] = top[i - 1];
          i -= 1;
        }
        top[i] = c;
      }
      for (let i = 0; i < filled; i += 1) out[base + top[i]] = 1;
    } else {
      throw new UserError(`annotation.target: unknown "${options.target as string}"`);
    }
    const weak = table.weak[r];
    if (options.weak === "union") {
      for (const c of weak) if (c >= 0 && c < C) out[base + c] = 1;
    } else if (options.weak === "restrict") {
      const keep = new Uint8Array(C);
      for (const c of weak) if (c >= 0 && c < C) keep[c] = 1;
      for (let c = 0; c < C; c += 1) if (!keep[c]) out[base + c] = 0;
    } else if (options.weak !== "ignore") {
      throw new UserError(`annotation.weak: unknown "${options.weak as string}"`);
    }
  }
  return out;
}

/** Multi-hot weak-label targets [rows, numClasses] (the α-complement of the student loss). */
export function weakTargets(weak: ReadonlyArray<readonly number[]>, numClasses: number): Float32Array {
  const out = new Float32Array(weak.length * numClasses);
  weak.forEach((labels, r) => {
    for (const c of labels) {
      if (!Number.isInteger(c) || c < 0 || c >= numClasses) throw new UserError(`weak label ${c} outside 0…${numClasses - 1}`);
      out[r * numClasses + c] = 1;
    }
  });
  return out;
}

/** Per-class sum of targets and mean number of (soft) labels per chunk — what a threshold change does, at a glance. */
export function targetStatistics(targets: Float32Array, numClasses: number): { perClass: Float64Array; labelsPerChunk: number } {
  const rows = targets.length / numClasses;
  const perClass = new Float64Array(numClasses);
  let total = 0;
  for (let i = 0; i < targets.length; i += 1) {
    perClass[i % numClasses] += targets[i];
    total += targets[i];
  }
  return { perClass, labelsPerChunk: rows > 0 ? total / rows : 0 };
}
