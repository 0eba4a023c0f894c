/** The training/inference engine: backend choice, loss, optimizer, trainer, fast inference. */
export { initBackend, activeBackend, BACKEND_NAMES, type BackendName, type BackendInfo } from "../nn/backend";
export { bceLoss, bceLossArrays, mixTargets } from "./loss";
export { createAdam, clipGradNorm, globalNorm, type Adam, type AdamOptions, type AdamState } from "./adam";
export { createTrainer, autoWorkers, type Trainer, type TrainerOptions, type TrainBatch } from "./trainer";
export { foldModel, predict, type FoldedModel, type Predictions } from "./infer";
