/** Versions of the runtime and of installed packages, for the environment notebook and reports. */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

/**
 * The installed version of an npm package, or undefined when it is not installed.
 * `require.resolve("<name>/package.json")` fails for packages whose "exports" hide package.json,
 * so the fallback walks up from the package's entry file.
 */
export function packageVersion(name: string): string | undefined {
  const read = (path: string): { name?: string; version?: string } => JSON.parse(readFileSync(path, "utf8"));
  try {
    return read(require.resolve(`${name}/package.json`)).version;
  } catch {
    // fall through
  }
  try {
    let dir = dirname(require.resolve(name));
    while (dir !== dirname(dir)) {
      const candidate = join(dir, "package.json");
      if (existsSync(candidate) && read(candidate).name === name) return read(candidate).version;
      dir = dirname(dir);
    }
  } catch {
    // not installed
  }
  return undefined;
}

/** node + the given packages (missing ones as "not installed"). */
export function environmentVersions(packages: string[]): Record<string, string> {
  const out: Record<string, string> = { node: process.versions.node, v8: process.versions.v8, platform: `${process.platform}-${process.arch}` };
  for (const name of packages) out[name] = packageVersion(name) ?? "not installed";
  return out;
}
