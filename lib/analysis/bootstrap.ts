/**
 * Paired bootstrap over clips for the difference between two models' scores on the same eval set. On small eval sets
 * (the demo's second domain has a few hundred clips, FSDKaggle2018 1,600) a one-point mAP gap can be noise; resampling
 * clips with replacement and re-evaluating BOTH models on each resample says how often the ordering holds.
 */
import { createRng } from "../data/random";
import { UserError } from "../errors";
import { evaluateScores } from "../evaluation/metrics";
import { fsdTargets, restrictScores, type FsdEvalClip, type FsdMapping, type ModelClipScores } from "./fsd-generalization";

export interface PairedBootstrapResult {
  baseline: string;
  compared: string;
  resamples: number;
  seed: number;
  confidence: number;
  /** compared − baseline on the full set. */
  observedMapDelta: number;
  /** Percentile interval of the mAP difference over resamples. */
  mapDeltaLow: number;
  mapDeltaHigh: number;
  /** Share of resamples where compared has the higher mAP. */
  probabilityComparedBetter: number;
  observedAucDelta: number;
  aucDeltaLow: number;
  aucDeltaHigh: number;
}

/** Linear-interpolation quantile of an ascending array (numpy's default). */
function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const position = (sorted.length - 1) * q;
  const lo = Math.floor(position);
  const hi = Math.ceil(position);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (position - lo);
}

/**
 * Paired bootstrap of mAP / mean AUC differences. `targets` and both score matrices are row-major [clips, numClasses]
 * (targets 0/1). Each resample draws clips with replacement (seeded), evaluates both models on it with the kit's metrics
 * (classes without positives in a resample drop out of both averages alike).
 */
export function pairedBootstrap(
  targets: ArrayLike<number>,
  baselineScores: ArrayLike<number>,
  comparedScores: ArrayLike<number>,
  numClasses: number,
  options: { baseline?: string; compared?: string; resamples?: number; seed?: number; confidence?: number } = {},
): PairedBootstrapResult {
  const resamples = options.resamples ?? 200;
  const seed = options.seed ?? 0;
  const confidence = options.confidence ?? 0.95;
  if (!Number.isInteger(resamples) || resamples < 1) throw new UserError(`resamples must be a positive integer, got ${resamples}`);
  if (!(confidence > 0 && confidence < 1)) throw new UserError(`confidence must be in (0, 1), got ${confidence}`);
  const K = numClasses;
  const n = targets.length / K;
  if (!Number.isInteger(n) || n === 0) throw new UserError(`targets: ${targets.length} values is not a whole, non-zero number of rows of ${K}`);
  if (baselineScores.length !== targets.length || comparedScores.length !== targets.length) {
    throw new UserError(`scores must have the targets' shape (${n} × ${K})`);
  }
  const full = (s: ArrayLike<number>) => evaluateScores(targets, s, K);
  const base0 = full(baselineScores);
  const comp0 = full(comparedScores);
  const rng = createRng(seed);
  const t = new Float64Array(n * K);
  const a = new Float64Array(n * K);
  const b = new Float64Array(n * K);
  const mapDeltas: number[] = [];
  const aucDeltas: number[] = [];
  let better = 0;
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) {
      const src = rng.int(n) * K;
      for (let c = 0; c < K; c++) {
        t[i * K + c] = targets[src + c];
        a[i * K + c] = baselineScores[src + c];
        b[i * K + c] = comparedScores[src + c];
      }
    }
    const ma = evaluateScores(t, a, K);
    const mb = evaluateScores(t, b, K);
    const d = mb.mAP - ma.mAP;
    mapDeltas.push(d);
    if (d > 0) better++;
    const dAuc = mb.meanAUC - ma.meanAUC;
    if (Number.isFinite(dAuc)) aucDeltas.push(dAuc);
  }
  mapDeltas.sort((x, y) => x - y);
  aucDeltas.sort((x, y) => x - y);
  const tail = (1 - confidence) / 2;
  return {
    baseline: options.baseline ?? "baseline",
    compared: options.compared ?? "compared",
    resamples,
    seed,
    confidence,
    observedMapDelta: comp0.mAP - base0.mAP,
    mapDeltaLow: quantile(mapDeltas, tail),
    mapDeltaHigh: quantile(mapDeltas, 1 - tail),
    probabilityComparedBetter: better / resamples,
    observedAucDelta: comp0.meanAUC - base0.meanAUC,
    aucDeltaLow: quantile(aucDeltas, tail),
    aucDeltaHigh: quantile(aucDeltas, 1 - tail),
  };
}

/** `pairedBootstrap` for two models on an FSD eval set, restricted to the mapped classes as in evaluateOnFsd. */
export function fsdPairedBootstrap(
  mapping: FsdMapping,
  clips: readonly FsdEvalClip[],
  baseline: ModelClipScores,
  compared: ModelClipScores,
  options: { resamples?: number; seed?: number; confidence?: number } = {},
): PairedBootstrapResult {
  return pairedBootstrap(
    fsdTargets(mapping, clips),
    restrictScores(mapping, baseline, clips),
    restrictScores(mapping, compared, clips),
    mapping.mapped.length,
    { ...options, baseline: baseline.model, compared: compared.model },
  );
}
