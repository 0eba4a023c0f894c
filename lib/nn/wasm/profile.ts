/**
 * PSL_KERNEL_PROFILE=1: total milliseconds per engine kernel (and BatchMatMul variant), printed to stderr at exit.
 * PSL_KERNEL_PROFILE_CPU=1 as well: process CPU time instead of wall time (steadier on a loaded machine, but only
 * meaningful summed over many calls: the kernel's accounting has tick granularity).
 */
const profile = process.env.PSL_KERNEL_PROFILE === "1" ? new Map<string, { ms: number; calls: number }>() : undefined;
const cpuTime = process.env.PSL_KERNEL_PROFILE_CPU === "1";
if (profile) {
  process.on("exit", () => {
    const rows = [...profile].sort((a, b) => b[1].ms - a[1].ms);
    process.stderr.write(`[kernel profile${cpuTime ? ", cpu" : ""}] ${rows.map(([k, v]) => `${k} ${v.ms.toFixed(0)} ms/${v.calls}`).join(", ")}\n`);
  });
}

/** Clears the totals (e.g. after a warm-up step, whose first calls include compilation). */
export function resetKernelProfile(): void {
  profile?.clear();
}

/** The totals so far, kernel name → {ms, calls} (empty without PSL_KERNEL_PROFILE=1). */
export function kernelProfile(): Map<string, { ms: number; calls: number }> {
  return new Map(profile ?? []);
}

/** `f` timed under `name` (a function of the arguments for per-variant names) when profiling; `f` itself otherwise. */
export function profiled<A extends unknown[], R>(name: string | ((...args: A) => string), f: (...args: A) => R): (...args: A) => R {
  if (!profile) return f;
  return (...args: A) => {
    const wall = cpuTime ? 0 : performance.now();
    const cpu = cpuTime ? process.cpuUsage() : undefined;
    const r = f(...args);
    const key = typeof name === "string" ? name : name(...args);
    const e = profile.get(key) ?? { ms: 0, calls: 0 };
    if (cpu) {
      const used = process.cpuUsage(cpu);
      e.ms += (used.user + used.system) / 1000;
    } else e.ms += performance.now() - wall;
    e.calls += 1;
    profile.set(key, e);
    return r;
  };
}
