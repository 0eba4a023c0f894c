/**
 * Progress for long runs (teacher/student epochs, annotation, evaluation) with rate and ETA, in three renderings:
 * - inside a tslab notebook kernel: one display entry updated in place (tslab `newDisplay()`), so an executed notebook
 *   keeps a single final line instead of thousands;
 * - on a terminal (TTY): a cli-progress bar;
 * - otherwise (CI logs, nbconvert without a kernel display, redirected output): plain single log lines.
 * Every rendering is throttled (bar and notebook ≤ 2 updates/s; log lines every 5 s by default, so an hour-long run
 * writes ~700 lines, not one per step); `done()` always renders the final state.
 */
import { SingleBar } from "cli-progress";
import { dirname, join } from "node:path";

export type ProgressMode = "notebook" | "tty" | "lines" | "silent";

export interface ProgressOptions {
  /** What is running, e.g. "teacher epoch 3/20". */
  label: string;
  /** Expected number of units; 0 or undefined = unknown (no percentage, no ETA). */
  total?: number;
  /** Unit name for the count and rate, e.g. "clips", "chunks", "steps". */
  unit?: string;
  /** Force a rendering (default: detected — notebook, then TTY, then lines). */
  mode?: ProgressMode;
  /** Where TTY bars and lines go (default process.stderr, keeping stdout for results such as `--json`). */
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Minimum ms between renders (default 500 for bar/notebook, 5000 for lines). */
  minIntervalMs?: number;
  /** Clock in ms (tests inject one). */
  now?: () => number;
}

export interface Progress {
  /** Adds `n` units; `extra` values (e.g. {loss: 0.123}) are shown after the rate and kept until replaced. */
  tick(n?: number, extra?: Record<string, string | number>): void;
  /** Renders the final state and releases the bar / display. Idempotent. */
  done(): void;
}

interface TslabDisplay {
  text(s: string): void;
}

/**
 * tslab's in-place display when this code runs inside a tslab kernel, else undefined.
 * Detected from the kernel's own, already loaded tslab module (require.cache) rather than by `require("tslab")`:
 * requiring tslab outside a kernel loads its bundled TypeScript compiler (~2 s) for nothing, and a kernel started from
 * another tslab install would be a different module instance whose display is "Not ready".
 */
function notebookDisplay(): TslabDisplay | undefined {
  const jupyterModule = Object.keys(require.cache).find((id) => /[\\/]tslab[\\/]dist[\\/]jupyter\.js$/.test(id));
  if (!jupyterModule) return undefined;
  const kernel = require.cache[jupyterModule]?.exports as { lastWriteDisplayData?: unknown } | undefined;
  if (!kernel?.lastWriteDisplayData) return undefined;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const tslab = require(join(dirname(jupyterModule), "public.js")) as { newDisplay(): TslabDisplay };
    return tslab.newDisplay();
  } catch {
    return undefined;
  }
}

/** 75 → "1:15", 4000 → "1:06:40". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
}

function formatRate(rate: number): string {
  if (!Number.isFinite(rate)) return "?";
  return rate >= 100 ? rate.toFixed(0) : rate >= 10 ? rate.toFixed(1) : rate.toFixed(2);
}

function formatExtra(extra: Record<string, string | number>): string {
  return Object.entries(extra)
    .map(([k, v]) => `${k}=${typeof v === "number" ? (Number.isInteger(v) ? v : v.toPrecision(4)) : v}`)
    .join(" ");
}

export function createProgress(options: ProgressOptions): Progress {
  const now = options.now ?? (() => Date.now());
  const stream = options.stream ?? process.stderr;
  const unit = options.unit ?? "items";
  const total = options.total && options.total > 0 ? options.total : 0;
  let display: TslabDisplay | undefined;
  let mode = options.mode;
  if (mode === undefined || mode === "notebook") {
    display = notebookDisplay();
    mode = display ? "notebook" : mode === undefined && stream.isTTY ? "tty" : "lines";
  }
  const minIntervalMs = options.minIntervalMs ?? (mode === "lines" ? 5000 : 500);
  const started = now();
  let count = 0;
  let extra: Record<string, string | number> = {};
  let lastRender = -Infinity;
  let finished = false;

  const bar =
    mode === "tty"
      ? new SingleBar({
          stream,
          format: `${options.label} {bar} {status}`,
          barsize: 24,
          barCompleteChar: "█",
          barIncompleteChar: "░",
          hideCursor: true,
          // We throttle ourselves; let every render we ask for through.
          fps: 1000 / Math.max(minIntervalMs, 1),
        })
      : undefined;

  function status(): string {
    const elapsed = (now() - started) / 1000;
    const rate = elapsed > 0 ? count / elapsed : NaN;
    const parts = [total ? `${count}/${total} ${unit} (${((100 * count) / total).toFixed(1)}%)` : `${count} ${unit}`];
    parts.push(`${formatRate(rate)} ${unit}/s`);
    if (total) parts.push(finished ? `in ${formatDuration(elapsed)}` : `ETA ${formatDuration(rate > 0 ? (total - count) / rate : NaN)}`);
    else parts.push(`elapsed ${formatDuration(elapsed)}`);
    const extraText = formatExtra(extra);
    if (extraText) parts.push(extraText);
    return parts.join("  ");
  }

  function render(force: boolean): void {
    const t = now();
    if (!force && t - lastRender < minIntervalMs) return;
    lastRender = t;
    const text = status();
    // "[psl] " like the library's log lines: a report folds both into one collapsed block per cell.
    if (mode === "notebook") display?.text(`[psl] ${options.label}  ${text}`);
    else if (mode === "tty") bar?.update(Math.min(count, total || count), { status: text });
    else if (mode === "lines") stream.write(`${options.label}  ${text}\n`);
  }

  if (bar) bar.start(total || 1, 0, { status: "" });
  else if (mode === "notebook") render(true);

  return {
    tick(n = 1, more) {
      if (finished) return;
      count += n;
      if (more) extra = { ...extra, ...more };
      render(false);
    },
    done() {
      if (finished) return;
      finished = true;
      if (bar) bar.setTotal(total || count || 1);
      render(true);
      bar?.stop();
    },
  };
}
