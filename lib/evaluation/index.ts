/** Evaluation: sklearn-exact AP / ROC-AUC, d′, Recall@0.2, and their JSON / CSV writers; the mean and the median. */
export * from "./metrics";
export * from "./mean";
export * from "./median";
export * from "./normal";
export * from "./write";
