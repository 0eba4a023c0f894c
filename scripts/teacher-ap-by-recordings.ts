/**
 * A teacher's eval AP by the number of distinct training recordings per class (issue 13), from files only: an
 * eval.json with `perClass` (the shipped demo teacher's by default) and the demo source list. Prints the bins and the
 * < 4 / ≥ 4 split as Markdown (the table in data-manifests/demo/README.md); notebook 02 draws the same from its run.
 *
 * Usage: npx tsx scripts/teacher-ap-by-recordings.ts [--eval data-manifests/demo/teacher/eval.json]
 *          [--sources data-manifests/demo/sources.csv] [--events .cache/demo-corpus/<key>/full/events.tsv] [--below 4]
 * --events: count only the recordings the teacher's training split drew (as notebook 02 does); without it, every
 * role-"train" row of the source list (on the default corpus the same < 4 / >= 4 split and bins: the split leaves out
 * only recordings of classes with >= 16).
 */
import { parseArgs } from "node:util";
import { apByTrainingRecordings, trainingRecordingsPerClass, type ClassScore } from "../lib/analysis/recordings-per-class";
import { defaultSourceListPath, readSourceList } from "../lib/demo/sources";
import { sourcesOfSplit } from "../lib/demo/events";
import { UserError } from "../lib/errors";
import { readJsonFile } from "../lib/io/json-file";
import { repoPath } from "../lib/io/repo-root";

const { values: options } = parseArgs({ options: { eval: { type: "string" }, sources: { type: "string" }, events: { type: "string" }, below: { type: "string" } } });
const evalPath = options.eval ?? repoPath("data-manifests", "demo", "teacher", "eval.json");
const evaluation = readJsonFile(evalPath, "teacher eval") as { perClass?: ClassScore[] };
if (!Array.isArray(evaluation.perClass)) throw new UserError(`${evalPath}: no "perClass" array`);
const below = Number(options.below ?? 4);
if (!Number.isInteger(below) || below < 1) throw new UserError(`--below must be a positive integer, got "${options.below}"`);
const sources = readSourceList(options.sources ?? defaultSourceListPath());
const counts = trainingRecordingsPerClass(options.events ? sourcesOfSplit(options.events, sources) : sources);
const result = apByTrainingRecordings(evaluation.perClass, counts, { below });
const fmt = (value: number) => (Number.isFinite(value) ? value.toFixed(3) : "–");

console.log(`${evalPath}: ${result.perClass.length} classes with an AP`);
console.log("| training recordings per class | classes | teacher eval mAP | mean AUC |");
console.log("|---|---|---|---|");
for (const bin of result.bins) console.log(`| ${bin.trainingRecordings} | ${bin.classes} | ${fmt(bin.mAP)} | ${fmt(bin.meanAUC)} |`);
for (const [label, group] of [[`< ${below}`, result.split.fewer], [`≥ ${below}`, result.split.atLeast]] as const) {
  console.log(`| **${label}** | ${group.classes} | ${fmt(group.mAP)} | ${fmt(group.meanAUC)} |`);
}
