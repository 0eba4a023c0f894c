/**
 * The notebooks' code type-checks against lib/ without Jupyter: each notebook's code cells, concatenated in order
 * (imports first, the rest in one async function, as tslab runs them one after another in one scope), compiled by the
 * compiler tslab uses, with the project's strict options and `@psl-lab/lib` mapped to lib/index.ts. A renamed or
 * re-typed library function then fails here in seconds, instead of minutes into `npm run reproduce`.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { createRequire } from "node:module";
import { REPO, readNotebook, text } from "./runner";

// The compiler tslab itself compiles cells with (a fork of TypeScript 5.0: it rejects code that the project's 5.9 accepts).
const ts = createRequire(__filename)("@tslab/typescript-for-tslab") as typeof import("typescript");
const notebooks = readdirSync(join(REPO, "notebooks")).filter((f) => f.endsWith(".ipynb")).sort();

/** A notebook as one module: import lines on top (imports must be top-level), every other line in order below. */
function notebookAsModule(path: string): string {
  const imports: string[] = [];
  const body: string[] = [];
  for (const cell of readNotebook(path).cells) {
    if (cell.cell_type !== "code") continue;
    for (const line of text(cell.source).split("\n")) (/^import\s/.test(line) ? imports : body).push(line);
  }
  return [...imports, "export {};", "(async () => {", ...body, "})();", ""].join("\n");
}

test("every notebook's code type-checks against lib/ (strict, as tslab compiles it)", { timeout: 300_000 }, () => {
  // Under the repository (ignored .cache/), so that node_modules resolve as they do for the notebooks.
  mkdirSync(join(REPO, ".cache"), { recursive: true });
  const dir = mkdtempSync(join(REPO, ".cache", "notebook-typecheck-"));
  try {
    const files = notebooks.map((f) => {
      const file = `${f.replace(/\.ipynb$/, "")}.ts`;
      writeFileSync(join(dir, file), notebookAsModule(join(REPO, "notebooks", f)));
      return file;
    });
    // The project's strict options; `@psl-lab/lib` mapped to the sources, so no build is needed.
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({
      extends: relative(dir, join(REPO, "tsconfig.json")),
      compilerOptions: { noEmit: true, baseUrl: relative(dir, REPO), paths: { "@psl-lab/lib": ["lib/index.ts"] } },
      include: files,
    }));
    const parsed = ts.getParsedCommandLineOfConfigFile(join(dir, "tsconfig.json"), {}, {
      ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => assert.fail(ts.flattenDiagnosticMessageText(d.messageText, "\n")),
    });
    assert.ok(parsed, "the checker's tsconfig.json parses");
    const program = ts.createProgram(parsed.fileNames, parsed.options);
    const errors = ts.getPreEmitDiagnostics(program).map((d) => {
      const where = d.file ? `${relative(dir, d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : "";
      return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, " ").slice(0, 300)}`;
    });
    assert.deepEqual(errors, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
