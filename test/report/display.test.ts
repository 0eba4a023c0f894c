/** lib/report/display.ts: outside a notebook a warning goes to stderr and a note to stdout, with their titles, HTML-free. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { showNote, showWarning } from "../../lib/report/display";

/** The lines `show` writes through console.log or console.error (outside a notebook, where these tests run). */
function captured(method: "log" | "error", show: () => void): string[] {
  const lines: string[] = [];
  const original = console[method];
  console[method] = (...args: unknown[]) => void lines.push(args.join(" "));
  try {
    show();
  } finally {
    console[method] = original;
  }
  return lines;
}

test("showWarning outside a notebook writes 'warning: <title>: <message>' to stderr", () => {
  const lines = captured("error", () => showWarning("trained on <another> corpus", "A teacher trained elsewhere"));
  assert.deepEqual(lines, ["warning: A teacher trained elsewhere: trained on <another> corpus"]);
});

test("showNote outside a notebook writes 'note: <title>: <message>' to stdout, and nothing for an empty note", () => {
  const lines = captured("log", () => {
    showNote("30 <eval> clips", "Small eval split");
    showNote("", "Small eval split"); // a note that does not apply (another profile) shows nothing
  });
  assert.deepEqual(lines, ["note: Small eval split: 30 <eval> clips"]);
});
