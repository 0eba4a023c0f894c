#!/usr/bin/env node
// TeX in markdown cells → KaTeX HTML, when a report is written (scripts/run_notebooks.py calls this), so a report
// shows typeset formulas offline: no MathJax from a CDN, nothing loaded when the page opens.
//
// stdin:  {"cells": ["markdown source", ...], "prefix": "pslmath<random>"}
// stdout: {"cells": ["source with each formula replaced by <prefix><n>x", ...], "math": ["<span class=katex…>", ...],
//          "css": "<style>…</style>" (KaTeX's stylesheet with its woff2 fonts inlined; "" when there is no math)}
// The placeholders go through nbconvert's markdown renderer untouched (letters and digits only); the runner then
// swaps the rendered HTML in. Rendering after markdown, not before, keeps markdown's escapes and emphasis rules
// away from the TeX source and from KaTeX's markup.
//
// What counts as math (as in Jupyter): $$…$$ (display, may span lines) and $…$ (inline: no space after the opening
// or before the closing $, no digit right after the closing one, so "costs $5 and $6" stays text), \$ is a dollar
// sign; nothing inside `code` spans or ``` fences.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);

/** Splits markdown into [isCode, text] pieces: fenced blocks and inline code spans are left alone. */
export function codeAware(markdown) {
  const pieces = [];
  const pattern = /(^|\n)(```|~~~)[^\n]*\n[\s\S]*?(\n\2[^\n]*(?=\n|$)|$)|(`+)[\s\S]*?\4/g;
  let last = 0;
  for (const match of markdown.matchAll(pattern)) {
    if (match.index > last) pieces.push([false, markdown.slice(last, match.index)]);
    pieces.push([true, match[0]]);
    last = match.index + match[0].length;
  }
  if (last < markdown.length) pieces.push([false, markdown.slice(last)]);
  return pieces;
}

const MATH = /\$\$([\s\S]+?)\$\$|(?<![\\$])\$(?![\s$])((?:\\\$|[^$\n])+?)(?<![\s\\])\$(?!\d)/g;

/** Replaces each formula with a placeholder; returns the new text and the formulas in order. */
export function extractMath(markdown, prefix, formulas) {
  return codeAware(markdown)
    .map(([isCode, text]) =>
      isCode
        ? text
        : text.replace(MATH, (_, display, inline) => {
            formulas.push({ tex: display ?? inline, display: display !== undefined });
            return `${prefix}${formulas.length - 1}x`;
          }),
    )
    .join("");
}

/** KaTeX's stylesheet with every woff2 font as a data: URL (the other formats are dropped: every current browser reads woff2). */
export function katexCss() {
  const cssPath = require.resolve("katex/dist/katex.min.css");
  const fontDir = join(dirname(cssPath), "fonts");
  return readFileSync(cssPath, "utf8").replace(/src:([^;}]*)/g, (_, sources) => {
    const woff2 = /url\((fonts\/[^)]+\.woff2)\)/.exec(sources);
    if (!woff2) return `src:${sources}`;
    const data = readFileSync(join(fontDir, woff2[1].slice("fonts/".length))).toString("base64");
    return `src:url(data:font/woff2;base64,${data}) format("woff2")`;
  });
}

export function renderCells(cells, prefix) {
  const katex = require("katex");
  const formulas = [];
  const replaced = cells.map((cell) => extractMath(cell, prefix, formulas));
  // throwOnError false: a typo shows as red source text in the report instead of failing the whole run.
  const math = formulas.map((f) => katex.renderToString(f.tex, { displayMode: f.display, throwOnError: false, output: "htmlAndMathml" }));
  return { cells: replaced, math, css: math.length ? `<style class="psl-katex">\n${katexCss()}\n</style>` : "" };
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const input = JSON.parse(readFileSync(0, "utf8"));
  process.stdout.write(JSON.stringify(renderCells(input.cells, input.prefix ?? "pslmath")));
}
