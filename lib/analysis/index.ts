/** Analyses behind notebooks 02 (AP by training recordings), 04, 05 (missing labels) and 06 (FSD generalization): pure functions returning tables. */
export * from "./types";
export * from "./chunk-scores";
export * from "./threshold-counter";
export * from "./missing-labels";
export * from "./missing-label-truth";
export * from "./ap-by-missing-rate";
export * from "./strong-labels";
export * from "./fsd-generalization";
export * from "./recovery-by-event";
export * from "./bootstrap";
export * from "./inherited-labels";
export * from "./ideal-teacher";
export * from "./tidy";
export * from "./seed-intervals";
export * from "./step-curves";
export * from "./step-curve-groups";
export * from "./recordings-per-class";
