/** Evaluation: sklearn-exact AP / ROC-AUC, d′, Recall@0.2, and their JSON / CSV writers; the median. */
export * from "./metrics";
export * from "./median";
export * from "./normal";
export * from "./write";
