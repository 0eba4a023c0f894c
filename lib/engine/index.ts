/** The training/inference engine: loss, optimizer, trainer, fast inference (the backend is lib/nn's). */
export { bceLoss, bceLossArrays, mixTargets } from "./loss";
export { createAdam, clipGradNorm, globalNorm, type Adam, type AdamOptions, type AdamState } from "./adam";
export { createTrainer, autoWorkers, type Trainer, type TrainerOptions, type TrainBatch } from "./trainer";
export { foldModel, predict, withFoldedModel, type FoldedModel, type Predictions } from "./infer";
