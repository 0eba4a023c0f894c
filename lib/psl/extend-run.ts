/**
 * Training a cached run longer without redoing its first steps.
 *
 * A training run's cache folder is keyed by its settings, `steps` included (./cache.ts), so a larger budget names a new
 * folder. With a step budget the batches come from a stream that is a pure function of (seed, global step) and the
 * validation periods are fixed by `validateEverySteps` (./loop.ts), so the first N steps of a longer run ARE the N-step
 * run: a new folder may start from a finished sibling run whose parameters are identical except a smaller `steps`,
 * provided that budget is a whole number of validation periods (the periods line up) and the run stopped at its budget
 * (an early-stopped run would have stopped the longer one too). The sibling's checkpoints are copied in, its last one
 * marked unfinished, and the loop's resume continues it: the result equals training the longer budget from the start
 * (bit for bit with the same number of training workers).
 */
import { copyFileSync, existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { copyCheckpointWithMeta } from "../model/checkpoint";
import { canonicalJson } from "./cache";
import type { LearningRateDecay } from "./config";
import { readLoopState, stoppedAtBudget, type LoopState } from "./loop";

/** A finished run that a run folder can continue from. */
export interface ShorterRun {
  dir: string;
  /** Its step budget (= steps taken). */
  steps: number;
}

type Params = Record<string, unknown> & { settings?: { steps?: unknown; validateEverySteps?: unknown } };

/** A run folder's params.json (./cache.ts artefactDir) without its key; undefined when absent or unreadable. */
function readParams(dir: string): Params | undefined {
  try {
    const { key: _key, ...params } = JSON.parse(readFileSync(join(dir, "params.json"), "utf8")) as Params;
    return params;
  } catch {
    return undefined;
  }
}

/** A run's learning-rate decay (./learning-rate.ts); absent from a key = none. */
function decayOf(params: Params): LearningRateDecay | null {
  return (params.settings as { learningRateDecay?: LearningRateDecay | null } | undefined)?.learningRateDecay ?? null;
}

/**
 * Equal parameters for the first `steps` steps once `settings.steps` is set aside: a learning-rate decay that starts at
 * or after step `steps` (./learning-rate.ts) does not touch them, so it counts as none.
 */
function samePrefix(a: Params, b: Params, steps: number): boolean {
  const prefixKey = (params: Params) => {
    const decay = decayOf(params);
    return canonicalJson({ ...params, settings: { ...params.settings, steps: null, learningRateDecay: decay !== null && decay.afterStep < steps ? decay : null } });
  };
  return prefixKey(a) === prefixKey(b);
}

/**
 * Why continuing the `shorterSteps`-step run `shorter` equals training `own` from the start, for the log: the same
 * settings, or the same but for a learning-rate decay that the shorter run never reached (samePrefix lets only that
 * differ), which the line names rather than claim equal settings.
 */
function equivalenceNote(own: Params, shorter: Params, shorterSteps: number): string {
  const ownDecay = decayOf(own);
  const shorterDecay = decayOf(shorter);
  if (canonicalJson(ownDecay) === canonicalJson(shorterDecay)) return "same data, settings and seed";
  const decay = (d: LearningRateDecay) => `to ${d.factor}× from step ${d.afterStep}`;
  const but =
    shorterDecay === null ? `a learning-rate decay ${decay(ownDecay!)} that the ${shorterSteps}-step run never reached`
    : ownDecay === null ? `the ${shorterSteps}-step run's learning-rate decay ${decay(shorterDecay)}, which it never reached`
    : `the learning-rate decay, here ${decay(ownDecay)}, in the ${shorterSteps}-step run ${decay(shorterDecay)}, which it never reached`;
  return `same data and seed, settings equal but for ${but}`;
}

/** Finished because it reached its budget of `steps` steps (./loop.ts' rule), every validation period complete. */
function finishedAtBudget(state: LoopState | undefined, steps: number, validateEverySteps: number): boolean {
  return state !== undefined && stoppedAtBudget(state) && state.globalStep === steps && state.epoch * validateEverySteps === steps;
}

/**
 * The longest finished sibling of run folder `dir` (same cache stage folder) that `dir` can continue: identical
 * params.json except a smaller `settings.steps`, a multiple of its `validateEverySteps`, stopped at that budget (not
 * early-stopped; a learning-rate decay that starts after its budget counts as equal). Undefined when `dir`'s run has no step budget or explicit validation period, or none qualifies.
 */
export function findShorterRun(dir: string): ShorterRun | undefined {
  const own = readParams(dir);
  const steps = own?.settings?.steps;
  const every = own?.settings?.validateEverySteps;
  if (!own || typeof steps !== "number" || typeof every !== "number") return undefined;
  const stageDir = dirname(dir);
  let found: ShorterRun | undefined;
  for (const name of readdirSync(stageDir).sort()) {
    const candidate = join(stageDir, name);
    if (candidate === dir) continue;
    const params = readParams(candidate);
    const candidateSteps = params?.settings?.steps;
    if (!params || typeof candidateSteps !== "number" || candidateSteps <= 0 || candidateSteps >= steps || candidateSteps % every !== 0) continue;
    if (found && candidateSteps <= found.steps) continue;
    if (!samePrefix(own, params, candidateSteps)) continue;
    if (!["best.safetensors", "last.safetensors", "history.json"].every((file) => existsSync(join(candidate, file)))) continue;
    if (!finishedAtBudget(readLoopState(candidate), candidateSteps, every)) continue;
    found = { dir: candidate, steps: candidateSteps };
  }
  return found;
}

/**
 * Copies a finished run's history and best checkpoint into `dir`, then its last checkpoint with the loop state marked
 * unfinished (last, because its presence is what makes `dir` a run to resume: a kill before it leaves nothing used).
 */
export function copyRunToContinue(from: string, dir: string): void {
  copyFileSync(join(from, "history.json"), join(dir, "history.json"));
  copyFileSync(join(from, "best.safetensors"), join(dir, "best.safetensors"));
  copyCheckpointWithMeta(join(from, "last.safetensors"), join(dir, "last.safetensors"), (meta) => ({
    ...meta,
    loop: { ...(meta.loop as LoopState), finished: false, stopReason: null },
  }));
}

/**
 * When run folder `dir` has not started (no last.safetensors), starts it from its longest finished shorter sibling, if
 * any, and says so in one line. Returns the sibling used.
 */
export function continueShorterRun(dir: string, label: string, log: (message: string) => void): ShorterRun | undefined {
  if (existsSync(join(dir, "last.safetensors"))) return undefined;
  const shorter = findShorterRun(dir);
  if (!shorter) return undefined;
  const own = readParams(dir)!;
  const steps = own.settings!.steps as number;
  const note = equivalenceNote(own, readParams(shorter.dir)!, shorter.steps);
  copyRunToContinue(shorter.dir, dir);
  log(`${label}: continuing the ${shorter.steps}-step run ${shorter.dir} to ${steps} steps (${note}: equals training ${steps} steps from the start)`);
  return shorter;
}
