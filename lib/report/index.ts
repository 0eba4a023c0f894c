/** Notebook reporting: charts, tables, headline results for summary.json, progress bars. */
export * from "./display";
export * from "./plotly";
export * from "./tables";
export * from "./summary";
export * from "./targets";
export * from "./run-time-target";
export * from "./versions";
export * from "./progress";
export * as charts from "./charts";
