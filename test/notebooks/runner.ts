/**
 * Helpers for tests that execute notebooks through the real runner (Jupyter + the project's tslab kernel).
 * Missing Jupyter is a clear skip locally and a hard failure under CI=true (CI must never skip them).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { repoRoot } from "../../lib/io/repo-root";

export const REPO = repoRoot();
const PYTHON = process.env.PSL_PYTHON ?? "/usr/bin/python3";
const KERNEL = join(REPO, ".jupyter", "kernels", "tslab", "kernel.json");

/** undefined when notebooks can run here; otherwise why not (and a skip notice). Throws under CI. */
export function jupyterMissing(): string | undefined {
  let why: string | undefined;
  if (spawnSync(PYTHON, ["-c", "import nbclient, nbconvert, nbformat"], { stdio: "ignore" }).status !== 0) {
    why = `${PYTHON} cannot import nbclient/nbconvert (npm run setup installs them)`;
  } else if (!existsSync(KERNEL)) {
    why = `the project's tslab kernel is not registered (${KERNEL}; npm run setup writes it)`;
  }
  if (why && process.env.CI === "true") throw new Error(`CI: ${why}`);
  if (why) console.log(`# skipping notebook execution tests: ${why}`);
  return why;
}

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
  outDir: string;
}

/**
 * Runs the notebook runner into a fresh temp folder. `build: true` goes through scripts/reproduce.mjs
 * (setup + lib build, exactly what `npm run reproduce` does); otherwise the Python driver directly
 * (fixtures that do not import the library need no build).
 */
export function runRunner(args: string[], options: { build?: boolean; timeoutMs?: number } = {}): RunResult {
  const outDir = mkdtempSync(join(tmpdir(), "psl-reports-"));
  const env = { ...process.env, JUPYTER_PATH: join(REPO, ".jupyter"), PYDEVD_DISABLE_FILE_VALIDATION: "1", PSL_NODE: process.execPath };
  const command = options.build
    ? [process.execPath, join(REPO, "scripts", "reproduce.mjs")]
    : [PYTHON, join(REPO, "scripts", "run_notebooks.py")];
  const r = spawnSync(command[0], [...command.slice(1), ...args, "--out", outDir], {
    cwd: REPO,
    env,
    encoding: "utf8",
    timeout: options.timeoutMs ?? 300_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, outDir };
}

export interface NotebookJson {
  nbformat: number;
  metadata: { kernelspec?: { name?: string } };
  cells: {
    cell_type: string;
    source: string | string[];
    metadata: { tags?: string[] };
    execution_count?: number | null;
    outputs?: { output_type: string; name?: string; text?: string | string[]; data?: Record<string, unknown> }[];
  }[];
}

export const readNotebook = (path: string): NotebookJson => JSON.parse(readFileSync(path, "utf8")) as NotebookJson;
export const text = (value: string | string[] | undefined): string => (Array.isArray(value) ? value.join("") : (value ?? ""));

/** All stream text and text/html of a notebook's outputs, concatenated. */
export function allOutputText(nb: NotebookJson): string {
  return nb.cells
    .flatMap((c) => c.outputs ?? [])
    .map((o) => text(o.text) + text(o.data?.["text/html"] as string | string[] | undefined) + text(o.data?.["text/plain"] as string | string[] | undefined))
    .join("\n");
}
