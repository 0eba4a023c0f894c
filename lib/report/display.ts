/**
 * Rich output from library code into the running notebook.
 *
 * Notebooks run in tslab; its `display` API only works inside a live kernel (it throws "Not ready"
 * elsewhere, e.g. in tests or the CLI), and only through the module instance the kernel itself loaded.
 */
import { dirname, join } from "node:path";

interface TslabDisplay {
  html(s: string): void;
  text(s: string): void;
}

let cached: { jupyterModule: string; display: TslabDisplay } | undefined;

function tslabDisplay(): TslabDisplay | null {
  // Only a tslab kernel process has tslab's jupyter.js loaded; never load tslab ourselves just to find out.
  // Use the public.js NEXT TO the loaded jupyter.js: a kernel started from another tslab install (e.g. a
  // global one) must get its own instance, whose display hooks are live, not this project's copy.
  // Looked up on every call (a scan of require.cache) and cached only when found: "not in a kernel" is not
  // permanent for a module that a test, or a kernel's later cell, loads before tslab is.
  const jupyterModule = Object.keys(require.cache).find((path) => /[\\/]tslab[\\/]dist[\\/]jupyter\.js$/.test(path));
  if (!jupyterModule) return null;
  if (cached?.jupyterModule === jupyterModule) return cached.display;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const display = (require(join(dirname(jupyterModule), "public.js")) as { display: TslabDisplay }).display;
    cached = { jupyterModule, display };
    return display;
  } catch {
    return null;
  }
}

/** True when running inside a tslab kernel (a notebook), false in CLI runs and tests. */
export function inNotebook(): boolean {
  return tslabDisplay() !== null;
}

/**
 * Shows an HTML fragment as the current cell's output. Returns false (and shows nothing) outside a
 * notebook, so callers can fall back to console output.
 */
export function displayHtml(html: string): boolean {
  const display = tslabDisplay();
  if (display === null) return false;
  try {
    display.html(html);
    return true;
  } catch {
    // tslab throws "Not ready" between kernel start and the first execute request.
    return false;
  }
}

/** Escapes text for use inside HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string);
}

/**
 * A warning a reader must not miss: a boxed paragraph in a notebook (and so in its HTML report); outside a notebook (CLI
 * runs, scripts, tests) the same text on stderr as "warning: …".
 */
export function showWarning(message: string, title = "Warning"): void {
  const shown = displayHtml(
    "<div class='psl-warning' style='border:2px solid #b00;background:#fff4f4;padding:8px 12px;margin:6px 0;font:14px/1.45 sans-serif'>" +
      `<b style='color:#b00'>${escapeHtml(title)}</b><br>${escapeHtml(message)}</div>`,
  );
  if (!shown) console.error(`warning: ${title}: ${message}`);
}

/**
 * A caveat for reading the figures next to it (how they were measured, what they compare with): a quiet boxed
 * paragraph in a notebook, "note: …" on stdout elsewhere. Nothing is shown for an empty message, so a caller can pass
 * a note that applies only sometimes (e.g. to one profile).
 */
export function showNote(message: string, title = "Note"): void {
  if (message === "") return;
  const shown = displayHtml(
    "<div class='psl-note' style='border-left:4px solid #8c959f;background:#f6f8fa;padding:6px 12px;margin:6px 0;font:13px/1.45 sans-serif'>" +
      `<b>${escapeHtml(title)}</b> · ${escapeHtml(message)}</div>`,
  );
  if (!shown) console.log(`note: ${title}: ${message}`);
}
