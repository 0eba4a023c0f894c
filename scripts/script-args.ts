/** `--name value` arguments of the measurement scripts (scripts/*.ts): the value after the flag, else `fallback`. */
import { UserError } from "../lib/errors";

/** The value after `--name`; `fallback` when the flag is absent; a UserError naming the flag when neither is there. */
export function arg(name: string, fallback?: string): string {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0 && process.argv[i + 1] !== undefined) return process.argv[i + 1];
  if (fallback === undefined) throw new UserError(`missing --${name}`);
  return fallback;
}

/** The value of `--name` (or `fallback`), one of `choices`: a UserError naming the flag, the choices and the value otherwise. */
export function choiceArg<Choice extends string>(name: string, fallback: Choice, choices: readonly Choice[]): Choice {
  const value = arg(name, fallback);
  if (!(choices as readonly string[]).includes(value)) throw new UserError(`--${name}: one of ${choices.join(", ")}, got "${value}"`);
  return value as Choice;
}

/**
 * The numbers of a comma-separated `--name` (or `fallback`), each checked by `valid` before any work: a UserError
 * naming the flag, the value and what was `expected` otherwise.
 */
export function numbersArg(name: string, fallback: string, valid: (value: number) => boolean, expected: string): number[] {
  return arg(name, fallback).split(",").map((text) => {
    const value = Number(text);
    if (text.trim() === "" || !valid(value)) throw new UserError(`--${name}: "${text}" is not ${expected}`);
    return value;
  });
}

/** Runs a script's main: a UserError (bad flag, wrong file) prints its message alone; anything else its stack. Exit 1. */
export function runScript(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    console.error(error instanceof UserError ? `error: ${error.message}` : error);
    process.exit(1);
  });
}
