// One JSON reader for user files (lib/io/json-file.ts): every failure is a UserError that names the file and says why.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseJsonText, readJsonFile } from "../../lib/io/json-file";
import { UserError } from "../../lib/errors";

const userError = (pattern: RegExp) => (e: unknown) => e instanceof UserError && pattern.test(e.message);

test("reads a JSON file; a missing file, a folder and broken JSON are UserErrors naming the path", () => {
  const dir = mkdtempSync(join(tmpdir(), "psl-json-file-"));
  try {
    const good = join(dir, "good.json");
    writeFileSync(good, JSON.stringify({ a: [1, 2], b: null }));
    assert.deepEqual(readJsonFile(good), { a: [1, 2], b: null });

    const absent = join(dir, "absent.json");
    assert.throws(() => readJsonFile(absent, "config"), userError(new RegExp(`^cannot read config ${absent}: file not found$`)));
    assert.throws(() => readJsonFile(absent), userError(new RegExp(`^cannot read ${absent}: file not found$`)));
    // A folder is not "not found": the system's reason (EISDIR) is kept.
    assert.throws(() => readJsonFile(dir, "ontology"), userError(new RegExp(`^cannot read ontology ${dir}: .*EISDIR`)));

    const broken = join(dir, "broken.json");
    writeFileSync(broken, '{"a": [1, 2');
    // The parser's own message (it says where the text ended) is kept in parentheses.
    assert.throws(() => readJsonFile(broken, "config"), userError(new RegExp(`^config ${broken}: not valid JSON \\(.*position \\d+.*\\)$`)));
    assert.throws(() => readJsonFile(broken), userError(new RegExp(`^${broken}: not valid JSON \\(.+\\)$`)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("parseJsonText names the text's source in its error; valid JSON of any kind parses", () => {
  assert.deepEqual(parseJsonText("[1, \"x\"]", "inline"), [1, "x"]);
  assert.equal(parseJsonText("null", "inline"), null);
  assert.throws(() => parseJsonText("", "seed.json", "ontology"), userError(/^ontology seed\.json: not valid JSON \(/));
});
