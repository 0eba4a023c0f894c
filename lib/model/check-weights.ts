/**
 * Values a loaded model may not hold. A NaN or ±Inf anywhere (a checkpoint saved from a diverged run, a corrupted
 * download) and a negative BatchNorm running variance (impossible for a variance; BatchNorm would take the square root
 * of a negative number plus eps) do not always make the outputs NaN: a NaN classifier bias prints "NaN%", but a NaN in
 * the first convolution or a negative variance can give finite, different probabilities. So every loader checks every
 * tensor once, and names the first bad one.
 */
import { UserError } from "../errors";

function describe(value: number): string {
  return Number.isNaN(value) ? "NaN" : value > 0 ? "+Inf" : value < 0 && !Number.isFinite(value) ? "-Inf" : String(value);
}

/** Throws a UserError naming `source` and the tensor when a value is not finite. */
export function checkFiniteTensor(source: string, key: string, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new UserError(`${source}: tensor "${key}" holds ${describe(values[i])} at index ${i} of ${values.length}: the checkpoint is corrupt or was saved from a diverged run`);
    }
  }
}

/** Throws a UserError naming `source` and the tensor when a value is negative (variances, Adam's second moments). */
export function checkNonNegativeTensor(source: string, key: string, values: ArrayLike<number>, what: string): void {
  for (let i = 0; i < values.length; i++) {
    if (values[i] < 0) throw new UserError(`${source}: ${what} "${key}" is negative (${values[i]}) at index ${i}: a variance cannot be negative, the checkpoint is corrupt`);
  }
}

/**
 * Checks model tensors keyed by state-dict key: all finite, BatchNorm `running_var` ≥ 0. `prefix` is how the keys are
 * stored in the file (e.g. "model." in a kit checkpoint), so the message names the tensor as the file does.
 */
export function checkModelValues(source: string, values: ReadonlyMap<string, ArrayLike<number>>, prefix = ""): void {
  for (const [key, value] of values) {
    checkFiniteTensor(source, `${prefix}${key}`, value);
    if (key.endsWith(".running_var")) checkNonNegativeTensor(source, `${prefix}${key}`, value, "BatchNorm variance");
  }
}
