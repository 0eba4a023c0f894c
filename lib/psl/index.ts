/** The PSL method: configs, teacher, annotation (PSL table), targets, student, evaluation, cached pipeline. */
export * from "./config";
export * from "./table";
export * from "./targets";
export * from "./features";
export * from "./chunking";
export * from "./evaluate";
export * from "./loop";
export * from "./teacher";
export * from "./annotate";
export * from "./student";
export * from "./cache";
export * from "./pipeline";
export * from "./preflight";
