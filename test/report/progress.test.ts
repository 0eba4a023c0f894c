/** lib/report/progress.ts: throttling, rate/ETA text, final line, TTY bar output. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { createProgress, formatDuration } from "../../lib/report/progress";

function sink(isTTY: boolean): { stream: Writable & { isTTY?: boolean }; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  }) as Writable & { isTTY?: boolean; columns?: number; cursorTo?: unknown; clearLine?: unknown };
  stream.isTTY = isTTY;
  if (isTTY) {
    // cli-progress's terminal writer calls these on a TTY stream.
    stream.columns = 200;
    (stream as unknown as Record<string, unknown>).cursorTo = (_x: number, _y?: unknown, cb?: () => void) => { cb?.(); return true; };
    (stream as unknown as Record<string, unknown>).clearLine = (_d: number, cb?: () => void) => { cb?.(); return true; };
    (stream as unknown as Record<string, unknown>).moveCursor = (_x: number, _y: number, cb?: () => void) => { cb?.(); return true; };
  }
  return { stream, text: () => chunks.join("") };
}

test("plain lines are throttled and show count, rate, ETA and extra values", () => {
  let clock = 0;
  const out = sink(false);
  const p = createProgress({ label: "teacher epoch 1/2", total: 100, unit: "clips", mode: "lines", stream: out.stream, minIntervalMs: 1000, now: () => clock });
  for (let i = 0; i < 100; i += 1) {
    clock += 50; // 20 clips/s
    p.tick(1, { loss: 0.5 - i / 1000 });
  }
  p.done();
  p.done(); // idempotent
  const lines = out.text().trim().split("\n");
  // 5 s of work at ≥ 1 s between renders: the first tick renders, then one per second, plus the final line.
  assert.ok(lines.length >= 5 && lines.length <= 7, `got ${lines.length} lines:\n${lines.join("\n")}`);
  assert.match(lines[0], /^teacher epoch 1\/2  1\/100 clips \(1\.0%\)  20\.0 clips\/s  ETA 0:05  loss=0\.5000$/);
  assert.match(lines[lines.length - 1], /100\/100 clips \(100\.0%\)  20\.0 clips\/s  in 0:05  loss=0\.4010/);
});

test("unknown total shows elapsed instead of ETA", () => {
  let clock = 0;
  const out = sink(false);
  const p = createProgress({ label: "scan", unit: "files", mode: "lines", stream: out.stream, now: () => clock });
  clock = 2000;
  p.tick(4);
  p.done();
  assert.match(out.text(), /scan  4 files  2\.00 files\/s  elapsed 0:02/);
});

test("a TTY stream gets a cli-progress bar with the status text", () => {
  const out = sink(true);
  const p = createProgress({ label: "annotate", total: 4, unit: "clips", stream: out.stream, minIntervalMs: 0 });
  for (let i = 0; i < 4; i += 1) p.tick();
  p.done();
  const text = out.text();
  assert.match(text, /annotate [█░]+ 4\/4 clips \(100\.0%\)/);
});

test("formatDuration", () => {
  assert.equal(formatDuration(75), "1:15");
  assert.equal(formatDuration(4000), "1:06:40");
  assert.equal(formatDuration(NaN), "?");
});
