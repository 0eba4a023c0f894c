/**
 * The `runs` object of a committed measurement file (data-manifests/demo/curves/*.json, written by the scripts that
 * train students on the default profile), read entry by entry with errors that name the file, the run and the field.
 * The readers of the learning-rate check, the teacher choice and the training-targets checks share it.
 */
import { UserError } from "../errors";

/** A number that is not NaN or ±Infinity. */
export const isFiniteNumber = (value: unknown): value is number => typeof value === "number" && Number.isFinite(value);

/** One entry of `runs`: its key, its fields (an empty object for a null entry) and `at`, how errors name it. */
export interface MeasurementRun {
  key: string;
  run: Record<string, unknown>;
  /** "<where>: runs.<key>": errors append ".<field> …". */
  at: string;
}

/** The entries of `file.runs`; a UserError naming `where` when there is no such object. */
export function measurementRuns(file: unknown, where: string): MeasurementRun[] {
  const runs = (file as { runs?: unknown } | null)?.runs;
  if (typeof runs !== "object" || runs === null) throw new UserError(`${where}: no "runs" object`);
  return Object.entries(runs as Record<string, Record<string, unknown> | null>).map(([key, run]) => ({ key, run: run ?? {}, at: `${where}: runs.${key}` }));
}

/** Checks that each of `fields` of `entry.run` is a finite number ("<at>.<field> is not a finite number" otherwise). */
export function requireFiniteNumbers(entry: MeasurementRun, fields: readonly string[]): void {
  for (const field of fields) if (!isFiniteNumber(entry.run[field])) throw new UserError(`${entry.at}.${field} is not a finite number`);
}

/** Checks that each of `fields` of `entry.run` is a finite number above 0 ("<at>.<field> must be a positive number" otherwise). */
export function requirePositiveNumbers(entry: MeasurementRun, fields: readonly string[]): void {
  for (const field of fields) {
    const value = entry.run[field];
    if (!isFiniteNumber(value) || value <= 0) throw new UserError(`${entry.at}.${field} must be a positive number`);
  }
}

/** The budget of steps a measurement file's runs share (its `recipe.steps`); a UserError naming `where` otherwise. */
export function recipeSteps(file: unknown, where: string): number {
  const steps = (file as { recipe?: { steps?: unknown } } | null)?.recipe?.steps;
  if (typeof steps !== "number" || !Number.isInteger(steps) || steps < 1) throw new UserError(`${where}: recipe.steps must be a positive whole number`);
  return steps;
}

/**
 * `file` with only the runs whose `field` equals `value` (e.g. one student of a file that holds several), as a file
 * the other readers take; a UserError naming `where` when there is no `runs` object.
 */
export function runsWith(file: unknown, where: string, field: string, value: unknown): { runs: Record<string, Record<string, unknown>> } {
  const kept = measurementRuns(file, where).filter(({ run }) => run[field] === value);
  return { runs: Object.fromEntries(kept.map(({ key, run }) => [key, run])) };
}
