// One text reader for user files (lib/io/text-file.ts; the CSV, manifest and JSON readers go through it): a file that
// cannot be read is a UserError that names the file and says why, in one wording.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readTextFile } from "../../lib/io/text-file";
import { readJsonFile } from "../../lib/io/json-file";
import { readManifest } from "../../lib/data/manifest";
import { UserError } from "../../lib/errors";

const userError = (pattern: RegExp) => (e: unknown) => e instanceof UserError && pattern.test(e.message);

test("reads a text file; a missing file and a folder are UserErrors naming the path and the reason, for every reader", () => {
  const dir = mkdtempSync(join(tmpdir(), "psl-text-file-"));
  try {
    const good = join(dir, "labels.csv");
    writeFileSync(good, "index,mid,display_name\n0,/m/09x0r,Speech\n");
    assert.equal(readTextFile(good), "index,mid,display_name\n0,/m/09x0r,Speech\n");

    const absent = join(dir, "absent.csv");
    assert.throws(() => readTextFile(absent, "class list"), userError(new RegExp(`^cannot read class list ${absent}: file not found$`)));
    assert.throws(() => readTextFile(absent), userError(new RegExp(`^cannot read ${absent}: file not found$`)));
    // A folder is not "not found": the system's reason (EISDIR) is kept.
    assert.throws(() => readTextFile(dir), userError(new RegExp(`^cannot read ${dir}: .*EISDIR`)));

    // The CSV and JSON readers go through it: one wording.
    const csv = join(dir, "manifest.csv");
    const json = join(dir, "config.json");
    assert.throws(() => readManifest(csv), userError(new RegExp(`^cannot read ${csv}: file not found$`)));
    assert.throws(() => readJsonFile(json), userError(new RegExp(`^cannot read ${json}: file not found$`)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
