/** The embedded demo corpus: curated offline sources, seeded clip generator, AudioSet-like weak labels. */
export * from "./corpus";
export { demoDataset } from "./dataset";
export { eventRecordings, sourcesOfSplit } from "./events";
export * from "./sources";
export * from "./profiles";
export * from "./weak-labels";
export { planMixedSplit, planDomain2, labelClip, SPLITS, type SplitName, type ClipRecord, type ClassLabelStat } from "./plan";
export { sourceAvailable, trimAndNormalise, clearPreparedSources } from "./load";
export { recipeToMidi } from "./render";
