/**
 * Running crash-child.ts in a child process for the crash tests: to completion (`runChild`) or until a condition holds,
 * then SIGKILL (`runChildUntilKilled`: no cleanup, no signal handler runs — what `kill -9` or an OOM kill does).
 * PSL_BACKEND is cleared so that each test's config decides the backend.
 */
import { spawn, spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";

const CHILD = join(__dirname, "crash-child.ts");
const childArgs = (...args: string[]) => ["--import", "tsx", CHILD, ...args];

export function runChild(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, childArgs(...args), { encoding: "utf8", env: { ...process.env, PSL_BACKEND: "" } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Starts the child and SIGKILLs it as soon as `killWhen` holds (checked on every output chunk and every `pollMs`). */
export function runChildUntilKilled(killWhen: (output: string) => boolean, args: string[], pollMs = 20): Promise<{ killed: boolean; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, childArgs(...args), { env: { ...process.env, PSL_BACKEND: "" } });
    let output = "";
    let killed = false;
    const check = () => {
      if (!killed && killWhen(output)) {
        killed = true;
        child.kill("SIGKILL");
      }
    };
    const timer = setInterval(check, pollMs);
    child.stdout.on("data", (d) => ((output += d), check()));
    child.stderr.on("data", (d) => ((output += d), check()));
    child.on("error", reject);
    child.on("exit", (_code, signal) => {
      clearInterval(timer);
      resolve({ killed: killed && signal === "SIGKILL", output });
    });
  });
}

/** Every file under `dir`, recursively. */
export function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name)) : [join(dir, e.name)]));
}
