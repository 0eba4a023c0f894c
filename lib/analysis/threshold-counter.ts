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

/**
 * step, 2·step, … below 1, each rounded to the step's decimals (0.15, never 0.15000000000000002), plus the values of
 * `include` (e.g. the chosen threshold, so a curve always has a point exactly there), sorted, without duplicates.
 */
export function thresholdGrid(step = 0.05, include: Iterable<number | null | undefined> = []): number[] {
  if (!(step > 0 && step < 1)) throw new UserError(`thresholdGrid: step must be in (0, 1), got ${step}`);
  const decimals = Math.min(10, Math.max(0, Math.ceil(-Math.log10(step) - 1e-9)) + 1);
  const grid = [];
  for (let i = 1; i * step < 1 - 1e-9; i++) grid.push(Number((i * step).toFixed(decimals)));
  return normalizeThresholds([...grid, ...[...include].filter((t): t is number => typeof t === "number")]);
}

/**
 * The rows of a curve table at exactly `threshold` (rows from a grid that includes it, see thresholdGrid). A threshold
 * the grid lacks is an error that names the grid, never an empty table.
 */
export function rowsAtThreshold<T extends { threshold: number }>(rows: readonly T[], threshold: number): T[] {
  const at = rows.filter((r) => r.threshold === threshold);
  if (at.length === 0) {
    const grid = [...new Set(rows.map((r) => r.threshold))].sort((a, b) => a - b);
    throw new UserError(`no row at threshold ${threshold}: the curve was computed at ${grid.join(", ")} (add it: thresholdGrid(step, [${threshold}]))`);
  }
  return at;
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
