/**
 * Counts how many values are ≥ each threshold of a grid in one pass (binary search of each value into the sorted grid,
 * then a suffix sum). This keeps threshold curves O(values · log thresholds) without storing or sorting the values,
 * which matters for chunk-level curves (rows × 527 values).
 */
import { UserError } from "../errors";

/** Sorted ascending, duplicates removed; every threshold must lie in [0, 1]. */
export function normalizeThresholds(thresholds: Iterable<number>): number[] {
  const list = [...new Set(thresholds)].sort((a, b) => a - b);
  if (list.length === 0) throw new UserError("thresholds: the grid is empty");
  for (const t of list) if (!(t >= 0 && t <= 1)) throw new UserError(`thresholds: ${t} is outside [0, 1]`);
  return list;
}

/** 0.05, 0.10, …, 0.95 (rounded to 2 decimals so the grid values print cleanly). */
export const DEFAULT_THRESHOLDS: readonly number[] = Array.from({ length: 19 }, (_, i) => Math.round((i + 1) * 5) / 100);

export class ThresholdCounter {
  private readonly bins: Float64Array;
  total = 0;

  /** `thresholds` must already be normalized (sorted ascending, unique). */
  constructor(readonly thresholds: readonly number[]) {
    this.bins = new Float64Array(thresholds.length + 1);
  }

  /** Adds one value: it counts for every threshold t with value ≥ t. */
  add(value: number): void {
    // Number of thresholds ≤ value: the first index whose threshold is > value.
    let lo = 0;
    let hi = this.thresholds.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.thresholds[mid] <= value) lo = mid + 1;
      else hi = mid;
    }
    this.bins[lo]++;
    this.total++;
  }

  /** For each threshold (in grid order), how many added values are ≥ it. */
  atOrAbove(): number[] {
    const out = new Array<number>(this.thresholds.length);
    let running = 0;
    for (let i = this.thresholds.length; i >= 1; i--) {
      running += this.bins[i];
      out[i - 1] = running;
    }
    return out;
  }
}

/** x / d, or NaN when d is 0 (an undefined precision or recall; plotting libraries leave a gap). */
export function ratio(x: number, d: number): number {
  return d === 0 ? NaN : x / d;
}
