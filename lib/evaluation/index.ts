/** Evaluation: sklearn-exact AP / ROC-AUC, d′, Recall@0.2, and their JSON / CSV writers. */
export * from "./metrics";
export * from "./normal";
export * from "./write";
