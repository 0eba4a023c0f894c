/** lib/report/display.ts: outside a notebook a warning goes to stderr with its title, HTML-free. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { showWarning } from "../../lib/report/display";

test("showWarning outside a notebook writes 'warning: <title>: <message>' to stderr", () => {
  const lines: string[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => void lines.push(args.join(" "));
  try {
    showWarning("trained on <another> corpus", "A teacher trained elsewhere");
  } finally {
    console.error = original;
  }
  assert.deepEqual(lines, ["warning: A teacher trained elsewhere: trained on <another> corpus"]);
});
