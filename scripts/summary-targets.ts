/**
 * Issue 13's targets for the headless runner (scripts/run_notebooks.py): reads `{ "results": <summary.json results>,
 * "run": <RunFacts> }` as JSON on stdin and writes the targets as JSON on stdout — the notebooks' targets
 * (lib/report/targets.ts) from the merged results, then the profile's run-time target (lib/report/run-time-target.ts)
 * from what the runner saw of the run, when that profile has one. `run` may be absent (no run-time entry then).
 * Run as `node --import tsx scripts/summary-targets.ts < input.json`.
 */
import { issueTargets } from "../lib/report/targets";
import { runTimeTarget, type RunFacts } from "../lib/report/run-time-target";
import type { SummaryValue } from "../lib/report/summary";

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk: string) => (input += chunk));
process.stdin.on("end", () => {
  const { results, run } = JSON.parse(input) as { results: Record<string, SummaryValue>; run?: RunFacts };
  const runTime = run === undefined ? null : runTimeTarget(run);
  process.stdout.write(JSON.stringify([...issueTargets(results), ...(runTime === null ? [] : [runTime])]));
});
