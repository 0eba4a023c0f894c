/**
 * The learning rate of a training step. Constant unless `learningRateDecay` is set (a step decay: learningRate × factor
 * from global step `afterStep` on). A pure function of the step, so resuming or continuing a run never changes it.
 */
import type { TrainingSettings } from "./config";

/** Learning rate for the step taken after `stepsTaken` steps (0-based global step). */
export function learningRateAt(settings: Pick<TrainingSettings, "learningRate" | "learningRateDecay">, stepsTaken: number): number {
  const decay = settings.learningRateDecay;
  return decay !== null && stepsTaken >= decay.afterStep ? settings.learningRate * decay.factor : settings.learningRate;
}
