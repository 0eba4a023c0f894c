/** Argument parsing shared by the sub-commands. */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { UserError } from "../errors";
import { DEFAULT_MAX_CLIP_SECONDS } from "../audio/decode";

/**
 * Node's `parseArgs` (strict unless the config says otherwise): an unknown or malformed flag becomes a UserError
 * whose message is node's explanation followed by the command's usage, so the CLI prints it without a stack trace.
 */
export function parseCommandArgs<T extends ParseArgsConfig>(config: T, usage: string): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    throw new UserError(`${(error as Error).message}\n${usage}`);
  }
}

/** An integer flag: `fallback` when absent, otherwise an integer ≥ `min` (1 or 0), else a UserError naming the flag. */
export function integerFlag(name: string, text: string | undefined, fallback: number, min: 0 | 1 = 1): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) throw new UserError(`--${name} must be a ${min === 0 ? "non-negative" : "positive"} integer, got "${text}"`);
  return value;
}

/** A positive number flag: `fallback` when absent, else a number > 0, else a UserError naming the flag. */
export function positiveFlag(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!(value > 0) || !Number.isFinite(value)) throw new UserError(`--${name} must be a positive number, got "${text}"`);
  return value;
}

/** `--max-seconds`: the longest audio file a command decodes; a positive number of seconds, default 600. */
export function maxSecondsFlag(text: string | undefined): number {
  if (text === undefined) return DEFAULT_MAX_CLIP_SECONDS;
  const value = Number(text);
  if (!(value > 0)) throw new UserError(`--max-seconds must be a positive number of seconds, got "${text}"`);
  return value;
}

/** `--shard i/n`: job i (0-based) of n; undefined when absent, a UserError naming the flag when malformed. */
export function shardFlag(text: string | undefined): { index: number; count: number } | undefined {
  if (text === undefined) return undefined;
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = match ? Number(match[1]) : NaN, count = match ? Number(match[2]) : NaN;
  if (!match || count < 1 || index >= count) throw new UserError(`--shard must be i/n with 0 ≤ i < n (e.g. --shard 0/8 … 7/8), got "${text}"`);
  return { index, count };
}
