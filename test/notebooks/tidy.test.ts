/**
 * Notebooks are committed tidy: nbformat 4, the project's tslab kernel, no outputs, one `parameters`
 * cell whose parameters the runner can re-assign (`let`, one per statement), no leftover injected cell.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { REPO, readNotebook, text } from "./runner";

const dirs = [join(REPO, "notebooks"), join(REPO, "test", "fixtures", "notebooks")];
const notebooks = dirs.flatMap((dir) => readdirSync(dir).filter((f) => f.endsWith(".ipynb")).map((f) => join(dir, f)));

test("there is an environment notebook to smoke-test the runner", () => {
  assert.ok(notebooks.some((p) => p.endsWith(join("notebooks", "00-environment.ipynb"))));
});

for (const path of notebooks) {
  const name = path.slice(REPO.length + 1);
  test(`${name} is tidy and parameterised`, () => {
    const nb = readNotebook(path);
    assert.equal(nb.nbformat, 4);
    assert.equal(nb.metadata.kernelspec?.name, "tslab", "kernelspec must be the project's tslab kernel");
    for (const [i, cell] of nb.cells.entries()) {
      if (cell.cell_type !== "code") continue;
      assert.deepEqual(cell.outputs, [], `cell ${i} has outputs: clear them before committing`);
      assert.equal(cell.execution_count, null, `cell ${i} has an execution count`);
      assert.ok(!cell.metadata.tags?.includes("injected-parameters"), `cell ${i}: an injected-parameters cell was committed`);
    }
    const parameterCells = nb.cells.filter((c) => c.metadata.tags?.includes("parameters"));
    assert.equal(parameterCells.length, 1, "exactly one cell tagged `parameters`");
    const declarations = text(parameterCells[0].source)
      .split("\n")
      .filter((line) => /^\s*(let|const|var)\s/.test(line));
    assert.ok(declarations.length > 0, "the parameters cell declares parameters");
    for (const line of declarations) {
      assert.match(line, /^\s*let\s+[A-Za-z_$][\w$]*\s*(:[^=]+)?=/, `"${line.trim()}": parameters use let (the runner re-assigns them)`);
      assert.doesNotMatch(line.replace(/\/\/.*$/, ""), /,\s*[A-Za-z_$][\w$]*\s*=/, `"${line.trim()}": one parameter per statement`);
    }
  });
}
