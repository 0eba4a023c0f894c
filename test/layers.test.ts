/**
 * lib/'s layers run one way (README "Architecture"): a folder imports only from the folders listed before it, so no
 * back-edge (say model → engine, or psl → demo) can creep in unnoticed.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { repoPath } from "../lib/io/repo-root";

/** The README's order; the CLI (a front end to every layer, the notebook series included) is the top. */
const LAYERS = ["io", "audio", "data", "evaluation", "report", "nn", "model", "engine", "psl", "analysis", "demo", "series", "cli"];
const rank = new Map<string, number>(LAYERS.flatMap((layer, i) => (Array.isArray(layer) ? layer : [layer]).map((name) => [name, i] as [string, number])));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === "dist" || name === "node_modules") return [];
    return statSync(path).isDirectory() ? sources(path) : name.endsWith(".ts") ? [path] : [];
  });
}

test("every lib/ folder is a known layer and imports only from layers below it", () => {
  const lib = repoPath("lib");
  const folders = readdirSync(lib).filter((name) => statSync(join(lib, name)).isDirectory() && !["dist", "bin", "node_modules"].includes(name));
  assert.deepEqual(folders.filter((f) => !rank.has(f)), [], "a new folder needs its place in LAYERS and in the README");
  const backEdges: string[] = [];
  for (const file of sources(lib)) {
    const from = relative(lib, file).split("/")[0];
    if (!rank.has(from)) continue; // lib/index.ts, lib/errors.ts
    for (const match of readFileSync(file, "utf8").matchAll(/(?:from|import|require)\s*\(?\s*"(\.\.?\/[^"]+)"/g)) {
      const to = relative(lib, resolve(dirname(file), match[1])).split("/")[0];
      if (to === from || !rank.has(to)) continue;
      if (rank.get(to)! >= rank.get(from)!) backEdges.push(`${relative(lib, file)} → ${match[1]}`);
    }
  }
  assert.deepEqual(backEdges, []);
});
