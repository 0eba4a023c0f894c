/**
 * Bounded, seeded fuzzing helpers: mutations of valid inputs (bit flips, truncation, splices, interesting values)
 * and purely random inputs, each run against a parser with a per-case time budget. A case passes when the parser
 * returns, or throws a UserError whose message names the input; anything else (TypeError, RangeError, a hang, an
 * error that does not say which input) is recorded as a failure with the seed and case number to replay it.
 */
import { createRng, type Rng } from "../../lib/data/random";
import { UserError } from "../../lib/errors";

/** Bytes that often hit edge cases in length fields, magic numbers and signed/unsigned conversions. */
const INTERESTING = [0x00, 0x01, 0x7f, 0x80, 0xff, 0xfe, 0x20, 0x22, 0x2c, 0x0a, 0x0d, 0x09];
/** Text fragments that stress CSV/JSON readers: quotes, separators, line ends, BOMs, non-numbers. */
const TOKENS = ['"', '""', ",", ";", "\t", "\n", "\r\n", "\r", "#", " ", "\ufeff", "\u0000", "-1", "NaN", "1e309", "/m/", "{", "}", "[", "]", ":", "null", "é", "\ud83d"];

export function mutateBytes(seed: Uint8Array, rng: Rng): Uint8Array {
  let bytes: Uint8Array = Uint8Array.from(seed);
  const steps = 1 + rng.int(4);
  for (let s = 0; s < steps; s++) {
    const at = bytes.length ? rng.int(bytes.length) : 0;
    switch (rng.int(7)) {
      case 0: // flip a few bits
        if (bytes.length) bytes[at] ^= 1 << rng.int(8);
        break;
      case 1: // an interesting byte value
        if (bytes.length) bytes[at] = INTERESTING[rng.int(INTERESTING.length)];
        break;
      case 2: // truncate
        bytes = bytes.slice(0, at);
        break;
      case 3: {
        // insert random bytes
        const extra = Uint8Array.from({ length: 1 + rng.int(16) }, () => rng.int(256));
        bytes = concat(bytes.slice(0, at), extra, bytes.slice(at));
        break;
      }
      case 4: // delete a range
        bytes = concat(bytes.slice(0, at), bytes.slice(at + 1 + rng.int(64)));
        break;
      case 5: {
        // duplicate a range somewhere else
        const from = bytes.length ? rng.int(bytes.length) : 0;
        const piece = bytes.slice(from, from + 1 + rng.int(64));
        bytes = concat(bytes.slice(0, at), piece, bytes.slice(at));
        break;
      }
      default: {
        // a 32-bit little-endian length-like field set to an extreme
        const extremes = [0, 1, 0x7fffffff, 0xffffffff, 0x80000000, 0xfffffff0];
        const value = extremes[rng.int(extremes.length)];
        for (let k = 0; k < 4 && at + k < bytes.length; k++) bytes[at + k] = (value >>> (8 * k)) & 0xff;
      }
    }
  }
  return bytes;
}

export function mutateText(seed: string, rng: Rng): string {
  let text = seed;
  const steps = 1 + rng.int(4);
  for (let s = 0; s < steps; s++) {
    const at = text.length ? rng.int(text.length) : 0;
    switch (rng.int(5)) {
      case 0:
        text = text.slice(0, at) + TOKENS[rng.int(TOKENS.length)] + text.slice(at);
        break;
      case 1:
        text = text.slice(0, at) + text.slice(at + 1 + rng.int(40));
        break;
      case 2:
        text = text.slice(0, at);
        break;
      case 3: {
        const from = text.length ? rng.int(text.length) : 0;
        text = text.slice(0, at) + text.slice(from, from + 1 + rng.int(80)) + text.slice(at);
        break;
      }
      default:
        text = text.slice(0, at) + String.fromCharCode(rng.int(0x250)) + text.slice(at + 1);
    }
  }
  return text;
}

export function randomBytes(rng: Rng, maxLength = 300): Uint8Array {
  return Uint8Array.from({ length: rng.int(maxLength + 1) }, () => rng.int(256));
}

export function randomText(rng: Rng, maxTokens = 60): string {
  let text = "";
  const n = rng.int(maxTokens + 1);
  for (let i = 0; i < n; i++) text += rng.next() < 0.5 ? TOKENS[rng.int(TOKENS.length)] : Math.floor(rng.next() * 1000).toString(36);
  return text;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

export interface FuzzReport {
  cases: number;
  accepted: number;
  rejected: number;
  failures: string[];
  slowestMs: number;
}

/**
 * Runs `cases` inputs made by `make(rng, i)` through `parse(input, name)`. `name` is what the parser is told the input
 * is called (a path or label); a UserError must mention it. Synchronous hangs cannot be interrupted in-process, so
 * each case's time is measured and any case over `budgetMs` is a failure (an endless loop would also trip the test's
 * own timeout).
 */
export async function fuzz<T>(options: {
  seed: number;
  cases: number;
  name: (i: number) => string;
  make: (rng: Rng, i: number) => T;
  parse: (input: T, name: string) => unknown;
  budgetMs?: number;
  /** Besides UserError, error classes the module documents (e.g. BackendError). */
  allowed?: (new (...args: never[]) => Error)[];
}): Promise<FuzzReport> {
  const rng = createRng(options.seed);
  const budget = options.budgetMs ?? 2000;
  const report: FuzzReport = { cases: options.cases, accepted: 0, rejected: 0, failures: [], slowestMs: 0 };
  for (let i = 0; i < options.cases; i++) {
    const input = options.make(rng, i);
    const name = options.name(i);
    const started = performance.now();
    try {
      await options.parse(input, name);
      report.accepted++;
    } catch (error) {
      const ok = error instanceof UserError || (options.allowed ?? []).some((cls) => error instanceof cls);
      if (!ok) {
        const e = error as Error;
        report.failures.push(`seed ${options.seed} case ${i}: ${e?.constructor?.name ?? typeof error}: ${e?.message ?? String(error)}`.slice(0, 400));
      } else if (!(error as Error).message.includes(name)) {
        report.failures.push(`seed ${options.seed} case ${i}: message does not name the input "${name}": ${(error as Error).message}`.slice(0, 400));
      } else report.rejected++;
    }
    const elapsed = performance.now() - started;
    report.slowestMs = Math.max(report.slowestMs, elapsed);
    if (elapsed > budget) report.failures.push(`seed ${options.seed} case ${i}: took ${elapsed.toFixed(0)} ms (budget ${budget} ms)`);
  }
  return report;
}
