#!/usr/bin/env node
// `npm run reproduce [-- options]` and `npm run report -- notebooks/<name>.ipynb [options]`.
//
// 1. setup (Jupyter + project-local tslab kernel + data-source setup steps; instant when present),
// 2. build lib/ → lib/dist (notebooks import the compiled `@psl-lab/lib`: tslab compiles each cell with
//    rootDir = the kernel's cwd, so it cannot compile ../lib/*.ts itself),
// 3. execute the notebooks with scripts/run_notebooks.py (options: see --help).
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { REPO, SetupError, jupyterEnv, setup, findPython } from "./setup.mjs";

// The run-time targets (lib/report/run-time-target.ts) count the whole command: setup and lib build too.
const commandStartedMs = Date.now();
const argv = process.argv.slice(2);
const single = argv[0] === "--report";
const args = single ? argv.slice(1) : argv;
const runner = join(REPO, "scripts", "run_notebooks.py");

if (args.includes("--help") || args.includes("-h")) {
  const python = findPython() ?? "/usr/bin/python3";
  process.exit(spawnSync(python, [runner, "--help"], { stdio: "inherit", env: jupyterEnv() }).status ?? 1);
}

let python;
try {
  python = setup({ tests: false });
} catch (error) {
  if (error instanceof SetupError) {
    console.error(`reproduce: ${error.message}`);
    process.exit(1);
  }
  throw error;
}

/** Compiles lib/ (incremental tsc); type errors stop the run: a notebook must never import a half-built library. */
function buildLib() {
  const started = Date.now();
  const tsc = join(REPO, "node_modules", "typescript", "bin", "tsc");
  const r = spawnSync(process.execPath, [tsc, "-p", join(REPO, "lib", "tsconfig.json")], { stdio: "inherit", cwd: REPO });
  if (r.status !== 0) {
    console.error("reproduce: building lib/ failed (errors above); fix them, or run `npm run build` to see them again");
    process.exit(1);
  }
  console.log(`[reproduce] lib built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

buildLib();
const command = `npm run ${single ? "report" : "reproduce"}${args.length ? ` -- ${args.join(" ")}` : ""}`;
const extra = single ? ["--single"] : [];
// PSL_NODE: the runner typesets TeX with this node (scripts/render-math.mjs), whatever node is first on PATH.
const r = spawnSync(python, [runner, ...extra, "--command", command, ...args], { stdio: "inherit", env: { ...jupyterEnv(), PSL_NODE: process.execPath, PSL_COMMAND_STARTED_MS: String(commandStartedMs) }, cwd: REPO });
process.exit(r.status ?? 1);
