/**
 * Training-batch augmentation on log-mel inputs: mixup and SpecAugment's time and frequency masks. Beyond the
 * reference, whose configs train without augmentation (the kit's default is none too); offered because a model trained
 * on few recordings memorises them, label noise included, and both are the standard remedies in audio tagging
 * (PANNs, PSLA, AST train with mixup and masks).
 *
 * - Mixup (Zhang et al., 2018): item i becomes λ·x_i + (1 − λ)·x_j with a partner j: the next item in a seeded
 *   random order of the batch (a cycle, so no item is its own partner), and its targets λ·y_i + (1 − λ)·y_j; λ ~ Beta(α, α) per item, folded to max(λ, 1 − λ) so the item
 *   stays the larger part. Inputs are dB values (10·log10 of mel power), so the mix is taken in the power domain —
 *   10·log10(λ·10^(a/10) + (1 − λ)·10^(b/10)) — which is what mixing the two waveforms gives (up to their cross
 *   term); mixing the dB values themselves would multiply the spectra.
 * - SpecAugment (Park et al., 2019): per item, `timeMasks` bands of 0…`timeMaskFrames` frames and `freqMasks` bands of
 *   0…`freqMaskBins` mel bins are set to the item's mean log-mel value (the kit's features are not normalised, so
 *   "zero" would be a loud 0 dB; the mean is what zero is for normalised features).
 *
 * Everything is drawn from the generator passed in; the training loop derives it from (seed, global step), so a
 * resumed run replays the same augmented batches.
 */
import { UserError } from "../errors";
import type { Rng } from "./random";

export interface AugmentationSettings {
  /** Mixup's Beta(α, α) parameter; 0 = no mixup. */
  mixupAlpha: number;
  /** SpecAugment time masks per item (0 = none) and the widest, in log-mel frames (10 ms each). */
  timeMasks: number;
  timeMaskFrames: number;
  /** SpecAugment frequency masks per item (0 = none) and the widest, in mel bins. */
  freqMasks: number;
  freqMaskBins: number;
}

/** Every field off: a partial setting (`--set teacher.augmentation.mixupAlpha=0.5`) fills the rest from here. */
export const NO_AUGMENTATION: AugmentationSettings = { mixupAlpha: 0, timeMasks: 0, timeMaskFrames: 0, freqMasks: 0, freqMaskBins: 0 };

export interface AugmentableBatch {
  /** Row-major [N, frames, bins] log-mel dB values. */
  input: Float32Array;
  frames: number;
  /** Row-major [N, numClasses]. */
  targets: Float32Array;
}

/** Standard normal by Box–Muller (one of the pair is enough here). */
function normal(rng: Rng): number {
  const u = 1 - rng.next(); // (0, 1]: log(0) would be −∞
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

/**
 * Gamma(shape, 1) by Marsaglia and Tsang (2000), with the shape < 1 boost Gamma(a) = Gamma(a + 1)·U^(1/a). Written out
 * because it is a dozen lines and must draw from the kit's seeded generator (Math.random cannot be seeded).
 */
function gamma(shape: number, rng: Rng): number {
  if (shape < 1) return gamma(shape + 1, rng) * Math.pow(1 - rng.next(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal(rng);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - rng.next();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

/** Beta(α, α) from two Gamma draws. */
export function betaSymmetric(alpha: number, rng: Rng): number {
  const a = gamma(alpha, rng);
  const b = gamma(alpha, rng);
  return a + b > 0 ? a / (a + b) : 0.5;
}

/** Checks the settings; every message names the field. */
export function checkAugmentation(settings: AugmentationSettings, field: string): void {
  const nonNegative = (value: unknown) => typeof value === "number" && Number.isFinite(value) && value >= 0;
  const count = (value: unknown) => Number.isSafeInteger(value) && (value as number) >= 0;
  if (!nonNegative(settings.mixupAlpha)) throw new UserError(`${field}.mixupAlpha must be a number ≥ 0 (0 = no mixup), got ${String(settings.mixupAlpha)}`);
  for (const key of ["timeMasks", "timeMaskFrames", "freqMasks", "freqMaskBins"] as const) {
    if (!count(settings[key])) throw new UserError(`${field}.${key} must be an integer ≥ 0, got ${String(settings[key])}`);
  }
}

/**
 * An augmentation value as read from JSON (a config field, `psl demo-teacher --augmentation`): null (none), or an object
 * whose fields are checked and whose missing fields are off. The one place that reads such a value, so the config and the
 * CLI accept the same things and name a bad field the same way (`field` is how the caller names the value).
 */
export function resolveAugmentation(value: unknown, field: string): AugmentationSettings | null {
  if (value === null) return null;
  const known = Object.keys(NO_AUGMENTATION).join(", ");
  if (typeof value !== "object" || Array.isArray(value)) throw new UserError(`${field} must be null or an object with ${known}, got ${JSON.stringify(value)}`);
  const unknown = Object.keys(value).filter((key) => !Object.hasOwn(NO_AUGMENTATION, key));
  if (unknown.length) throw new UserError(`${field} has unknown field(s) ${unknown.join(", ")} (known: ${known})`);
  const settings = { ...NO_AUGMENTATION, ...(value as Partial<AugmentationSettings>) };
  checkAugmentation(settings, field);
  return settings;
}

/** A command-line value (`--augmentation`): "none", or a JSON object read by resolveAugmentation; `flag` names it. */
export function augmentationFromText(text: string, flag: string): AugmentationSettings | null {
  if (text === "none") return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UserError(`${flag} must be "none" or a JSON object, got ${text}`);
  }
  if (parsed === null) throw new UserError(`${flag} must be "none" or a JSON object, got ${text}`);
  return resolveAugmentation(parsed, flag);
}

/** One line for tables: "none", or what is on ("mixup α 1; 2 time masks ≤ 64 frames; 2 frequency masks ≤ 8 bins"). */
export function describeAugmentation(settings: AugmentationSettings | null | undefined): string {
  if (!settings) return "none";
  const parts: string[] = [];
  if (settings.mixupAlpha > 0) parts.push(`mixup α ${settings.mixupAlpha}`);
  if (settings.timeMasks > 0 && settings.timeMaskFrames > 0) parts.push(`${settings.timeMasks} time mask${settings.timeMasks === 1 ? "" : "s"} ≤ ${settings.timeMaskFrames} frames`);
  if (settings.freqMasks > 0 && settings.freqMaskBins > 0) parts.push(`${settings.freqMasks} frequency mask${settings.freqMasks === 1 ? "" : "s"} ≤ ${settings.freqMaskBins} bins`);
  return parts.length ? parts.join("; ") : "none";
}

/** Sets a band of one item to `value`: frames [t0, t1) × bins [f0, f1). */
function fillBand(input: Float32Array, offset: number, bins: number, t0: number, t1: number, f0: number, f1: number, value: number): void {
  for (let t = t0; t < t1; t += 1) input.fill(value, offset + t * bins + f0, offset + t * bins + f1);
}

/**
 * The augmented copy of a batch (the given arrays are left as they are). `bins` is the number of mel bins per frame.
 * With every field off the copy equals the batch.
 */
export function augmentBatch(batch: AugmentableBatch, settings: AugmentationSettings, bins: number, rng: Rng): AugmentableBatch {
  const perItem = batch.frames * bins;
  const items = batch.input.length / perItem;
  if (!Number.isInteger(items) || items < 1) throw new Error(`augmentBatch: input of ${batch.input.length} values is not N × ${batch.frames} frames × ${bins} bins`);
  const classes = batch.targets.length / items;
  if (!Number.isInteger(classes)) throw new Error(`augmentBatch: ${batch.targets.length} targets for ${items} items`);
  const input = new Float32Array(batch.input);
  const targets = new Float32Array(batch.targets);

  if (settings.mixupAlpha > 0 && items > 1) {
    const order = rng.shuffle(Array.from({ length: items }, (_, i) => i));
    const partner = new Array<number>(items);
    order.forEach((item, k) => (partner[item] = order[(k + 1) % items]));
    const scale = Math.LN10 / 10;
    for (let i = 0; i < items; i += 1) {
      const j = partner[i];
      const draw = betaSymmetric(settings.mixupAlpha, rng);
      const lambda = Math.max(draw, 1 - draw);
      for (let k = 0; k < perItem; k += 1) {
        const a = batch.input[i * perItem + k];
        const b = batch.input[j * perItem + k];
        // Log-sum-exp in dB: subtract the larger value before exponentiating so quiet frames do not underflow.
        const top = a > b ? a : b;
        const power = lambda * Math.exp((a - top) * scale) + (1 - lambda) * Math.exp((b - top) * scale);
        input[i * perItem + k] = top + Math.log(power) / scale;
      }
      for (let c = 0; c < classes; c += 1) {
        targets[i * classes + c] = lambda * batch.targets[i * classes + c] + (1 - lambda) * batch.targets[j * classes + c];
      }
    }
  }

  if (settings.timeMasks > 0 || settings.freqMasks > 0) {
    for (let i = 0; i < items; i += 1) {
      const offset = i * perItem;
      let sum = 0;
      for (let k = 0; k < perItem; k += 1) sum += input[offset + k];
      const mean = sum / perItem;
      for (let m = 0; m < settings.timeMasks; m += 1) {
        const width = rng.int(Math.min(settings.timeMaskFrames, batch.frames) + 1);
        const start = rng.int(batch.frames - width + 1);
        fillBand(input, offset, bins, start, start + width, 0, bins, mean);
      }
      for (let m = 0; m < settings.freqMasks; m += 1) {
        const width = rng.int(Math.min(settings.freqMaskBins, bins) + 1);
        const start = rng.int(bins - width + 1);
        fillBand(input, offset, bins, 0, batch.frames, start, start + width, mean);
      }
    }
  }
  return { input, frames: batch.frames, targets };
}
