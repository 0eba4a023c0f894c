/** PSL Lab library entry point: notebooks `import * as psl from "@psl-lab/lib"`. */
export * as nn from "./nn";
export * as engine from "./engine";
export * as evaluation from "./evaluation";
export * as report from "./report";
export * as model from "./model";
export { initBackend, activeBackend } from "./nn/backend";
export * as analysis from "./analysis";
export * as audio from "./audio";
export * as data from "./data";
export * as io from "./io";
export * as demo from "./demo";
export * as psl from "./psl";
export * as series from "./series";
