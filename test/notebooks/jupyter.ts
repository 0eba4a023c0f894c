/**
 * A live Jupyter for browser tests: `npm run jupyter` (scripts/jupyter.mjs) on a free localhost port with a known
 * token, serving a throw-away copy of notebooks/ (inside the repository, so `@psl-lab/lib` and the caches resolve
 * as for the real folder, while autosave cannot touch the committed notebooks), and headless Chromium driving the
 * classic notebook page through its own `Jupyter` object, as a user's clicks would.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { REPO } from "./runner";
import { CHROMIUM_PATH, launchPage, type OfflinePage } from "../report/chromium";

export const NOTEBOOK_SERVER = "/usr/bin/jupyter-notebook";

/** undefined when a live Jupyter can run here; otherwise why not. Under CI=true a missing piece is an error. */
export function liveJupyterMissing(): string | undefined {
  const missing = [NOTEBOOK_SERVER, CHROMIUM_PATH].filter((path) => !existsSync(path));
  if (missing.length === 0) return undefined;
  const why = `${missing.join(", ")} not found (npm run setup installs jupyter-notebook and chromium)`;
  if (process.env.CI === "true") throw new Error(`CI: ${why}`);
  console.log(`# skipping live Jupyter checks: ${why}`);
  return why;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface LiveJupyter {
  /** http://127.0.0.1:<port>/notebooks/<name>?token=… for a notebook of the served copy. */
  notebookUrl(name: string): string;
  /** The server's output so far (for failure messages). */
  log(): string;
  stop(): Promise<void>;
}

/** Starts `node scripts/jupyter.mjs` and waits until its API answers. */
export async function startJupyter(options: { timeoutMs?: number } = {}): Promise<LiveJupyter> {
  const port = await freePort();
  const token = randomBytes(16).toString("hex");
  mkdirSync(join(REPO, ".cache"), { recursive: true });
  const root = mkdtempSync(join(REPO, ".cache", "jupyter-test-"));
  cpSync(join(REPO, "notebooks"), join(root, "notebooks"), { recursive: true });
  // Jupyter's per-user config, runtime and data (notebook signatures) in a temp folder: nothing of the developer's.
  const home = mkdtempSync(join(tmpdir(), "psl-jupyter-home-"));
  let output = "";
  const child: ChildProcess = spawn(
    process.execPath,
    [join(REPO, "scripts", "jupyter.mjs"), `--port=${port}`, "--port-retries=0", "--no-browser", `--token=${token}`, `--notebook-dir=${root}`],
    {
      cwd: REPO,
      env: { ...process.env, JUPYTER_CONFIG_DIR: join(home, "config"), JUPYTER_DATA_DIR: join(home, "data"), JUPYTER_RUNTIME_DIR: join(home, "runtime") },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const base = `http://127.0.0.1:${port}`;
  const api = async (path: string, method = "GET") => fetch(`${base}${path}${path.includes("?") ? "&" : "?"}token=${token}`, { method });
  const deadline = Date.now() + (options.timeoutMs ?? 180_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`npm run jupyter exited (${child.exitCode}):\n${output}`);
    try {
      if ((await api("/api/status")).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGTERM");
      throw new Error(`the notebook server did not answer within ${options.timeoutMs ?? 180_000} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return {
    notebookUrl: (name) => `${base}/notebooks/notebooks/${encodeURIComponent(name)}?token=${token}`,
    log: () => output,
    async stop() {
      try {
        // Shut the kernels down through the API: they run in sessions of their own, beyond a signal to the server.
        const kernels = (await (await api("/api/kernels")).json()) as { id: string }[];
        for (const kernel of kernels) await api(`/api/kernels/${kernel.id}`, "DELETE");
      } catch {
        // the server is already gone
      }
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
        if (child.exitCode === null) child.kill("SIGKILL");
      }
      rmSync(root, { recursive: true, force: true });
      rmSync(home, { recursive: true, force: true });
    },
  };
}

export type NotebookPage = OfflinePage;

/** Opens a notebook of the live server in headless Chromium (only the server itself is reachable). */
export async function openNotebook(url: string): Promise<NotebookPage> {
  const origin = new URL(url).origin;
  const notebook = await launchPage((target) => target.startsWith(origin) || target.startsWith("data:"));
  // The notebook asks before leaving a page with unsaved changes; a reload in a test means yes.
  notebook.page.on("dialog", (dialog) => void dialog.accept());
  try {
    await gotoNotebook(notebook, url);
  } catch (error) {
    await notebook.close();
    throw error;
  }
  return notebook;
}

/** Loads (or reloads) the notebook page and waits for its kernel; autosave off (the test never saves). */
export async function gotoNotebook(notebook: NotebookPage, url?: string): Promise<void> {
  if (url) await notebook.page.goto(url, { waitUntil: "load" });
  else await notebook.page.reload({ waitUntil: "load" });
  await notebook.page.waitForFunction("window.Jupyter && Jupyter.notebook && Jupyter.notebook.kernel && Jupyter.notebook.kernel.is_connected()", undefined, { timeout: 120_000 });
  await notebook.page.evaluate("Jupyter.notebook.set_autosave_interval(0)");
}

/** Replaces text in the cell tagged `parameters` (as a user editing it would), returning the new source. */
export async function editParameters(notebook: NotebookPage, edits: Array<[RegExp, string]>): Promise<string> {
  const source = (await notebook.page.evaluate(
    "Jupyter.notebook.get_cells().find((c) => ((c.metadata || {}).tags || []).includes('parameters')).get_text()",
  )) as string;
  let edited = source;
  for (const [pattern, replacement] of edits) {
    if (!pattern.test(edited)) throw new Error(`parameters cell has no ${pattern}:\n${source}`);
    edited = edited.replace(pattern, replacement);
  }
  await notebook.page.evaluate(
    `Jupyter.notebook.get_cells().find((c) => ((c.metadata || {}).tags || []).includes('parameters')).set_text(${JSON.stringify(edited)})`,
  );
  return edited;
}

/** Code cells that have run since `after` (prompt numbers), their count, and whether the kernel is idle. */
const PROGRESS = `(() => {
  const code = Jupyter.notebook.get_cells().filter((c) => c.cell_type === "code");
  const numbers = code.map((c) => c.input_prompt_number);
  return { total: code.length, numbers, idle: !!document.querySelector("#kernel_indicator_icon.kernel_idle_icon") };
})()`;

export interface RunAllResult {
  seconds: number;
  /** stderr text of cells that looks like an error (tslab reports errors on stderr). */
  errors: string[];
}

/**
 * Cell → Run All (the menu), then waits until every code cell has a prompt number above `after` and the kernel is
 * idle. `onPoll` runs every half second while it waits (e.g. to watch a live chart).
 */
export async function runAll(notebook: NotebookPage, options: { timeoutMs?: number; onPoll?: () => Promise<void> } = {}): Promise<RunAllResult> {
  const { page } = notebook;
  const before = (await page.evaluate(PROGRESS)) as { numbers: Array<number | null | string> };
  const highest = Math.max(0, ...before.numbers.filter((n): n is number => typeof n === "number"));
  await page.click("#celllink");
  await page.click("#run_all_cells > a");
  const started = Date.now();
  const deadline = started + (options.timeoutMs ?? 600_000);
  for (;;) {
    const state = (await page.evaluate(PROGRESS)) as { total: number; numbers: Array<number | null | string>; idle: boolean };
    if (state.idle && state.numbers.every((n) => typeof n === "number" && n > highest)) break;
    if (Date.now() > deadline) throw new Error(`Run All did not finish in ${options.timeoutMs ?? 600_000} ms: prompts ${JSON.stringify(state.numbers)}`);
    await options.onPoll?.();
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const stderr = (await page.evaluate(
    `Jupyter.notebook.get_cells().flatMap((c) => (c.output_area ? c.output_area.outputs : []))
      .filter((o) => o.output_type === "error" || (o.output_type === "stream" && o.name === "stderr")).map((o) => o.text || o.evalue || "")`,
  )) as string[];
  const errors = stderr.filter((text) => /(^\d+:\d+ - )|Error:|UncaughtException|UnhandledPromiseRejection/m.test(text));
  return { seconds: (Date.now() - started) / 1000, errors };
}

/** Charts on the page: how many, how many Plotly drew (an svg.main-svg inside), and any "Chart not drawn" text. */
export async function chartState(notebook: NotebookPage): Promise<{ charts: number; drawn: number; notDrawn: string[] }> {
  return (await notebook.page.evaluate(`(() => {
    const charts = [...document.querySelectorAll(".psl-plot")];
    return {
      charts: charts.length,
      drawn: charts.filter((el) => el.querySelector("svg.main-svg")).length,
      notDrawn: charts.map((el) => el.textContent || "").filter((t) => t.startsWith("Chart not drawn")),
    };
  })()`)) as { charts: number; drawn: number; notDrawn: string[] };
}

/** Waits until every chart on the page is drawn (Plotly renders asynchronously after the output arrives). */
export async function waitForCharts(notebook: NotebookPage, timeoutMs = 60_000): Promise<{ charts: number; drawn: number; notDrawn: string[] }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await chartState(notebook);
    if ((state.charts > 0 && state.drawn === state.charts) || state.notDrawn.length > 0 || Date.now() > deadline) return state;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * With PSL_SCREENSHOT_DIR set, saves a PNG of the page scrolled to its `nth` chart (for a person to look at; the
 * assertions never depend on it).
 */
export async function screenshot(notebook: NotebookPage, name: string, nth = 0): Promise<void> {
  const dir = process.env.PSL_SCREENSHOT_DIR;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  await notebook.page.evaluate(`(() => { const el = document.querySelectorAll(".psl-plot")[${nth}]; if (el) el.scrollIntoView({ block: "center" }); })()`);
  await notebook.page.screenshot({ path: join(dir, `${name}.png`) });
}

/** Text of the tables whose caption starts with `caption` (lib/report/tables.ts puts the caption in a div). */
export async function tableText(notebook: NotebookPage, caption: string): Promise<string[]> {
  return (await notebook.page.evaluate(`[...document.querySelectorAll(".psl-table")]
    .filter((el) => (el.firstElementChild && el.firstElementChild.textContent || "").startsWith(${JSON.stringify(caption)}))
    .map((el) => el.textContent || "")`)) as string[];
}
