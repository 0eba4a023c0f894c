/**
 * Intervals over training seeds AND eval clips. A student's eval mAP varies with its seed (initialisation, batch
 * order, dropout) and with which clips happen to be in the eval set; a claim "PSL-2s beats weak" must hold over both.
 * Each resample draws the eval clips with replacement (shared by every model, so comparisons stay paired) and the seeds
 * with replacement, and averages the drawn seeds' mAP on the drawn clips. Intervals are bias-corrected percentiles: AP
 * on a resample with duplicated clips is biased upwards (ties of duplicated positives, classes that lose all positives
 * drop out), markedly so on small eval sets, so the percentiles are shifted by (mean of the resamples − full-set
 * estimate) and the interval is centred where the estimate is.
 *
 * Scores and targets are row-major [clips, numClasses]; only classes with a positive eval clip are kept (the others
 * never enter an mAP), which also makes the resamples cheap.
 */
import { createRng } from "../data/random";
import { UserError } from "../errors";
import { evaluateScores } from "../evaluation/metrics";
import { mean } from "../evaluation/mean";

export interface SeedInterval {
  /** Mean over seeds of the full-eval-set mAP. */
  mAP: number;
  perSeed: number[];
  /** Bias-corrected percentile interval (seeds × eval-clip bootstrap). */
  ci95: [number, number];
  meanAUC: number;
  dPrime: number;
}

export interface PairedSeedDifference {
  /** Mean over seeds of compared − baseline (full eval set). */
  mAP: number;
  ci95: [number, number];
  /** Share of (bias-corrected) resamples where compared is better. */
  probabilityBetter: number;
  resamples: number;
}

export interface SeedBootstrapOptions {
  resamples?: number;
  seed?: number;
  confidence?: number;
}

function quantile(sorted: readonly number[], q: number): number {
  const position = (sorted.length - 1) * q;
  const lo = Math.floor(position);
  const hi = Math.ceil(position);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (position - lo);
}

/** Keeps the classes with at least one positive clip: [clips, kept] copies of targets and every score matrix. */
function restrict(targets: ArrayLike<number>, runs: readonly ArrayLike<number>[], numClasses: number): { targets: Float64Array; runs: Float64Array[]; K: number; n: number } {
  const n = targets.length / numClasses;
  if (!Number.isInteger(n) || n === 0) throw new UserError(`targets: ${targets.length} values is not a whole, non-zero number of rows of ${numClasses}`);
  for (const r of runs) if (r.length !== targets.length) throw new UserError(`scores must have the targets' shape (${n} × ${numClasses})`);
  const kept: number[] = [];
  for (let c = 0; c < numClasses; c++) {
    for (let i = 0; i < n; i++) {
      if (targets[i * numClasses + c] > 0) {
        kept.push(c);
        break;
      }
    }
  }
  const K = kept.length;
  const copy = (m: ArrayLike<number>) => {
    const out = new Float64Array(n * K);
    for (let i = 0; i < n; i++) for (let k = 0; k < K; k++) out[i * K + k] = m[i * numClasses + kept[k]];
    return out;
  };
  return { targets: copy(targets), runs: runs.map(copy), K, n };
}

/** mAP of every run on `resamples` shared clip resamples: result[r][run]. */
function resampledMAPs(targets: Float64Array, runs: Float64Array[], K: number, n: number, resamples: number, rng: ReturnType<typeof createRng>): number[][] {
  const t = new Float64Array(n * K);
  const s = new Float64Array(n * K);
  const out: number[][] = [];
  for (let r = 0; r < resamples; r++) {
    const rows = Array.from({ length: n }, () => rng.int(n));
    rows.forEach((src, i) => t.set(targets.subarray(src * K, (src + 1) * K), i * K));
    out.push(
      runs.map((run) => {
        rows.forEach((src, i) => s.set(run.subarray(src * K, (src + 1) * K), i * K));
        return evaluateScores(t, s, K).mAP;
      }),
    );
  }
  return out;
}

/** Percentile interval of `resampled` shifted by its bias (mean of the resamples − the full-set estimate). */
function biasCorrected(resampled: number[], estimate: number, tail: number): [number, number] {
  const bias = resampled.reduce((a, b) => a + b, 0) / resampled.length - estimate;
  const sorted = [...resampled].sort((a, b) => a - b);
  return [quantile(sorted, tail) - bias, quantile(sorted, 1 - tail) - bias];
}

function check(options: SeedBootstrapOptions): { resamples: number; seed: number; tail: number } {
  const resamples = options.resamples ?? 300;
  const confidence = options.confidence ?? 0.95;
  if (!Number.isInteger(resamples) || resamples < 1) throw new UserError(`resamples must be a positive integer, got ${resamples}`);
  if (!(confidence > 0 && confidence < 1)) throw new UserError(`confidence must be in (0, 1), got ${confidence}`);
  return { resamples, seed: options.seed ?? 0, tail: (1 - confidence) / 2 };
}

/** Mean mAP over seeds with its seeds × eval-clips bootstrap interval; `runs` = one score matrix per seed. */
export function seedInterval(targets: ArrayLike<number>, runs: readonly ArrayLike<number>[], numClasses: number, options: SeedBootstrapOptions = {}): SeedInterval {
  if (runs.length === 0) throw new UserError("seedInterval: no runs");
  const { resamples, seed, tail } = check(options);
  const full = runs.map((r) => evaluateScores(targets, r, numClasses));
  const data = restrict(targets, runs, numClasses);
  const rng = createRng(seed);
  const maps = resampledMAPs(data.targets, data.runs, data.K, data.n, resamples, rng);
  const means = maps.map((perRun) => {
    let sum = 0;
    for (let k = 0; k < perRun.length; k++) sum += perRun[rng.int(perRun.length)];
    return sum / perRun.length;
  });
  const estimate = mean(full.map((m) => m.mAP));
  return {
    mAP: estimate,
    perSeed: full.map((m) => m.mAP),
    ci95: biasCorrected(means, estimate, tail),
    meanAUC: mean(full.map((m) => m.meanAUC)),
    dPrime: mean(full.map((m) => m.dPrime)),
  };
}

/**
 * compared − baseline over seeds and eval clips. Seeds are paired by index when both lists have the same length (seed i
 * of both students shares initialisation seed and batch-order seed), otherwise drawn independently.
 */
export function pairedSeedDifference(
  targets: ArrayLike<number>,
  baseline: readonly ArrayLike<number>[],
  compared: readonly ArrayLike<number>[],
  numClasses: number,
  options: SeedBootstrapOptions = {},
): PairedSeedDifference {
  if (baseline.length === 0 || compared.length === 0) throw new UserError("pairedSeedDifference: no runs");
  const { resamples, seed, tail } = check(options);
  const a = baseline.map((r) => evaluateScores(targets, r, numClasses).mAP);
  const b = compared.map((r) => evaluateScores(targets, r, numClasses).mAP);
  const data = restrict(targets, [...baseline, ...compared], numClasses);
  const rng = createRng(seed);
  const maps = resampledMAPs(data.targets, data.runs, data.K, data.n, resamples, rng);
  const paired = baseline.length === compared.length;
  const deltas = maps.map((perRun) => {
    const A = perRun.slice(0, baseline.length);
    const B = perRun.slice(baseline.length);
    if (paired) {
      let sum = 0;
      for (let k = 0; k < A.length; k++) {
        const i = rng.int(A.length);
        sum += B[i] - A[i];
      }
      return sum / A.length;
    }
    let sa = 0;
    let sb = 0;
    for (let k = 0; k < A.length; k++) sa += A[rng.int(A.length)];
    for (let k = 0; k < B.length; k++) sb += B[rng.int(B.length)];
    return sb / B.length - sa / A.length;
  });
  const estimate = mean(b) - mean(a);
  const ci95 = biasCorrected(deltas, estimate, tail);
  const bias = deltas.reduce((x, y) => x + y, 0) / deltas.length - estimate;
  const better = deltas.filter((d) => d - bias > 0).length;
  return { mAP: estimate, ci95, probabilityBetter: better / resamples, resamples };
}
