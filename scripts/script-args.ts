/** `--name value` arguments of the measurement scripts (scripts/*.ts): the value after the flag, else `fallback`. */
import { UserError } from "../lib/errors";

/** The value after `--name`; `fallback` when the flag is absent; a UserError naming the flag when neither is there. */
export function arg(name: string, fallback?: string): string {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0 && process.argv[i + 1] !== undefined) return process.argv[i + 1];
  if (fallback === undefined) throw new UserError(`missing --${name}`);
  return fallback;
}

/** Runs a script's main: a UserError (bad flag, wrong file) prints its message alone; anything else its stack. Exit 1. */
export function runScript(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    console.error(error instanceof UserError ? `error: ${error.message}` : error);
    process.exit(1);
  });
}
