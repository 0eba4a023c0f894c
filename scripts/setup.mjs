#!/usr/bin/env node
// Project-local setup: Jupyter (Debian packages), the tslab kernel registered INSIDE the repo, and the
// system tools tests need. Idempotent and quick when everything is present, so `npm run reproduce` and
// `npm test` call it every time and the README stays at two commands.
//
//   node scripts/setup.mjs            everything: Jupyter + kernel + plotly nbextension + the notebook server,
//                                     chromium and sox (tests) + data-source setup scripts
//   node scripts/setup.mjs --check    report what is missing, install nothing (exit 1 if something is)
//   node scripts/setup.mjs --if-possible   (npm's pretest hook) like the default, but when something cannot be
//                                     installed (no root, no sudo) only warn: the tests that need it then say
//                                     they are skipped. Under CI=true it fails instead: CI must never skip.
//
// Nothing global is touched: the kernel spec lives in <repo>/.jupyter/kernels/tslab and plotly.js for live pages in
// <repo>/.jupyter/nbextensions/psl-plotly (both git-ignored), found through JUPYTER_PATH, which jupyterEnv() sets for
// the runner and `npm run jupyter`.
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync, renameSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const JUPYTER_DIR = join(REPO, ".jupyter");
export const KERNEL_NAME = "tslab";
export const CHROMIUM = "/usr/bin/chromium";

// Debian packages per need. python3-ipykernel: nbclient's kernel manager imports parts of it on some setups.
const JUPYTER_PACKAGES = ["jupyter-nbconvert", "jupyter-client", "python3-nbclient", "python3-ipykernel"];
// python3-numpy: test/io/npy.test.ts checks that NumPy reads the kit's .npy files (it skips without numpy, so a machine
// without it would never run that check).
const TEST_PACKAGES = { chromium: CHROMIUM, sox: "/usr/bin/sox", "python3-numpy": "/usr/lib/python3/dist-packages/numpy/__init__.py" };
// The classic notebook server (Debian 12: 6.4.12) for `npm run jupyter` and the live-Jupyter browser tests.
export const NOTEBOOK_SERVER = "/usr/bin/jupyter-notebook";
const NOTEBOOK_PACKAGES = ["jupyter-notebook"];
// plotly.js served to live notebook pages (lib/report/plotly.ts: PLOTLY_NBEXTENSION).
export const PLOTLY_NBEXTENSION_DIR = join(JUPYTER_DIR, "nbextensions", "psl-plotly");

// Other parts of the kit add their own idempotent setup steps here (each must skip what is present).
export const EXTRA_SETUP_SCRIPTS = ["scripts/setup-demo-sources.sh"];

export class SetupError extends Error {}

const PY_CHECK = "import nbclient, nbconvert, nbformat, jupyter_client";

/** A python that can run the notebooks: PSL_PYTHON, then Debian's /usr/bin/python3, then python3 on PATH. */
export function findPython() {
  // The python3 first on PATH may be another installation without Jupyter: prefer the system one.
  const candidates = [process.env.PSL_PYTHON, "/usr/bin/python3", "python3"].filter(Boolean);
  for (const python of candidates) {
    const r = spawnSync(python, ["-c", PY_CHECK], { stdio: "ignore", env: quietPythonEnv() });
    if (r.status === 0) return python;
  }
  return undefined;
}

function quietPythonEnv(base = process.env) {
  // Debian's python 3.11 + debugpy print a "frozen modules" warning on every Jupyter start otherwise.
  return { ...base, PYDEVD_DISABLE_FILE_VALIDATION: "1" };
}

/** Environment for anything that starts Jupyter kernels: finds the project-local kernel first. */
export function jupyterEnv(base = process.env) {
  const existing = base.JUPYTER_PATH ? `:${base.JUPYTER_PATH}` : "";
  return quietPythonEnv({ ...base, JUPYTER_PATH: `${JUPYTER_DIR}${existing}` });
}

function isRoot() {
  return typeof process.getuid === "function" && process.getuid() === 0;
}

function canSudo() {
  return spawnSync("sudo", ["-n", "true"], { stdio: "ignore" }).status === 0;
}

/** apt-get install, as root or through passwordless sudo; otherwise a SetupError saying what to run. */
export function aptInstall(packages, why) {
  const prefix = isRoot() ? [] : canSudo() ? ["sudo", "-n"] : undefined;
  const command = `sudo apt-get install -y --no-install-recommends ${packages.join(" ")}`;
  if (prefix === undefined || !existsSync("/usr/bin/apt-get")) {
    throw new SetupError(`${why}: missing ${packages.join(", ")}.\n  On Debian/Ubuntu run:  ${command}\n  Elsewhere: install the equivalent (for Jupyter: pip install nbclient nbconvert ipykernel, then set PSL_PYTHON=/path/to/that/python).`);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const run = (args) => {
    const [cmd, ...rest] = [...prefix, ...args];
    return spawnSync(cmd, rest, { stdio: "inherit", env }).status === 0;
  };
  console.log(`[setup] ${why}: apt-get install ${packages.join(" ")}`);
  // A fresh container often has empty package lists: update once, only when the install itself fails.
  if (!run(["apt-get", "install", "-y", "--no-install-recommends", ...packages])) {
    if (!run(["apt-get", "update"]) || !run(["apt-get", "install", "-y", "--no-install-recommends", ...packages])) {
      throw new SetupError(`${why}: apt-get could not install ${packages.join(" ")} (see the apt output above)`);
    }
  }
}

/** Makes sure a python with nbclient/nbconvert exists; returns its path. */
export function ensureJupyter({ install = true } = {}) {
  let python = findPython();
  if (python) return python;
  if (!install) throw new SetupError(`Jupyter (nbclient, nbconvert) not found; run: npm run setup`);
  aptInstall(JUPYTER_PACKAGES, "Jupyter for the notebook runner");
  python = findPython();
  if (!python) throw new SetupError("Jupyter packages installed but /usr/bin/python3 still cannot import nbclient/nbconvert");
  return python;
}

/** The kernel spec, pointing at this checkout's tslab with this node (absolute paths: kernels start in the notebook's folder). */
export function kernelSpec() {
  return {
    // scripts/tslab-kernel.cjs = tslab's own launcher plus in-order output sending (see there why).
    argv: [process.execPath, join(REPO, "scripts", "tslab-kernel.cjs"), "kernel", "--config-path", "{connection_file}"],
    display_name: "TypeScript (PSL Lab)",
    language: "typescript",
    metadata: { psl: "project-local tslab kernel written by scripts/setup.mjs" },
  };
}

/** Writes <repo>/.jupyter/kernels/tslab/kernel.json when missing or stale; returns its path. */
export function registerKernel() {
  if (!existsSync(join(REPO, "node_modules", "tslab", "bin", "tslab"))) {
    throw new SetupError("node_modules/tslab is missing: run `npm ci` first");
  }
  const dir = join(JUPYTER_DIR, "kernels", KERNEL_NAME);
  const path = join(dir, "kernel.json");
  const text = `${JSON.stringify(kernelSpec(), null, 2)}\n`;
  if (existsSync(path) && readFileSync(path, "utf8") === text) return path;
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
  console.log(`[setup] registered the project-local tslab kernel: ${path}`);
  return path;
}

/** Debian's classic notebook server, installed when missing (`npm run jupyter`, the live-Jupyter tests). */
export function ensureNotebookServer({ install = true } = {}) {
  if (existsSync(NOTEBOOK_SERVER)) return NOTEBOOK_SERVER;
  if (!install) throw new SetupError(`the notebook server (${NOTEBOOK_SERVER}) is missing; run: npm run setup`);
  aptInstall(NOTEBOOK_PACKAGES, "the Jupyter notebook server for interactive use");
  if (!existsSync(NOTEBOOK_SERVER)) throw new SetupError(`jupyter-notebook installed but ${NOTEBOOK_SERVER} is still missing`);
  return NOTEBOOK_SERVER;
}

/**
 * Copies plotly.js into <repo>/.jupyter/nbextensions/psl-plotly/plotly.min.js (when missing or different): the notebook
 * server serves it at /nbextensions/psl-plotly/plotly.min.js, and every chart in a live page loads it from there with
 * the page's require.js, once per page (see lib/report/plotly.ts for why the bundle is not sent by the kernel there).
 */
export function installPlotlyNbextension() {
  const source = join(REPO, "node_modules", "plotly.js-dist-min", "plotly.min.js");
  if (!existsSync(source)) throw new SetupError("node_modules/plotly.js-dist-min is missing: run `npm ci` first");
  const target = join(PLOTLY_NBEXTENSION_DIR, "plotly.min.js");
  if (existsSync(target) && statSync(target).size === statSync(source).size && readFileSync(target).equals(readFileSync(source))) return target;
  mkdirSync(PLOTLY_NBEXTENSION_DIR, { recursive: true });
  copyFileSync(source, `${target}.tmp`);
  renameSync(`${target}.tmp`, target);
  console.log(`[setup] plotly.js for live notebook pages: ${target}`);
  return target;
}

/** Test tools (chromium for the report test, sox for audio tests, numpy for the .npy check). */
export function ensureTestTools({ install = true } = {}) {
  const missing = Object.entries(TEST_PACKAGES).filter(([, bin]) => !existsSync(bin)).map(([pkg]) => pkg);
  if (missing.length === 0) return;
  if (!install) throw new SetupError(`missing ${missing.join(", ")}; run: npm run setup`);
  aptInstall(missing, "tools the tests use");
}

/** Runs the other parts' setup scripts (each idempotent), in order. */
export function runExtraSetupScripts() {
  for (const script of EXTRA_SETUP_SCRIPTS) {
    const path = join(REPO, script);
    if (!existsSync(path)) continue;
    const r = spawnSync("bash", [path], { stdio: "inherit", cwd: REPO });
    if (r.status !== 0) throw new SetupError(`${script} failed (exit ${r.status})`);
  }
}

/** Everything `npm run reproduce` needs; `tests` adds the test tools. Returns the python to use. */
export function setup({ tests = false, install = true } = {}) {
  const python = ensureJupyter({ install });
  registerKernel();
  installPlotlyNbextension();
  if (tests) {
    ensureTestTools({ install });
    ensureNotebookServer({ install });
  }
  if (install) runExtraSetupScripts();
  return python;
}

function check() {
  const python = findPython();
  const kernel = join(JUPYTER_DIR, "kernels", KERNEL_NAME, "kernel.json");
  const rows = [
    ["python with nbclient/nbconvert", python ?? "MISSING (npm run setup)"],
    ["project tslab kernel", existsSync(kernel) ? kernel : "MISSING (npm run setup)"],
    ["plotly nbextension", existsSync(join(PLOTLY_NBEXTENSION_DIR, "plotly.min.js")) ? PLOTLY_NBEXTENSION_DIR : "MISSING (npm run setup)"],
    ["notebook server", existsSync(NOTEBOOK_SERVER) ? NOTEBOOK_SERVER : "MISSING (npm run setup)"],
    ...Object.entries(TEST_PACKAGES).map(([pkg, bin]) => [pkg, existsSync(bin) ? bin : "MISSING (npm run setup)"]),
  ];
  for (const [what, where] of rows) console.log(`${what.padEnd(32)} ${where}`);
  if (python) {
    const out = execFileSync(python, ["-c", "import nbclient, nbconvert; print(nbclient.__version__, nbconvert.__version__)"], { env: quietPythonEnv(), encoding: "utf8" });
    const [nbclient, nbconvert] = out.trim().split(" ");
    console.log(`${"nbclient / nbconvert".padEnd(32)} ${nbclient} / ${nbconvert}`);
  }
  return rows.some(([, where]) => where.startsWith("MISSING")) ? 1 : 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    if (process.argv.includes("--check")) process.exit(check());
    const started = Date.now();
    const python = setup({ tests: true });
    if (!process.argv.includes("--if-possible")) console.log(`[setup] ready (python: ${python}, kernel: ${KERNEL_NAME} in ${JUPYTER_DIR}) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } catch (error) {
    if (error instanceof SetupError) {
      console.error(`setup: ${error.message}`);
      const lenient = process.argv.includes("--if-possible") && process.env.CI !== "true";
      if (lenient) console.error("setup: continuing; tests that need the missing tools will be skipped");
      process.exit(lenient ? 0 : 1);
    }
    throw error;
  }
}
