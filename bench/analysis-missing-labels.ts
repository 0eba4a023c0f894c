/**
 * Speed of the missing-label analysis at AudioSet-balanced scale: 20,550 clips × 5 chunks (2-s chunks of 10-s clips)
 * × 527 classes (54M teacher scores, 217 MB). Synthetic scores: each clip has ~2.5 true labels, of which the weak labels
 * keep ~70%; scores are high for true classes in a random subset of chunks and low elsewhere.
 * Run: npx tsx bench/analysis-missing-labels.ts [clips]
 */
import { performance } from "node:perf_hooks";
import {
  addedLabelCurve,
  findMissingLabels,
  perClassMissingCounts,
  labelCountSummary,
  type ChunkScores,
  type LabelledClip,
} from "../lib/analysis";
import { mulberry32 } from "../lib/data/random";


const clips = Number(process.argv[2] ?? 20550);
const chunksPerClip = 5;
const C = 527;
const rand = mulberry32(1);
const rows = clips * chunksPerClip;
const filenames = new Array<string>(rows);
const table: ChunkScores = {
  filenames,
  chunkIndex: new Int32Array(rows),
  from: new Float32Array(rows),
  to: new Float32Array(rows),
  numClasses: C,
  probs: new Float32Array(rows * C),
};
const weak: LabelledClip[] = [];
const truth: LabelledClip[] = [];
for (let i = 0; i < clips; i++) {
  const name = `Y${i.toString().padStart(11, "0")}.wav`;
  const labels = [...new Set(Array.from({ length: 1 + Math.floor(rand() * 4) }, () => Math.floor(rand() * C)))];
  truth.push({ filename: name, labels });
  weak.push({ filename: name, labels: labels.filter(() => rand() < 0.7) });
  for (let k = 0; k < chunksPerClip; k++) {
    const row = i * chunksPerClip + k;
    filenames[row] = name;
    table.chunkIndex[row] = k;
    table.from[row] = 2 * k;
    table.to[row] = 2 * k + 2;
    for (let c = 0; c < C; c++) table.probs[row * C + c] = rand() * 0.1;
    for (const c of labels) if (rand() < 0.5) table.probs[row * C + c] = 0.3 + rand() * 0.7;
  }
}

function time<T>(label: string, fn: () => T): T {
  const start = performance.now();
  const out = fn();
  console.log(`${label}: ${((performance.now() - start) / 1000).toFixed(2)} s`);
  return out;
}

console.log(`${clips} clips × ${chunksPerClip} chunks × ${C} classes = ${(rows * C / 1e6).toFixed(1)}M scores`);
const report = time("findMissingLabels (t = 0.5)", () => findMissingLabels(table, weak, { threshold: 0.5 }));
time("perClassMissingCounts", () => perClassMissingCounts(report));
time("labelCountSummary", () => labelCountSummary(table, report));
const curve = time("addedLabelCurve (19 thresholds)", () => addedLabelCurve(table, weak, truth));
const mid = curve[9];
console.log(`at t = ${mid.threshold}: added ${mid.added}, precision ${mid.addedPrecision.toFixed(3)}, recall ${mid.addedRecall.toFixed(3)}`);
console.log(`heap used ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB, rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
