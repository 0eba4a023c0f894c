#!/usr/bin/python3
"""Headless notebook runner for PSL Lab (called by scripts/reproduce.mjs after it built lib/).

Executes notebooks with nbclient on the project-local tslab kernel, injects parameters the way papermill
does (a cell tagged `injected-parameters` right after the cell tagged `parameters`), writes the executed
.ipynb and a self-contained HTML report per notebook, then `index.html` and `summary.json`.

Papermill itself has no TypeScript support, hence this small driver. Why the failure checks are so
explicit: tslab reports compile and runtime errors as *stderr stream* outputs, not `error` outputs, and
after a failure it silently skips later cells (they get an execution count but no output). The runner
therefore stops at the first cell whose execute_reply is not "ok" (or that printed an uncaught exception)
and prints that cell's source and error: a report that only *looks* complete is never written as "ok".

Runs on Debian's /usr/bin/python3 (python3-nbclient, python3-nbconvert); needs nothing from pip.
"""
import argparse
import asyncio
import datetime as dt
import html
import json
import os
import platform
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

REPO = Path(__file__).resolve().parent.parent
TEMPLATES = REPO / "scripts" / "nbconvert-templates"
KERNEL_NAME = "tslab"
PARAMETER_NAME = re.compile(r"^[A-Za-z_$][\w$]*$")
# One declaration per statement: `let chunkSeconds = 10;` or `let profile: "quick" | "default" = "default";`
DECLARATION = re.compile(r"^\s*(?:export\s+)?(let|const|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=]+)?=\s*(.*?);?\s*(?://.*)?$")
# stderr text that means the cell (or a callback it started) failed even though the reply said "ok".
FAILURE_IN_STDERR = re.compile(r"^(UncaughtException|UnhandledPromiseRejection)\b", re.M)
STREAM_HTML_MAX_LINES = 200
IOPUB_TIMEOUT_S = 300
CURRENT_UMASK = os.umask(0)
os.umask(CURRENT_UMASK)


class RunnerError(Exception):
    """A problem with the runner's input (bad --set, missing notebook): exit 2 with the message."""


class CellFailed(Exception):
    def __init__(self, cell_index, cell, reason):
        super().__init__(reason)
        self.cell_index = cell_index
        self.cell = cell
        self.reason = reason


# ---------------------------------------------------------------------------------------------- files


def write_atomic(path: Path, data: str) -> None:
    """Temp file in the same folder + fsync + rename: readers never see a half-written report."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, 0o666 & ~CURRENT_UMASK)  # mkstemp makes 0600 files; reports are meant to be shared
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_json(path: Path, value) -> None:
    write_atomic(path, json.dumps(value, indent=2, ensure_ascii=False) + "\n")


# ----------------------------------------------------------------------------------------- parameters


def parse_value(text: str):
    """`--set k=v`: v as JSON when it parses (5, 0.3, true, "s", [1,2]), otherwise the plain string."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def collect_parameters(args) -> tuple:
    """Returns (overrides, explicit_keys): --params file first, then --set (later wins), then --quick."""
    overrides = {}
    if args.params:
        path = Path(args.params)
        try:
            loaded = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise RunnerError(f"--params {path}: file not found")
        except json.JSONDecodeError as e:
            raise RunnerError(f"--params {path}: not valid JSON ({e})")
        if not isinstance(loaded, dict):
            raise RunnerError(f"--params {path}: expected a JSON object {{\"name\": value}}")
        overrides.update(loaded)
    for item in args.set or []:
        if "=" not in item:
            raise RunnerError(f"--set {item}: expected name=value (e.g. --set chunkSeconds=5)")
        key, value = item.split("=", 1)
        overrides[key.strip()] = parse_value(value.strip())
    for key in overrides:
        if not PARAMETER_NAME.match(key):
            raise RunnerError(f"parameter name {key!r} is not a valid TypeScript identifier")
    explicit = set(overrides)
    if args.quick and "profile" not in overrides:
        overrides["profile"] = "quick"
    if getattr(args, "full", False) and "profile" not in overrides:
        overrides["profile"] = "full"
    return overrides, explicit


def parameters_cell_index(nb):
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            return i
    return None


def declared_parameters(nb) -> dict:
    """name -> {"kind": let|const|var, "default": source text} from the notebook's parameters cell."""
    index = parameters_cell_index(nb)
    if index is None:
        return {}
    out = {}
    for line in nb.cells[index].source.splitlines():
        m = DECLARATION.match(line)
        if m:
            out[m.group(2)] = {"kind": m.group(1), "default": m.group(3).strip()}
    return out


def inject_parameters(nb, name: str, overrides: dict) -> dict:
    """Adds the `injected-parameters` cell (replacing an old one); returns the overrides that apply here."""
    nb.cells = [c for c in nb.cells if "injected-parameters" not in c.get("metadata", {}).get("tags", [])]
    declared = declared_parameters(nb)
    applied = {k: v for k, v in overrides.items() if k in declared}
    if not applied:
        return {}
    for key in applied:
        if declared[key]["kind"] == "const":
            raise RunnerError(f"{name}: parameter {key!r} is declared with const in the parameters cell; declare it with let so it can be overridden")
    lines = ["// Injected by the PSL runner (--set / --params / --quick); overrides the defaults above."]
    lines += [f"{key} = {json.dumps(value, ensure_ascii=False)};" for key, value in applied.items()]
    cell = nbformat.v4.new_code_cell("\n".join(lines), metadata={"tags": ["injected-parameters"]})
    if nb.get("nbformat_minor", 0) < 5:
        cell.pop("id", None)  # cell ids exist from nbformat 4.5 on; older notebooks must not have them
    nb.cells.insert(parameters_cell_index(nb) + 1, cell)
    return applied


# ------------------------------------------------------------------------------------------ execution


def collapse_carriage_returns(text: str) -> str:
    """Terminal-style: on each line keep only what follows the last carriage return (progress redraws)."""
    return "\n".join(line.rsplit("\r", 1)[-1] if "\r" in line else line for line in text.split("\n"))


def tidy_streams(nb) -> None:
    """Merges consecutive stream outputs of the same name and collapses \\r redraws (lossless in meaning)."""
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        merged = []
        for out in cell.get("outputs", []):
            if out.output_type == "stream" and merged and merged[-1].output_type == "stream" and merged[-1].name == out.name:
                merged[-1].text += out.text
            else:
                merged.append(out)
        for out in merged:
            if out.output_type == "stream":
                out.text = collapse_carriage_returns(out.text)
        cell.outputs = merged


def shorten_streams_for_html(nb, max_lines: int = STREAM_HTML_MAX_LINES) -> None:
    """Long logs stay readable in the HTML; the executed .ipynb keeps the full text."""
    for cell in nb.cells:
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if out.output_type != "stream":
                continue
            ends_with_newline = out.text.endswith("\n")
            lines = out.text[:-1].split("\n") if ends_with_newline else out.text.split("\n")
            if len(lines) > max_lines:
                head, tail = max_lines // 4, max_lines - max_lines // 4
                omitted = len(lines) - head - tail
                kept = lines[:head] + [f"… {omitted} lines omitted here (full log in the executed .ipynb) …"] + lines[-tail:]
                out.text = "\n".join(kept) + ("\n" if ends_with_newline else "")


PSL_LOG_LINE = re.compile(r"^\[psl\] ")


def fold_psl_logs(nb) -> None:
    """`[psl] …` lines of a cell (stdout, stderr, progress displays) → one collapsed block where the first one was.

    They are the library's running commentary (epochs, caching, annotation): worth keeping, but as stderr they fill a
    report with pink blocks. Other stderr text (warnings, errors) stays where it is, as it is.
    """
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        folded, outputs, position = [], [], None
        for out in cell.get("outputs", []):
            data = out.get("data", {}) if out.output_type == "display_data" else {}
            if set(data) == {"text/plain"} and PSL_LOG_LINE.match(data["text/plain"]):
                # A progress display in its final state (lib/report/progress.ts renders "[psl] <label>  <status>").
                if position is None:
                    position = len(outputs)
                folded.append(data["text/plain"].rstrip("\n") + "\n")
                continue
            if out.output_type != "stream":
                outputs.append(out)
                continue
            lines = out.text.splitlines(keepends=True)
            logs = [line for line in lines if PSL_LOG_LINE.match(line)]
            if not logs:
                outputs.append(out)
                continue
            if position is None:
                position = len(outputs)
            folded += logs
            rest = "".join(line for line in lines if not PSL_LOG_LINE.match(line))
            if rest.strip():
                out.text = rest
                outputs.append(out)
        if folded:
            text = "".join(folded)
            summary = f"[psl] log · {len(folded)} line{'s' if len(folded) != 1 else ''}: {html.escape(folded[-1].strip()[6:][:100])}"
            block = nbformat.v4.new_output("display_data", data={
                "text/html": f"<details class='psl-log'><summary>{summary}</summary><pre>{html.escape(text)}</pre></details>",
                "text/plain": text,
            })
            outputs.insert(position, block)
        cell.outputs = outputs


def node_binary():
    return os.environ.get("PSL_NODE") or shutil.which("node")


def render_math(nb):
    """TeX in markdown cells → KaTeX HTML via scripts/render-math.mjs. Returns (substitutions, css) for the HTML."""
    cells = [c for c in nb.cells if c.cell_type == "markdown" and "$" in c.source]
    if not cells:
        return {}, ""
    node = node_binary()
    if not node:
        print("warning: node not found (PSL_NODE, PATH): TeX in this report stays source text", file=sys.stderr)
        return {}, ""
    prefix = f"pslmath{secrets.token_hex(4)}n"
    r = subprocess.run(
        [node, str(REPO / "scripts" / "render-math.mjs")],
        input=json.dumps({"cells": [c.source for c in cells], "prefix": prefix}),
        capture_output=True, text=True, cwd=str(REPO),
    )
    if r.returncode != 0:
        print(f"warning: rendering TeX failed, it stays source text:\n{r.stderr.strip()}", file=sys.stderr)
        return {}, ""
    rendered = json.loads(r.stdout)
    for cell, source in zip(cells, rendered["cells"]):
        cell.source = source
    return {f"{prefix}{i}x": math for i, math in enumerate(rendered["math"])}, rendered["css"]


TSLAB_FRAME = re.compile(r"^\s+at .*(node:vm|node_modules[\\/]tslab[\\/]|sigintHandlersWrap).*$")
TS_DIAGNOSTIC = re.compile(r"^\d+:\d+ - ", re.M)


def without_kernel_frames(text: str) -> str:
    """Drops the stack frames of tslab's own machinery (vm, executor): they are the same for every error."""
    return "\n".join(line for line in text.split("\n") if not TSLAB_FRAME.match(line))


def is_injected(cell) -> bool:
    return "injected-parameters" in cell.get("metadata", {}).get("tags", [])


def cell_position(nb, cell_index: int) -> str:
    """Where a cell is, counted as in the SOURCE notebook (the injected cell is not part of it)."""
    if is_injected(nb.cells[cell_index]):
        return "the injected-parameters cell"
    own = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and not is_injected(c)]
    return f"code cell {own.index(cell_index) + 1} of {len(own)}"


def error_text(cell) -> str:
    parts = []
    for out in cell.get("outputs", []):
        if out.output_type == "stream" and out.name == "stderr":
            parts.append(out.text)
        elif out.output_type == "error":
            parts.append(f"{out.ename}: {out.evalue}\n" + "\n".join(out.get("traceback", [])))
    return "".join(parts).rstrip() or "(the kernel reported an error but sent no error text)"


class EchoingClient(NotebookClient):
    """NotebookClient that echoes output to the console as it arrives, so long cells show life.

    Streams are echoed line by line. Progress displays (lib/report/progress.ts updates one text/plain
    display in place, up to twice a second) are echoed at most every ECHO_INTERVAL_S per display, plus
    their final state when the cell ends: an hour of training logs a few hundred lines, not thousands.
    """

    ECHO_INTERVAL_S = 10.0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._last_echo = {}
        self._pending = {}

    @staticmethod
    def _echo(text: str, stream=None) -> None:
        stream = stream or sys.stdout
        for line in text.splitlines():
            stream.write(f"    │ {line}\n")
        stream.flush()

    def process_message(self, msg, cell, cell_index):
        msg_type = msg.get("msg_type") or msg.get("header", {}).get("msg_type")
        content = msg.get("content", {})
        if msg_type == "stream":
            self._echo(collapse_carriage_returns(content.get("text", "")), sys.stderr if content.get("name") == "stderr" else sys.stdout)
        elif msg_type in ("display_data", "update_display_data"):
            data = content.get("data", {})
            if "text/plain" in data and "text/html" not in data:
                display_id = content.get("transient", {}).get("display_id") or id(msg)
                now = time.monotonic()
                if msg_type == "display_data" or now - self._last_echo.get(display_id, -1e9) >= self.ECHO_INTERVAL_S:
                    self._last_echo[display_id] = now
                    self._pending.pop(display_id, None)
                    self._echo(data["text/plain"])
                else:
                    self._pending[display_id] = data["text/plain"]
        return super().process_message(msg, cell, cell_index)

    def flush_pending(self) -> None:
        """The last state of throttled progress displays (called when a cell ends)."""
        for text in self._pending.values():
            self._echo(text)
        self._pending.clear()


def execute_notebook(nb, path: Path, env_extra: dict, cell_timeout, quiet: bool) -> None:
    code_cells = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    started = {}

    def on_start(cell, cell_index):
        started[cell_index] = time.monotonic()

    def on_executed(cell, cell_index, execute_reply):
        client.flush_pending()
        content = (execute_reply or {}).get("content", {})
        seconds = time.monotonic() - started.get(cell_index, time.monotonic())
        position = code_cells.index(cell_index) + 1 if cell_index in code_cells else "?"
        status = content.get("status")
        if status != "ok":
            compile_error = any(o.output_type == "stream" and o.name == "stderr" and TS_DIAGNOSTIC.search(o.text) for o in cell.get("outputs", []))
            raise CellFailed(cell_index, cell, "TypeScript compile error" if compile_error else f"the kernel answered status {status!r}")
        if cell.get("execution_count") is None:
            raise CellFailed(cell_index, cell, "the kernel gave the cell no execution count (it was skipped)")
        for out in cell.get("outputs", []):
            if out.output_type == "error":
                raise CellFailed(cell_index, cell, "the cell produced an error output")
            if out.output_type == "stream" and out.name == "stderr" and FAILURE_IN_STDERR.search(out.text):
                raise CellFailed(cell_index, cell, "an uncaught exception was printed while the cell ran")
        if not quiet:
            print(f"  cell {position}/{len(code_cells)} ok ({seconds:.1f} s)", flush=True)

    saved = {k: os.environ.get(k) for k in env_extra}
    os.environ.update(env_extra)
    try:
        client = EchoingClient(
            nb,
            kernel_name=KERNEL_NAME,
            timeout=cell_timeout,
            allow_errors=False,
            record_timing=True,
            # nbclient waits only 4 s (default) after a cell's reply for the rest of its output, then moves on
            # and silently drops what is still in flight; a burst of logging takes longer than that to arrive.
            # Wait up to IOPUB_TIMEOUT_S, and fail loudly rather than lose output.
            iopub_timeout=IOPUB_TIMEOUT_S,
            raise_on_iopub_timeout=True,
            resources={"metadata": {"path": str(path.parent)}},
            on_cell_start=on_start,
            on_cell_executed=on_executed,
        )
        client.execute()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


# --------------------------------------------------------------------------------------------- export


def export_html(nb, name: str, banner: str, no_input: bool) -> str:
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    copy = nbformat.from_dict(json.loads(json.dumps(nb)))
    fold_psl_logs(copy)
    shorten_streams_for_html(copy)
    math, math_css = render_math(copy)
    config = Config()
    if no_input:
        # Hide the code but keep the parameters visible: tag every other code cell for input removal.
        for cell in copy.cells:
            tags = cell.get("metadata", {}).get("tags", [])
            if cell.cell_type == "code" and "parameters" not in tags and "injected-parameters" not in tags:
                cell.setdefault("metadata", {})["tags"] = list(tags) + ["psl-hide-input"]
        config.TagRemovePreprocessor.enabled = True
        config.TagRemovePreprocessor.remove_input_tags = {"psl-hide-input"}
    exporter = HTMLExporter(config=config, template_name="psl", extra_template_basedirs=[str(TEMPLATES)])
    body, _ = exporter.from_notebook_node(copy, resources={"metadata": {"name": name}, "psl_banner": banner})
    if math:
        # Longest first: placeholder 1x must not match inside 11x (they end in "x", but be safe).
        body = re.sub("|".join(re.escape(k) for k in sorted(math, key=len, reverse=True)), lambda m: math[m.group(0)], body)
        body = body.replace("</head>", f"{math_css}\n</head>", 1)
    return body


def fmt_seconds(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(int(round(seconds)), 60)
    return f"{minutes} min {secs:02d} s" if minutes < 60 else f"{minutes // 60} h {minutes % 60:02d} min"


def params_html(params: dict) -> str:
    if not params:
        return "<span class='muted'>defaults</span>"
    return " ".join(f"<code>{html.escape(k)}={html.escape(json.dumps(v, ensure_ascii=False))}</code>" for k, v in params.items())


def banner_html(name: str, record: dict) -> str:
    return (
        "<div style='padding:8px 16px;background:#f3f6fa;border-bottom:1px solid #d0d7de;font:13px sans-serif'>"
        f"<b>PSL Lab report</b> · {html.escape(name)} · run {html.escape(record['date'])} · "
        f"{fmt_seconds(record['wallSeconds'])} · parameters: {params_html(record['parameters'])} · "
        "<a href='index.html'>all reports</a></div>"
    )


def merge_results(out_dir: Path, records: dict) -> tuple:
    results, origin, clashes = {}, {}, []
    for name in sorted(records):
        fragment = out_dir / ".summary" / f"{name}.json"
        if not fragment.exists():
            continue
        for key, value in json.loads(fragment.read_text(encoding="utf-8")).items():
            if key in origin and origin[key] != name:
                clashes.append(f"{key} ({origin[key]} and {name})")
            results[key], origin[key] = value, name
            records[name].setdefault("resultKeys", []).append(key)
    return results, clashes


# Set by scripts/reproduce.mjs (ms since the epoch): the run-time targets count the whole command, setup and build included.
COMMAND_STARTED_ENV = "PSL_COMMAND_STARTED_MS"


def usable_cores():
    """CPU cores this process may run on (its affinity, as a container or taskset limits it), else the machine's."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count()


def cpu_model():
    """The CPU's model name from /proc/cpuinfo (Linux), else platform.processor(); None when neither says."""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").splitlines():
            if line.lower().startswith("model name") and ":" in line:
                return line.split(":", 1)[1].strip() or None
    except OSError:
        pass
    return platform.processor() or None


# The demo corpus each series profile trains on (lib/series/settings.ts SERIES_PROFILES[...].demoProfile; a test holds
# the two equal): its series cache is .cache/psl/series-demo-<corpus>, so the full profile shares the default's.
DEMO_CORPUS_OF_PROFILE = {"quick": "quick", "default": "default", "full": "default"}


def caches_at_start(cache_root: Path, corpus_dir: Path, profile) -> dict:
    """What a run finds cached before it starts: complete demo corpora (a folder with corpus.json) and the series cache
    of its profile (.cache/psl/series-demo-<its corpus>, or .cache/psl/series for other datasets), when not empty."""
    corpora = sum(1 for d in corpus_dir.iterdir() if (d / "corpus.json").is_file()) if corpus_dir.is_dir() else 0
    names = [f"series-demo-{DEMO_CORPUS_OF_PROFILE.get(profile, profile)}", "series"] if profile is not None else []
    series = [n for n in names if (cache_root / n).is_dir() and any((cache_root / n).iterdir())]
    return {"demoCorpora": corpora, "seriesCaches": series}


def command_wall(env, notebooks_started_wall: float, now_wall: float) -> tuple:
    """(seconds, what they cover): from the command's start when reproduce.mjs passed it (COMMAND_STARTED_ENV),
    else from the first notebook's start. A start that is not a time before the notebooks' is ignored."""
    try:
        started = float(env.get(COMMAND_STARTED_ENV, "")) / 1000
    except ValueError:
        started = None
    if started is not None and 0 < started <= notebooks_started_wall:
        return round(now_wall - started, 2), "command"
    return round(now_wall - notebooks_started_wall, 2), "notebooks"


def issue_targets(results: dict, run_facts=None):
    """Issue 13's targets, met or not, from the merged results (lib/report/targets.ts through
    scripts/summary-targets.ts), then the profile's run-time target from `run_facts` (lib/report/run-time-target.ts
    RunFacts; None: no run-time entry); None, with a warning, when node or tsx cannot compute them."""
    node = node_binary()
    if not node:
        print("warning: node not found (PSL_NODE, PATH): summary.json gets no results.targets", file=sys.stderr)
        return None
    r = subprocess.run(
        [node, "--import", "tsx", str(REPO / "scripts" / "summary-targets.ts")],
        input=json.dumps({"results": results, "run": run_facts}), capture_output=True, text=True, cwd=str(REPO),
    )
    if r.returncode != 0:
        print(f"warning: computing the targets failed, summary.json gets no results.targets:\n{r.stderr.strip()}", file=sys.stderr)
        return None
    return json.loads(r.stdout)


def targets_html(targets, profile) -> str:
    """Issue 13's targets as a small table (met / not met / not recorded, with the evidence); '' without targets."""
    if not isinstance(targets, list) or not targets:
        return ""
    rows = []
    for t in targets:
        measured = t.get("measured")
        met = "<span class='muted'>not recorded</span>" if measured is None else ("<b style='color:#1a7f37'>met</b>" if t.get("met") else "<b style='color:#b00'>not met</b>")
        rows.append(
            f"<tr><td>{html.escape(str(t.get('what', '')))}</td><td class='num'>{html.escape(str(t.get('target', '')))}</td>"
            f"<td class='num'>{'–' if measured is None else html.escape(f'{measured:.4g}')}</td><td>{met}</td>"
            f"<td class='muted'>{html.escape(str(t.get('evidence', '')))}"
            # The reasons are measurements of the default profile's demo run: a quick run's misses are not explained by them.
            + (f"<br><b>Why, measured:</b> {html.escape(str(t['whyNotMet']))}" if t.get("whyNotMet") and profile in ("default", "full") else "")
            + "</td></tr>"
        )
    scope = (
        "The targets are stated for the default profile (<code>npm run reproduce</code>); this run's profile is "
        f"<code>{html.escape(str(profile))}</code>, whose figures only show that the pipeline runs"
        + (" (its run-time target is its own)." if any(t.get("id") == "run-time" for t in targets) else ".")
        if profile not in ("default", "full") else "Measured by this run; where a target is missed, the row says where the reports show the measurement that says why."
    )
    return (
        "<h2>Issue 13 targets</h2><table class='targets'><thead><tr><th>Target</th><th>wanted</th><th>measured</th><th></th><th>evidence</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table><p class='muted'>{scope} Machine-readable: <code>results.targets</code> in summary.json.</p>"
    )


def _number(value, scale=1.0, digits=1):
    return f"{value * scale:.{digits}f}" if isinstance(value, (int, float)) and not isinstance(value, bool) else "–"


def _interval(ci, scale=100.0, digits=1):
    if isinstance(ci, (list, tuple)) and len(ci) == 2 and all(isinstance(v, (int, float)) for v in ci):
        return f"[{ci[0] * scale:.{digits}f}, {ci[1] * scale:.{digits}f}]"
    return ""


def _seed_list(seeds) -> list:
    """A student's seeds as recorded (a list; an older fragment may hold only their count)."""
    return list(seeds) if isinstance(seeds, list) else []


def _seeds_cell(seeds) -> str:
    listed = _seed_list(seeds)
    if listed:
        return html.escape(", ".join(str(s) for s in listed))
    return html.escape(str(seeds)) if seeds is not None else "–"


def mixed_seeds_note(students: dict) -> str:
    """One sentence when the students' rows ran different seeds (the profile trains weak and PSL-2s over several seeds
    and the other students over the first one only); '' when every row ran the same seeds."""
    groups = {}
    for name, m in students.items():
        if isinstance(m, dict) and _seed_list(m.get("seeds")):
            groups.setdefault(tuple(_seed_list(m.get("seeds"))), []).append(name)
    if len(groups) < 2:
        return ""
    ordered = sorted(groups.items(), key=lambda item: -len(item[0]))
    first = ordered[0][0][0]
    parts = []
    for seeds, names in ordered:
        who = ", ".join(names)
        if len(seeds) == 1:
            parts.append(f"{who} ran one seed only, {seeds[0]}" + (" (the others' first)" if seeds[0] == first else ""))
        else:
            parts.append(f"{who} ran {len(seeds)} seeds ({', '.join(str(s) for s in seeds)})")
    return (
        "Rows differ in seeds: " + "; ".join(parts) + ". A one-seed row's interval covers eval-clip variation only, "
        "not seed-to-seed variation, so it understates that row's uncertainty beside the multi-seed rows."
    )


def headline_html(results: dict) -> str:
    """The paper's table as the notebooks measured it: students (mAP with its 95 % interval, seeds, steps), the
    teacher, chance, the paired PSL-2s − weak difference, and the added-label precision; '' when nothing was recorded."""
    students = results.get("students")
    if not isinstance(students, dict) or not students:
        return ""
    rows = []
    for name, m in students.items():
        if not isinstance(m, dict):
            continue
        rows.append(
            f"<tr><td>{html.escape(name)}</td><td class='num'>{_number(m.get('mAP'), 100)} <span class='muted'>{_interval(m.get('mAPCI'))}</span></td>"
            f"<td class='num'>{_number(m.get('meanAUC'), 1, 3)}</td><td class='num'>{_number(m.get('dPrime'), 1, 3)}</td>"
            f"<td class='num'>{_seeds_cell(m.get('seeds'))}</td>"
            f"<td class='num'>{html.escape(str(m.get('steps', '–')))}</td></tr>"
        )
    teacher = results.get("teacher")
    if isinstance(teacher, dict):
        rows.append(
            f"<tr class='ref'><td>teacher</td><td class='num'>{_number(teacher.get('mAP'), 100)}</td><td class='num'>{_number(teacher.get('meanAUC'), 1, 3)}</td>"
            f"<td class='num'>{_number(teacher.get('dPrime'), 1, 3)}</td><td></td><td></td></tr>"
        )
    chance = results.get("chanceMAP")
    if isinstance(chance, (int, float)):
        rows.append(f"<tr class='ref'><td>chance (random scores)</td><td class='num'>{_number(chance, 100)}</td><td class='num'>0.500</td><td class='num'>0.000</td><td></td><td></td></tr>")
    labels = results.get("evalLabels")
    scored = {"truth": "the eval clips' true labels", "noisy": "noisy (AudioSet-like) eval labels"}.get(labels, f"eval labels: {labels}" if labels else "the eval split's labels")
    notes = [f"Scored on full eval clips against {html.escape(scored)}; mAP in %, with its 95 % interval (over seeds × eval clips) where recorded."]
    mixed = mixed_seeds_note(students)
    if mixed:
        notes.append(html.escape(mixed))
    # Recorded by notebook 04 for the quick profile only (lib/series/quick-eval-note.ts): its mAPs are on 30 eval clips.
    eval_note = results.get("evalNote")
    if isinstance(eval_note, str) and eval_note:
        notes.append(f"<b>Small eval split.</b> {html.escape(eval_note)}")
    diff = (results.get("pairedDifference") or {}).get("psl-2s") if isinstance(results.get("pairedDifference"), dict) else None
    if isinstance(diff, dict):
        better = diff.get("probabilityBetter")
        notes.append(
            f"Paired difference psl-2s − {html.escape(str(diff.get('vs', 'weak')))}: ΔmAP {_number(diff.get('mAP'), 100)} {_interval(diff.get('ci95'))}"
            + (f", P(psl-2s better) = {better:.2f}" if isinstance(better, (int, float)) else "") + "."
        )
    missing = results.get("missingLabels")
    if isinstance(missing, dict) and isinstance(missing.get("addedPrecision"), (int, float)):
        notes.append(
            f"Missing labels ({html.escape(str(missing.get('chunkSeconds', '?')))} s chunks, threshold {html.escape(str(missing.get('threshold', '?')))}): "
            f"the teacher's added labels are {_number(missing.get('addedPrecision'), 100)} % correct (precision against the truth), "
            f"recall {_number(missing.get('addedRecall'), 100)} %."
        )
    return (
        "<table class='headline'><thead><tr><th>Model</th><th>mAP (%) [95 % CI]</th><th>mean AUC</th><th>d′</th><th>seeds</th><th>steps</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>" + "".join(f"<p class='muted'>{n}</p>" for n in notes)
    )


def write_index(out_dir: Path, run: dict, records: dict, results: dict, clashes: list) -> None:
    rows = []
    for name in sorted(records):
        r = records[name]
        status = "ok" if r["status"] == "ok" else f"<b style='color:#b00'>{html.escape(r['status'])}</b>"
        defaults = ", ".join(f"{k} = {v['default']}" for k, v in r.get("declared", {}).items())
        rows.append(
            f"<tr><td><a href='{html.escape(r['html'])}'>{html.escape(name)}</a></td><td>{status}</td>"
            f"<td style='text-align:right'>{fmt_seconds(r['wallSeconds'])}</td><td>{params_html(r['parameters'])}</td>"
            f"<td class='muted'>{html.escape(defaults)}</td><td>{html.escape(r['date'])}</td>"
            f"<td><a href='{html.escape(r['ipynb'])}'>.ipynb</a></td></tr>"
        )
    result_rows = "".join(
        f"<tr><td><code>{html.escape(k)}</code></td><td>{html.escape(json.dumps(v, ensure_ascii=False))}</td></tr>" for k, v in sorted(results.items())
    ) or "<tr><td colspan='2' class='muted'>no results recorded (recordSummary)</td></tr>"
    clash_note = f"<p style='color:#b00'>Keys recorded by several notebooks (last one kept): {html.escape(', '.join(clashes))}</p>" if clashes else ""
    page = f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>PSL Lab reports</title>
<style>
body {{ font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 1100px; padding: 0 1em; color: #1f2328; }}
table {{ border-collapse: collapse; margin: 1em 0; }} td, th {{ border-bottom: 1px solid #d0d7de; padding: 4px 10px; vertical-align: top; text-align: left; }}
code {{ background: #f3f6fa; padding: 0 3px; }} .muted {{ color: #656d76; font-size: 90%; }}
td.num {{ text-align: right; font-variant-numeric: tabular-nums; }} tr.ref td {{ color: #57606a; font-style: italic; }}
table.headline th {{ border-bottom: 2px solid #8c959f; }}
</style></head><body>
<h1>PSL Lab reports</h1>
<p>Run {html.escape(run['date'])} · status <b>{html.escape(run['status'])}</b> · total wall time {fmt_seconds(run['wallSeconds'])} ·
profile <code>{html.escape(str(run['profile'] if run['profile'] is not None else '–'))}</code> · parameters: {params_html(run['parameters'])}</p>
<p class="muted">Command: <code>{html.escape(run['command'])}</code></p>
<h2>Headline results</h2>{clash_note}
{headline_html(results) or "<p class='muted'>No student results recorded in this run.</p>"}
{targets_html(results.get("targets"), run["profile"])}
<details><summary>Every recorded result (summary.json <code>results</code>)</summary>
<table><thead><tr><th>Key</th><th>Value</th></tr></thead><tbody>{result_rows}</tbody></table></details>
<h2>Notebooks</h2>
<table><thead><tr><th>Notebook</th><th>Status</th><th>Wall time</th><th>Overrides</th><th>Defaults (parameters cell)</th><th>Run</th><th></th></tr></thead>
<tbody>{''.join(rows)}</tbody></table>
<p class="muted">Machine-readable: <a href="summary.json">summary.json</a></p>
</body></html>
"""
    write_atomic(out_dir / "index.html", page)


# ----------------------------------------------------------------------------------------------- main


def resolve_notebooks(args) -> list:
    if args.notebooks:
        paths = [Path(p).resolve() for p in args.notebooks]
        for p in paths:
            if not p.is_file():
                raise RunnerError(f"notebook not found: {p}")
    else:
        paths = sorted((REPO / "notebooks").glob("*.ipynb"))
        if not paths:
            raise RunnerError(f"no notebooks in {REPO / 'notebooks'}")
    if args.only:
        prefixes = [p.strip() for item in args.only for p in item.split(",") if p.strip()]
        paths = [p for p in paths if any(p.stem.startswith(x) for x in prefixes)]
        if not paths:
            raise RunnerError(f"--only {','.join(prefixes)}: no notebook name starts with that")
    return paths


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        prog="npm run reproduce --",
        description="Execute the PSL Lab notebooks headless and write reports (executed .ipynb + offline HTML, index.html, summary.json).",
    )
    ap.add_argument("notebooks", nargs="*", help="notebook files (default: notebooks/*.ipynb in name order)")
    ap.add_argument("--set", action="append", metavar="NAME=VALUE", help="override a parameter (repeatable); VALUE is JSON or a plain string")
    ap.add_argument("--params", metavar="FILE.json", help="JSON object of parameter overrides (--set wins over it)")
    ap.add_argument("--quick", action="store_true", help='set profile = "quick" (small data, few steps: CI and smoke tests)')
    ap.add_argument("--full", action="store_true", help='set profile = "full" (every student over 3 seeds; about twice the default run)')
    ap.add_argument("--only", action="append", metavar="PREFIX", help="run only notebooks whose name starts with PREFIX (e.g. 02; repeatable or comma-separated)")
    ap.add_argument("--out", default=str(REPO / "reports"), help="output folder (default: reports/)")
    ap.add_argument("--no-input", action="store_true", help="hide code in the HTML (parameters cells stay visible)")
    ap.add_argument("--cell-timeout", type=float, default=None, help="seconds one cell may run (default: no limit)")
    ap.add_argument("--quiet", action="store_true", help="no per-cell progress lines")
    ap.add_argument("--command", default="npm run reproduce", help=argparse.SUPPRESS)
    ap.add_argument("--single", action="store_true", help=argparse.SUPPRESS)  # `npm run report`: exactly one notebook
    args = ap.parse_args(argv)
    if args.single and len(args.notebooks) != 1:
        print("report: give exactly one notebook, e.g. npm run report -- notebooks/00-environment.ipynb --set profile=quick", file=sys.stderr)
        return 2

    try:
        notebooks = resolve_notebooks(args)
        overrides, explicit = collect_parameters(args)
        loaded = [(p, nbformat.read(str(p), as_version=4)) for p in notebooks]
        declared_anywhere = set()
        for _, nb in loaded:
            declared_anywhere |= set(declared_parameters(nb))
        unknown = sorted(explicit - declared_anywhere)
        if unknown:
            known = ", ".join(sorted(declared_anywhere)) or "(none)"
            raise RunnerError(f"unknown parameter(s) {', '.join(unknown)}: no notebook in this run declares them in its parameters cell. Known: {known}")
        if "profile" in overrides and "profile" not in declared_anywhere:
            print("warning: --quick / profile is not a parameter of any notebook in this run", file=sys.stderr)
    except RunnerError as e:
        print(f"reproduce: {e}", file=sys.stderr)
        return 2

    out_dir = Path(args.out).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    full_run = not args.notebooks and not args.only
    runs_dir, fragments_dir = out_dir / ".runs", out_dir / ".summary"
    if full_run:
        # A full run replaces the previous one: stale records would mix two runs in index/summary.
        for stale in list(runs_dir.glob("*.json")) + list(fragments_dir.glob("*.json")):
            stale.unlink()

    profile = overrides.get("profile")
    if profile is None:
        for _, nb in loaded:
            default = declared_parameters(nb).get("profile", {}).get("default")
            if default:
                profile = parse_value(default)
                break
    # Read before the first notebook: the run-time target's evidence says on what machine and caches it was measured.
    cores = usable_cores()
    cpu = cpu_model()
    load_at_start = round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None
    corpus_dir = Path(os.environ["PSL_DEMO_CORPUS_DIR"]) if os.environ.get("PSL_DEMO_CORPUS_DIR") else REPO / ".cache" / "demo-corpus"
    caches = caches_at_start(REPO / ".cache" / "psl", corpus_dir, profile)
    run_date = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    run_start = time.monotonic()
    run_start_wall = time.time()
    failed = None
    for position, (path, nb) in enumerate(loaded, 1):
        name = path.stem
        try:
            applied = inject_parameters(nb, name, overrides)
        except RunnerError as e:
            print(f"reproduce: {e}", file=sys.stderr)
            return 2
        (fragments_dir / f"{name}.json").unlink(missing_ok=True)
        print(f"[{position}/{len(loaded)}] {name}" + (f"  ({', '.join(f'{k}={json.dumps(v)}' for k, v in applied.items())})" if applied else ""), flush=True)
        nb_date = dt.datetime.now().astimezone().isoformat(timespec="seconds")
        started = time.monotonic()
        status, error = "ok", None
        try:
            execute_notebook(nb, path, {"PSL_REPORT_DIR": str(out_dir), "PSL_NOTEBOOK": name}, args.cell_timeout, args.quiet)
        except CellFailed as e:
            status, error = "failed", e
        except CellExecutionError as e:
            # nbclient raises this itself when the reply status is "error" and our hook did not run first.
            status, error = "failed", CellFailed(None, None, str(e).strip())
        except CellTimeoutError as e:
            status, error = "failed", CellFailed(None, None, f"cell timed out (--cell-timeout {args.cell_timeout}, or output still arriving {IOPUB_TIMEOUT_S} s after the cell ended): {e}")
        except DeadKernelError as e:
            status, error = "failed", CellFailed(None, None, f"the kernel died: {e}")
        wall = time.monotonic() - started
        tidy_streams(nb)
        record = {
            "name": name,
            "status": status,
            "date": nb_date,
            "wallSeconds": round(wall, 2),
            "parameters": applied,
            "declared": declared_parameters(nb),
            "html": f"{name}.html",
            "ipynb": f"{name}.ipynb",
            "source": os.path.relpath(path, REPO),
        }
        if error is not None:
            cell = error.cell
            where = cell_position(nb, error.cell_index) if cell is not None else "a cell"
            detail = without_kernel_frames(error_text(cell)) if cell is not None else error.reason
            hint = ""
            if cell is not None and is_injected(cell):
                hint = "\nhint: a --set/--params value does not fit the parameter's type in the parameters cell"
            record["error"] = {"cell": where, "reason": error.reason, "text": detail}
            sys.stderr.write(
                f"\nreproduce: {name} FAILED in {where}: {error.reason}\n"
                + ("--- cell source ---\n" + cell.source.rstrip() + "\n" if cell is not None else "")
                + "--- error ---\n" + detail.rstrip() + hint + "\n-------------\n"
            )
            failed = name
        write_atomic(out_dir / f"{name}.ipynb", nbformat.writes(nb))
        write_atomic(out_dir / f"{name}.html", export_html(nb, name, banner_html(name, record), args.no_input))
        write_json(runs_dir / f"{name}.json", record)
        print(f"  → {os.path.relpath(out_dir / (name + '.html'))}  [{status}, {fmt_seconds(wall)}]", flush=True)
        if failed:
            break

    records = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(runs_dir.glob("*.json"))}
    results, clashes = merge_results(out_dir, records)
    run = {
        "date": run_date,
        "status": "failed" if failed else "ok",
        "wallSeconds": round(time.monotonic() - run_start, 2),
        "profile": profile,
        "parameters": overrides,
        "command": args.command,
        "cores": cores,
        "cpuModel": cpu,
        "loadAverageAtStart": load_at_start,
        "cachesAtStart": caches,
    }
    command_seconds, wall_from = command_wall(os.environ, run_start_wall, time.time())
    run_facts = {
        "profile": profile if isinstance(profile, str) else None, "status": run["status"], "wholeRun": full_run,
        "wallSeconds": command_seconds, "wallFrom": wall_from, "cores": cores, "cpuModel": cpu, "loadAverageAtStart": load_at_start,
        "cachesAtStart": caches,
    }
    targets = issue_targets(results, run_facts)
    if targets is not None:
        results["targets"] = targets
    summary = dict(run)
    summary["notebooks"] = {
        n: {k: r[k] for k in ("status", "date", "wallSeconds", "parameters", "html", "ipynb", "error") if k in r} for n, r in records.items()
    }
    summary["results"] = results
    write_json(out_dir / "summary.json", summary)
    write_index(out_dir, run, records, results, clashes)
    print(f"{'FAILED' if failed else 'done'}: {len(records)} report(s) in {os.path.relpath(out_dir)}/index.html, total {fmt_seconds(run['wallSeconds'])}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
