#!/usr/bin/env node
// `npm run jupyter [-- extra jupyter args]`: interactive notebooks with the project's tslab kernel.
// Builds lib/ once (notebooks import the compiled @psl-lab/lib), registers the project-local kernel,
// then starts JupyterLab (or the classic notebook) with JUPYTER_PATH pointing at <repo>/.jupyter,
// so the kernel is found without installing anything into ~/.local or /usr/share.
// After editing lib/*.ts while a notebook is open: `npm run build`, then restart the kernel.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { REPO, SetupError, jupyterEnv, ensureJupyter, registerKernel } from "./setup.mjs";

try {
  ensureJupyter();
  registerKernel();
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

const env = jupyterEnv();
const frontEnds = [
  ["jupyter-lab", "lab"],
  ["jupyter-notebook", "notebook"],
];
for (const [binary, sub] of frontEnds) {
  if (spawnSync("sh", ["-c", `command -v ${binary}`], { stdio: "ignore", env }).status === 0) {
    console.log(`[jupyter] starting: jupyter ${sub} (kernel "TypeScript (PSL Lab)"; JUPYTER_PATH=${env.JUPYTER_PATH})`);
    const r = spawnSync("jupyter", [sub, "--notebook-dir", REPO, ...process.argv.slice(2)], { stdio: "inherit", env, cwd: join(REPO, "notebooks") });
    process.exit(r.status ?? 0);
  }
}
console.error(
  [
    "jupyter: no JupyterLab / Notebook front-end is installed (the headless runner only needs nbclient).",
    "Install one, then run `npm run jupyter` again:",
    "  Debian/Ubuntu:  sudo apt-get install jupyter-notebook      (or: pip install jupyterlab)",
    "Or use any Jupyter you already have, e.g. VS Code: select the kernel after",
    `  export JUPYTER_PATH=${env.JUPYTER_PATH.split(":")[0]}`,
  ].join("\n"),
);
process.exit(1);
