/** The notebook series (notebooks/01–06): shared parameters → configs, data, cached training and scoring. */
export * from "./settings";
export * from "./data";
export * from "./run";
export * from "./example";
export * from "./results";
export * from "./teacher-corpus";
export * from "./quick-eval-note";
export { shippedTeacher, shippedTeacherEval, trainDemoTeacher, type DemoTeacherRecipeFile } from "./demo-teacher";
