/**
 * The epoch loop shared by teacher and student training: seeded batch order, engine trainer steps, validation mAP on a
 * held-out split every epoch, early stopping with patience, best checkpoint kept, resumable checkpoints.
 *
 * Resume is exact: the batch order of epoch e is a pure function of (seed, e), so the loop only needs the epoch and the
 * number of steps already taken in it; the model (weights + BN statistics) and the optimizer state (moments, step
 * count) come from `last.safetensors`, whose metadata also carries the loop state — one atomic file, so the state can
 * never disagree with the weights. It is written at every epoch end and every `checkpointEverySteps` steps; a kill
 * loses at most those steps, and the resumed run ends with exactly the weights of an uninterrupted one (same seed and
 * backend; see test/psl/resume.test.ts).
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { UserError } from "../errors";
import { writeJsonAtomic } from "../io/atomic";
import { createBalancedSampler, createShuffleSampler } from "../data/sampler";
import { augmentBatch } from "../data/augment";
import { createRng } from "../data/random";
import { N_MELS } from "../audio/frontend";
import { loadCheckpoint, saveCheckpoint } from "../model/checkpoint";
import type { MobileNetV2 } from "../model/mobilenetv2";
import type { EvalMetrics } from "../evaluation";
import { createProgress } from "../report/progress";
import type { SamplerKind, TrainingSettings } from "./config";
import { learningRateAt } from "./learning-rate";
import type { Trainer, TrainerOptions } from "../engine/trainer";
import type { AdamState } from "../engine/adam";

/** The engine's trainer factory (lib/engine/trainer.ts createTrainer), injectable for tests. */
export type TrainerFactory = (model: MobileNetV2, options: TrainerOptions) => Promise<Trainer>;

/** Adam state ⇄ flat checkpoint tensors (`m.<var>`, `v.<var>`, `vmax.<var>`) + JSON (step count, options). */
function flattenAdamState(state: AdamState): { tensors: Record<string, Float32Array>; meta: { step: number; options: AdamState["options"] } } {
  const tensors: Record<string, Float32Array> = {};
  for (const [name, a] of Object.entries(state.expAvg)) tensors[`m.${name}`] = a;
  for (const [name, a] of Object.entries(state.expAvgSq)) tensors[`v.${name}`] = a;
  for (const [name, a] of Object.entries(state.maxExpAvgSq ?? {})) tensors[`vmax.${name}`] = a;
  return { tensors, meta: { step: state.step, options: state.options } };
}

function unflattenAdamState(tensors: Record<string, Float32Array>, meta: { step: number; options: AdamState["options"] }): AdamState {
  const pick = (prefix: string) => Object.fromEntries(Object.entries(tensors).filter(([k]) => k.startsWith(prefix)).map(([k, a]) => [k.slice(prefix.length), a]));
  const maxExpAvgSq = pick("vmax.");
  return { step: meta.step, options: meta.options, expAvg: pick("m."), expAvgSq: pick("v."), ...(Object.keys(maxExpAvgSq).length ? { maxExpAvgSq } : {}) };
}

export interface Batch {
  input: Float32Array;
  frames: number;
  targets: Float32Array;
}

export interface EpochRecord {
  /** Epoch (or, with a step budget, validation period) number, from 1. */
  epoch: number;
  /** Optimizer steps taken when this record was validated (the x axis that compares runs fairly). */
  step?: number;
  meanLoss: number;
  validationMAP: number;
  validationAUC: number;
  seconds: number;
}

export interface LoopState {
  /** Current epoch (0-based). */
  epoch: number;
  /** Steps already taken in the current epoch. */
  stepInEpoch: number;
  globalStep: number;
  lossSum: number;
  bestMAP: number | null;
  bestEpoch: number | null;
  epochsWithoutImprovement: number;
  history: EpochRecord[];
  finished: boolean;
  stopReason: string | null;
}

export interface TrainLoopOptions {
  /** Run folder: last.safetensors (resume), best.safetensors, history.json. */
  dir: string;
  model: MobileNetV2;
  settings: TrainingSettings;
  seed: number;
  workers?: number | "auto";
  createTrainer: TrainerFactory;
  /** Number of training items (clips or chunks). */
  numItems: number;
  /** Labels per item (for the balanced sampler). */
  itemLabels?: (index: number) => readonly number[];
  /** Builds the batch of the given items (targets row-major [N, numClasses]). */
  makeBatch(indices: readonly number[]): Batch | Promise<Batch>;
  /** Validation metrics of the (synced) model; called after every epoch. */
  validate(model: MobileNetV2): EvalMetrics | Promise<EvalMetrics>;
  /** Continue from `last.safetensors` when it exists (else start fresh). */
  resume: boolean;
  /** Label for the progress bar, e.g. "teacher". */
  label: string;
  /** Called after each epoch (notebooks plot the curves live). */
  onEpoch?: (record: EpochRecord) => void;
  /** Test hook simulating a kill: throws after this many steps of THIS call (a checkpoint is written before). */
  abortAfterSteps?: number;
}

export interface LoopResult {
  state: LoopState;
  bestCheckpoint: string;
  lastCheckpoint: string;
}

export class TrainingAborted extends Error {}

/**
 * Batch order of one epoch, a pure function of (seed, epoch) so a resumed run replays it.
 * random: lib/data's shuffle sampler (the reference configs' `sampler: null` → DataLoader shuffling);
 * balanced: lib/data's balanced sampler (the reference's), re-seeded per epoch from (seed, epoch), numItems draws.
 */
export function epochOrder(kind: SamplerKind, numItems: number, seed: number, epoch: number, itemLabels?: (index: number) => readonly number[]): number[] {
  if (kind === "random") return Array.from(createShuffleSampler(numItems, { seed }).epochOrder(epoch));
  if (!itemLabels) throw new UserError('sampler "balanced" needs item labels');
  const labels = Array.from({ length: numItems }, (_, i) => itemLabels(i));
  return createBalancedSampler(labels, { seed: seed * 1_000_003 + epoch }).take(numItems);
}

/** The seed of one step's augmentation draws: its own stream, apart from the batch order's. */
export function augmentationSeed(seed: number, globalStep: number): number {
  return (seed + 0.5) * 1_000_003 + globalStep;
}

function freshState(): LoopState {
  return { epoch: 0, stepInEpoch: 0, globalStep: 0, lossSum: 0, bestMAP: null, bestEpoch: null, epochsWithoutImprovement: 0, history: [], finished: false, stopReason: null };
}

/** Steps per validation period: one epoch's worth, or with a step budget validateEverySteps (at most the budget). */
function periodStepsOf(settings: TrainingSettings, numItems: number): number {
  const epochSteps = Math.ceil(numItems / settings.batchSize);
  const budget = settings.steps ?? null;
  return budget === null ? epochSteps : Math.max(1, Math.min(budget, settings.validateEverySteps ?? epochSteps));
}

/** The stop reason of a run that took its whole step budget (the only kind a larger budget may continue). */
export function budgetStopReason(steps: number): string {
  return `reached the budget of ${steps} steps`;
}

/** Finished because it took its whole step budget (not early-stopped, not an epoch-count run). */
export function stoppedAtBudget(state: LoopState): boolean {
  return state.finished && state.stopReason === budgetStopReason(state.globalStep);
}

/** Reads the loop state stored in a run folder's last checkpoint (undefined when there is none). */
export function readLoopState(dir: string): LoopState | undefined {
  const path = join(dir, "last.safetensors");
  if (!existsSync(path)) return undefined;
  return loadCheckpoint(path).meta.loop as LoopState | undefined;
}

/** A run folder whose training finished: its loop state says so and its best checkpoint is there (what caches reuse). */
export function isFinishedRun(dir: string): boolean {
  return existsSync(join(dir, "best.safetensors")) && readLoopState(dir)?.finished === true;
}

export async function runTrainingLoop(options: TrainLoopOptions): Promise<LoopResult> {
  const { dir, model, settings } = options;
  mkdirSync(dir, { recursive: true });
  const lastPath = join(dir, "last.safetensors");
  const bestPath = join(dir, "best.safetensors");
  let state = freshState();
  let optimizerState: AdamState | undefined;
  let savedWorkers: unknown;
  if (options.resume && existsSync(lastPath)) {
    const checkpoint = loadCheckpoint(lastPath);
    const saved = checkpoint.meta.loop as LoopState | undefined;
    const adamMeta = checkpoint.meta.adam as { step: number; options: AdamState["options"] } | undefined;
    if (!saved || !adamMeta) throw new UserError(`${lastPath}: not a training checkpoint of this kit (no loop/optimizer state)`);
    // Weights first: the trainer copies the model's weights when it is created.
    model.setWeights(checkpoint.tensors);
    optimizerState = unflattenAdamState(checkpoint.optimizerState, adamMeta);
    state = saved;
    savedWorkers = checkpoint.meta.workers;
    // A run that stopped at its step budget continues when resumed with a larger one: batches come from a stream that is
    // a pure function of (seed, global step), so the longer run equals one trained with that budget from the start —
    // provided its validation periods line up with the new budget's (a last, shorter period would shift every later
    // validation, and with it best checkpoint and early stopping).
    const budget = settings.steps ?? null;
    if (budget !== null && state.globalStep < budget && stoppedAtBudget(state)) {
      if (state.globalStep === state.epoch * periodStepsOf(settings, options.numItems)) {
        state = { ...state, finished: false, stopReason: null };
      } else {
        console.error(
          `[psl] ${options.label}: the finished ${state.globalStep}-step run in ${dir} is not continued to ${budget} steps: its validation periods ` +
            `do not line up with validateEverySteps ${settings.validateEverySteps} (its budget is not a multiple of it); train in a new folder instead`,
        );
      }
    }
  }
  const trainer = await options.createTrainer(model, {
    learningRate: settings.learningRate,
    amsgrad: settings.amsgrad,
    maxGradNorm: settings.maxGradNorm ?? undefined,
    seed: options.seed,
    workers: options.workers,
  });
  if (optimizerState) trainer.loadOptimizerState(optimizerState);
  // Whole-batch BatchNorm makes the worker count change float rounding only; bit-identical resume needs the same count.
  if (typeof savedWorkers === "number" && savedWorkers !== trainer.workers) {
    console.error(`[psl] ${options.label}: resumed with ${trainer.workers} training workers, the checkpoint was written with ${savedWorkers}: the result equals an uninterrupted run to float rounding, not bit for bit (set "workers" to ${savedWorkers} for that)`);
  }

  // Step budget (settings.steps): the batches run through a stream of seeded epoch orders, every batch full, and a
  // "period" of validateEverySteps steps replaces the epoch; otherwise one period = one epoch (last batch partial).
  const stepBudget = settings.steps ?? null;
  const orders = new Map<number, number[]>();
  const orderOf = (epoch: number) => {
    let order = orders.get(epoch);
    if (!order) {
      order = epochOrder(settings.sampler, options.numItems, options.seed, epoch, options.itemLabels);
      orders.set(epoch, order);
      orders.delete(epoch - 2);
    }
    return order;
  };
  const streamBatch = (globalStep: number): number[] => {
    const out: number[] = [];
    for (let position = globalStep * settings.batchSize; out.length < settings.batchSize; position++) {
      out.push(orderOf(Math.floor(position / options.numItems))[position % options.numItems]);
    }
    return out;
  };

  const save = async (path: string, withOptimizer: boolean) => {
    await trainer.syncModel();
    const adam = withOptimizer ? flattenAdamState(trainer.optimizerState()) : undefined;
    saveCheckpoint(path, {
      model,
      optimizerState: adam?.tensors,
      meta: { loop: state, adam: adam?.meta, settings, seed: options.seed, workers: trainer.workers },
    });
  };

  let stepsThisCall = 0;
  try {
    const batchSize = settings.batchSize;
    if (options.numItems === 0) throw new UserError(`${options.label}: nothing to train on (0 items)`);
    const periodSteps = periodStepsOf(settings, options.numItems);
    const periods = stepBudget === null ? settings.epochs : Math.ceil(stepBudget / periodSteps);
    const unit = stepBudget === null ? "epoch" : "period";
    while (!state.finished && state.epoch < periods) {
      const stepsPerEpoch = stepBudget === null ? periodSteps : Math.min(periodSteps, stepBudget - state.epoch * periodSteps);
      const order = stepBudget === null ? epochOrder(settings.sampler, options.numItems, options.seed, state.epoch, options.itemLabels) : [];
      const started = Date.now();
      const progress = createProgress({ label: `${options.label} ${unit} ${state.epoch + 1}/${periods}`, total: stepsPerEpoch, unit: "steps" });
      if (state.stepInEpoch > 0) progress.tick(state.stepInEpoch);
      while (state.stepInEpoch < stepsPerEpoch) {
        const indices = stepBudget === null ? order.slice(state.stepInEpoch * batchSize, (state.stepInEpoch + 1) * batchSize) : streamBatch(state.globalStep);
        const raw = await options.makeBatch(indices);
        // Augmentation draws from (seed, global step) alone, so a resumed or continued run replays the same batches.
        const batch = settings.augmentation ? augmentBatch(raw, settings.augmentation, N_MELS, createRng(augmentationSeed(options.seed, state.globalStep))) : raw;
        if (settings.learningRateDecay) trainer.setLearningRate(learningRateAt(settings, state.globalStep));
        const { loss } = await trainer.step({ input: batch.input, batchSize: indices.length, frames: batch.frames, targets: batch.targets });
        if (!Number.isFinite(loss)) {
          // Divergence (learning rate too high) or non-finite inputs: a configuration problem, not a crash. Nothing is
          // saved from this step, so the checkpoints on disk hold the last finite state.
          const kept = existsSync(lastPath) ? `; the last checkpoint (${lastPath}) is from before it` : "";
          throw new UserError(
            `${options.label}: loss became ${loss} at epoch ${state.epoch + 1}, step ${state.stepInEpoch + 1}: training diverged ` +
              `(learning rate ${settings.learningRate} too high?) or the inputs hold non-finite values${kept}`,
          );
        }
        state.stepInEpoch += 1;
        state.globalStep += 1;
        state.lossSum += loss;
        stepsThisCall += 1;
        progress.tick(1, { loss: state.lossSum / state.stepInEpoch });
        const periodic = settings.checkpointEverySteps > 0 && state.stepInEpoch % settings.checkpointEverySteps === 0 && state.stepInEpoch < stepsPerEpoch;
        const aborting = options.abortAfterSteps !== undefined && stepsThisCall >= options.abortAfterSteps;
        if (periodic || aborting) await save(lastPath, true);
        if (aborting) {
          progress.done();
          throw new TrainingAborted(`${options.label}: aborted after ${stepsThisCall} steps (test hook)`);
        }
      }
      progress.done();
      await trainer.syncModel();
      const metrics = await options.validate(model);
      const record: EpochRecord = {
        epoch: state.epoch + 1,
        step: state.globalStep,
        meanLoss: state.lossSum / stepsPerEpoch,
        validationMAP: metrics.mAP,
        validationAUC: metrics.meanAUC,
        seconds: (Date.now() - started) / 1000,
      };
      state.history.push(record);
      const improved = state.bestMAP === null || metrics.mAP > state.bestMAP;
      if (improved) {
        state.bestMAP = metrics.mAP;
        state.bestEpoch = record.epoch;
        state.epochsWithoutImprovement = 0;
      } else {
        state.epochsWithoutImprovement += 1;
      }
      state.epoch += 1;
      state.stepInEpoch = 0;
      state.lossSum = 0;
      if (state.epochsWithoutImprovement >= settings.patience) {
        state.finished = true;
        state.stopReason = `early stopping: no validation-mAP gain for ${settings.patience} epochs`;
      } else if (state.epoch >= periods) {
        state.finished = true;
        state.stopReason = stepBudget === null ? `reached ${settings.epochs} epochs` : budgetStopReason(stepBudget);
      }
      // Best first, then last: a kill between the two re-runs nothing but this epoch's validation on resume.
      if (improved) await save(bestPath, false);
      await save(lastPath, true);
      writeJsonAtomic(join(dir, "history.json"), state.history);
      console.error(
        `[psl] ${options.label} ${unit} ${record.epoch} (step ${record.step}): loss ${record.meanLoss.toFixed(4)}, validation mAP ${(100 * record.validationMAP).toFixed(2)}` +
          `${improved ? " (best)" : ""}, ${record.seconds.toFixed(1)} s`,
      );
      options.onEpoch?.(record);
    }
    if (periods === 0 && !existsSync(bestPath)) {
      // Nothing to train: the initial model is the result.
      state.finished = true;
      state.stopReason = "epochs = 0";
      await save(bestPath, false);
      await save(lastPath, true);
    }
  } finally {
    await trainer.dispose();
  }
  return { state, bestCheckpoint: bestPath, lastCheckpoint: lastPath };
}
