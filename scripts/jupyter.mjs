#!/usr/bin/env node
// `npm run jupyter [-- options]`: the notebooks, live, in Debian's classic Jupyter Notebook with the project's kernel.
//
// 1. installs what is missing (Debian's jupyter-notebook and nbclient, through scripts/setup.mjs), registers the
//    project-local kernel and the plotly nbextension in <repo>/.jupyter (nothing in ~/.local or /usr/share),
// 2. builds lib/ (notebooks import the compiled @psl-lab/lib),
// 3. starts the notebook server bound to 127.0.0.1 with a fresh token, the "TypeScript (PSL Lab)" kernel as the
//    default, JUPYTER_PATH=<repo>/.jupyter, and PSL_PLOTLY=nbextension for its kernels: charts then load plotly.js from
//    the server once per page (lib/report/plotly.ts), so they draw after a reload or in a second tab too.
//
// Options (anything else goes to jupyter-notebook as is, e.g. --port=8899 --no-browser):
//   --token=T      use this token instead of a random one (also: JUPYTER_TOKEN)
// After editing lib/*.ts while a notebook is open: `npm run build`, then restart the kernel.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { NOTEBOOK_SERVER, REPO, SetupError, jupyterEnv, ensureJupyter, ensureNotebookServer, installPlotlyNbextension, registerKernel } from "./setup.mjs";

const args = process.argv.slice(2);
const tokenArg = args.find((a) => a.startsWith("--token="));
const token = tokenArg?.slice("--token=".length) || process.env.JUPYTER_TOKEN || randomBytes(24).toString("hex");
const passThrough = args.filter((a) => a !== tokenArg);

try {
  ensureJupyter();
  ensureNotebookServer();
  registerKernel();
  installPlotlyNbextension();
} catch (error) {
  if (!(error instanceof SetupError)) throw error;
  console.error(`jupyter: ${error.message}`);
  process.exit(1);
}

const tsc = join(REPO, "node_modules", "typescript", "bin", "tsc");
if (spawnSync(process.execPath, [tsc, "-p", join(REPO, "lib", "tsconfig.json")], { stdio: "inherit", cwd: REPO }).status !== 0) {
  console.error("jupyter: building lib/ failed (errors above)");
  process.exit(1);
}

const env = { ...jupyterEnv(), PSL_PLOTLY: "nbextension" };
const serverArgs = [
  "--ip=127.0.0.1",
  `--NotebookApp.token=${token}`,
  // The repository root (notebooks/ one click away) unless the caller names another folder.
  ...(passThrough.some((a) => a.startsWith("--notebook-dir")) ? [] : [`--notebook-dir=${REPO}`]),
  "--MultiKernelManager.default_kernel_name=tslab",
  // Containers and CI run as root; the server refuses that without this flag. It listens on 127.0.0.1 only.
  ...(process.getuid?.() === 0 ? ["--allow-root"] : []),
  ...passThrough,
];
console.log(`[jupyter] jupyter-notebook (kernel "TypeScript (PSL Lab)", JUPYTER_PATH=${env.JUPYTER_PATH.split(":")[0]})`);
console.log(`[jupyter] open the URL with ?token=${token} that the server prints below; Ctrl-C stops it`);
const server = spawn(NOTEBOOK_SERVER, serverArgs, { stdio: "inherit", env, cwd: REPO });
// Ctrl-C reaches the server through the terminal's process group; SIGTERM (a test, a supervisor) is passed on.
for (const signal of ["SIGTERM", "SIGHUP"]) process.on(signal, () => server.kill(signal));
server.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
