/**
 * The CLI run in-process (`main`, the same code path as `npx psl`) with everything it prints captured, and the check
 * every bad-input test makes: exit code 2, one clear message, no stack trace.
 */
import assert from "node:assert/strict";
import { main } from "../../lib/cli";

/** Runs `psl …` in-process, capturing everything printed. A rejected promise (a bug's raw crash) is returned as code -1. */
export async function psl(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const saved = { log: console.log, error: console.error, warn: console.warn, write: process.stderr.write };
  console.log = (...a: unknown[]) => void (out += a.join(" ") + "\n");
  console.error = console.warn = (...a: unknown[]) => void (err += a.join(" ") + "\n");
  process.stderr.write = ((chunk: string | Uint8Array) => ((err += String(chunk)), true)) as typeof process.stderr.write;
  try {
    return { code: await main(args), out, err };
  } catch (error) {
    return { code: -1, out, err: err + String((error as Error).stack) };
  } finally {
    Object.assign(console, { log: saved.log, error: saved.error, warn: saved.warn });
    process.stderr.write = saved.write;
  }
}

export function assertUserFailure(result: { code: number; err: string }, pattern: RegExp, what: string): void {
  assert.equal(result.code, 2, `${what}: exit code (stderr: ${result.err})`);
  assert.match(result.err, pattern, `${what}: message`);
  assert.doesNotMatch(result.err, /\n\s+at .+:\d+:\d+/, `${what}: no stack trace`);
}

