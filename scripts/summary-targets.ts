/**
 * Issue 13's targets from merged notebook results, for the headless runner (scripts/run_notebooks.py): reads the
 * `results` object of summary.json as JSON on stdin, writes the targets (lib/report/targets.ts) as JSON on stdout.
 * Run as `node --import tsx scripts/summary-targets.ts < results.json`.
 */
import { issueTargets } from "../lib/report/targets";

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk: string) => (input += chunk));
process.stdin.on("end", () => {
  process.stdout.write(JSON.stringify(issueTargets(JSON.parse(input))));
});
