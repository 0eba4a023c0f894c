/**
 * Long cells stay readable: carriage-return redraws collapse to their last state, an in-place display keeps
 * one output, and thousands of log lines are shortened in the HTML (the executed .ipynb keeps them all).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { REPO, jupyterMissing, readNotebook, runRunner, text } from "./runner";

const skip = jupyterMissing();

test("progress redraws, in-place displays and long logs", { skip }, () => {
  const run = runRunner([join(REPO, "test", "fixtures", "notebooks", "long-output.ipynb"), "--set", "lines=1000"]);
  try {
    assert.equal(run.status, 0, run.stdout + run.stderr);
    const nb = readNotebook(join(run.outDir, "long-output.ipynb"));
    const [redraw, display, log] = nb.cells.filter((c) => c.cell_type === "code" && !c.metadata.tags?.length);
    assert.deepEqual(redraw.outputs!.map((o) => text(o.text)), ["downloading 100% done\n"]);
    assert.equal(display.outputs!.length, 1);
    assert.equal(text(display.outputs![0].data!["text/plain"] as string), "epoch 200/200");
    assert.equal(log.outputs!.length, 1, "consecutive stream messages are merged");
    assert.equal(text(log.outputs![0].text).split("\n").filter(Boolean).length, 1000, "the .ipynb keeps every line");

    const html = readFileSync(join(run.outDir, "long-output.html"), "utf8");
    assert.match(html, /… 800 lines omitted here \(full log in the executed \.ipynb\) …/);
    assert.ok(html.includes("log line 0") && html.includes("log line 999") && !html.includes("log line 500\n"));
    assert.ok(!html.includes("downloading 50%"), "redraws collapsed in the HTML too");
    // Console: the in-place display is echoed throttled (first state + final state), not 200 times.
    const epochs = run.stdout.split("\n").filter((l) => /│ epoch \d+\/200/.test(l));
    assert.ok(epochs.length >= 1 && epochs.length <= 4, `echoed ${epochs.length} display updates`);
    assert.match(epochs.at(-1)!, /epoch 200\/200/);
  } finally {
    rmSync(run.outDir, { recursive: true, force: true });
  }
});
