/**
 * The notebooks read like the paper's prose and show the method, not chart plumbing (issue 16): no code cell over 20
 * lines, no line over 120 characters, no bar series with an empty x of its own (`x: []`; bars take theirs from the
 * categories), no model looked up by position (`models[3]`: by name, `byName`), and no paper number typed into a cell
 * (they live in psl.series.PAPER_AUDIOSET / PAPER_TEACHER, with their source).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { REPO, readNotebook, text } from "./runner";
import { PAPER_AUDIOSET, PAPER_TEACHER } from "../../lib/series/settings";

const MAX_CELL_LINES = 20;
const MAX_LINE = 120;
const paperNumbers = [...Object.values(PAPER_AUDIOSET).flatMap((r) => [r.mAP, r.dPrime]), PAPER_TEACHER.mAP].map(String);
const notebooks = readdirSync(join(REPO, "notebooks")).filter((f) => f.endsWith(".ipynb"));

for (const file of notebooks) {
  test(`${file}: short cells, short lines, no plumbing`, () => {
    const problems: string[] = [];
    readNotebook(join(REPO, "notebooks", file)).cells.forEach((cell, i) => {
      const source = text(cell.source);
      const lines = source.split("\n");
      lines.forEach((line, k) => {
        if (line.length > MAX_LINE) problems.push(`cell ${i} line ${k + 1}: ${line.length} characters`);
      });
      if (cell.cell_type !== "code") return;
      if (lines.length > MAX_CELL_LINES) problems.push(`cell ${i}: ${lines.length} lines (at most ${MAX_CELL_LINES})`);
      if (/\bx:\s*\[\]/.test(source)) problems.push(`cell ${i}: a series with x: [] (bars need no x)`);
      if (/\b(models|students|results|recipes)\[\d+\]/.test(source)) problems.push(`cell ${i}: looked up by position (${/\b(models|students|results|recipes)\[\d+\]/.exec(source)![0]})`);
      for (const number of paperNumbers) {
        if (new RegExp(`(^|[^\\d.])${number.replace(".", "\\.")}(?![\\d])`).test(source)) problems.push(`cell ${i}: the paper's ${number} typed in`);
      }
    });
    assert.deepEqual(problems, []);
  });
}
