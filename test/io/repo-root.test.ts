/** lib/io/repo-root.ts: one repository root for sources and the compiled library alike. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findRepoRoot, repoPath, repoRoot } from "../../lib/io/repo-root";

test("repoRoot is this checkout, and repoPath joins inside it", () => {
  const root = repoRoot();
  assert.equal(JSON.parse(readFileSync(join(root, "package.json"), "utf8")).name, "psl-lab");
  assert.equal(repoPath("data-manifests", "audioset"), join(root, "data-manifests", "audioset"));
  assert.ok(readFileSync(repoPath("data-manifests", "audioset", "class_labels_indices.csv"), "utf8").startsWith("index,mid,display_name"));
});

test("the sources (lib/<folder>) and the compiled library (lib/dist/<folder>/<sub>) find the same root", () => {
  const root = repoRoot();
  for (const from of [join(root, "lib", "io"), join(root, "lib", "dist", "io"), join(root, "lib", "dist", "cli", "commands")]) {
    assert.equal(findRepoRoot(from), root, from);
  }
});

test("a folder outside any checkout has no root; the nearest data-manifests/ above wins", () => {
  const dir = mkdtempSync(join(tmpdir(), "psl-root-"));
  try {
    assert.equal(findRepoRoot(join(dir, "a", "b")), undefined);
    mkdirSync(join(dir, "data-manifests"));
    mkdirSync(join(dir, "a", "data-manifests"), { recursive: true });
    assert.equal(findRepoRoot(join(dir, "a", "b", "c")), join(dir, "a"));
    assert.equal(findRepoRoot(join(dir, "x")), dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
