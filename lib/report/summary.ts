/**
 * Headline results for `reports/summary.json`.
 *
 * A notebook calls `recordSummary("psl5s.mAP", 0.41)`; under the headless runner (`npm run reproduce`)
 * each value lands in a per-notebook fragment `<PSL_REPORT_DIR>/.summary/<PSL_NOTEBOOK>.json`, and the
 * runner merges the fragments into `summary.json` (under "results") after the run. Fragments, not one
 * shared file, so a notebook that fails or is re-run alone never corrupts another notebook's results.
 * In an interactive session (no PSL_REPORT_DIR) values are only kept in memory (`recordedSummary()`).
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { writeJsonAtomic } from "../io/atomic";
import { readJsonFile } from "../io/json-file";
import { UserError } from "../errors";

export type SummaryValue = string | number | boolean | null | SummaryValue[] | { [key: string]: SummaryValue };

/** Environment variables the runner sets for each notebook's kernel. */
export const REPORT_DIR_ENV = "PSL_REPORT_DIR";
export const NOTEBOOK_ENV = "PSL_NOTEBOOK";

const recorded: Record<string, SummaryValue> = {};

/** The fragment file this kernel writes to, or undefined outside the runner. */
export function summaryFragmentPath(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dir = env[REPORT_DIR_ENV];
  const notebook = env[NOTEBOOK_ENV];
  if (!dir || !notebook) return undefined;
  return join(dir, ".summary", `${notebook}.json`);
}

function checkValue(key: string, value: unknown, path: string): void {
  if (value === null || typeof value === "string" || typeof value === "boolean") return;
  if (typeof value === "number") {
    // JSON has no NaN/Infinity; a silent null in summary.json would hide a broken metric.
    if (!Number.isFinite(value)) throw new UserError(`recordSummary("${key}"): ${path} is ${value}, not a finite number`);
    return;
  }
  if (Array.isArray(value)) return value.forEach((v, i) => checkValue(key, v, `${path}[${i}]`));
  if (typeof value === "object") return Object.entries(value as object).forEach(([k, v]) => checkValue(key, v, `${path}.${k}`));
  throw new UserError(`recordSummary("${key}"): ${path} has type ${typeof value}, which JSON cannot hold`);
}

/**
 * Records one headline result (metric, count, setting) under `key`. Keys are global across notebooks
 * (e.g. "teacher.mAP", "psl.chunk5s.mAP"); recording the same key again replaces the value.
 * Returns nothing, so a call as a cell's last expression prints nothing.
 */
export function recordSummary(key: string, value: SummaryValue): void {
  if (key.trim() === "") throw new UserError("recordSummary: the key is empty");
  checkValue(key, value, "value");
  recorded[key] = value;
  const path = summaryFragmentPath();
  if (path !== undefined) {
    const existing = existsSync(path) ? (readJsonFile(path, "recordSummary: the results fragment") as Record<string, SummaryValue>) : {};
    existing[key] = value;
    writeJsonAtomic(path, existing);
  }
}

/** Everything recorded in this process so far (a copy). */
export function recordedSummary(): Record<string, SummaryValue> {
  return JSON.parse(JSON.stringify(recorded)) as Record<string, SummaryValue>;
}

/**
 * The results recorded so far in this run, as summary.json will hold them: under the headless runner every notebook's
 * fragment in `<PSL_REPORT_DIR>/.summary/` (earlier notebooks of the run; merged in name order, as the runner does),
 * then this kernel's own values. In an interactive session (no PSL_REPORT_DIR): this kernel's values only.
 */
export function recordedResults(env: NodeJS.ProcessEnv = process.env): Record<string, SummaryValue> {
  const merged: Record<string, SummaryValue> = {};
  const dir = env[REPORT_DIR_ENV] ? join(env[REPORT_DIR_ENV]!, ".summary") : undefined;
  if (dir && existsSync(dir)) {
    for (const name of readdirSync(dir).filter((f) => f.endsWith(".json")).sort()) {
      Object.assign(merged, readJsonFile(join(dir, name), "recordedResults: the results fragment") as Record<string, SummaryValue>);
    }
  }
  return Object.assign(merged, recordedSummary());
}
