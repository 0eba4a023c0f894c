/**
 * The whole project (lib/, test/, bench/, scripts/) type-checks under `strict` with the project's own TypeScript.
 * `npm test` runs the sources through tsx, which strips types without checking them, so without this test a type error
 * would only show in an editor. The compiler is named by path: node_modules/.bin/tsc is tslab's TypeScript 5.0 fork
 * (its bin link wins the install), not the project's dev dependency.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { repoPath } from "../lib/io/repo-root";

test("the project type-checks with its own TypeScript (npm run typecheck)", { timeout: 300_000 }, () => {
  const tsc = repoPath("node_modules/typescript/bin/tsc");
  const version = spawnSync(process.execPath, [tsc, "--version"], { encoding: "utf8" }).stdout.trim();
  const devDependency = (JSON.parse(readFileSync(repoPath("package.json"), "utf8")) as { devDependencies: Record<string, string> }).devDependencies.typescript;
  assert.ok(version.includes(devDependency.replace(/^[\^~]/, "")), `${version} is the dev dependency typescript@${devDependency}`);
  const result = spawnSync(process.execPath, [tsc, "-p", repoPath("tsconfig.json"), "--noEmit"], { encoding: "utf8" });
  assert.equal(result.status, 0, `type errors:\n${result.stdout}${result.stderr}`);
});
