/** `--name value` arguments of the measurement scripts (scripts/*.ts): the value after the flag, else `fallback`. */
import { UserError } from "../lib/errors";

/** The value after `--name`; `fallback` when the flag is absent; a UserError naming the flag when neither is there. */
export function arg(name: string, fallback?: string): string {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0 && process.argv[i + 1] !== undefined) return process.argv[i + 1];
  if (fallback === undefined) throw new UserError(`missing --${name}`);
  return fallback;
}
