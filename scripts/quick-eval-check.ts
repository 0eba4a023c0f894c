/**
 * Why does the shipped demo teacher score far higher on the QUICK corpus' eval split than on the default corpus' eval
 * split (issue 13)? Two candidate explanations are measured here, from files only (no training):
 *   1. a leak: recordings of the quick eval split among the default corpus' training or validation recordings
 *      (source_id in each split's events.tsv; byte-identical clips by file content);
 *   2. a small, different eval set: mAP on 30 clips versus 500 — which classes have positives, the chance level, and
 *      the spread of the teacher's mAP over random 30-clip subsets of the default eval split.
 * The teacher is scored once on the default eval split from a feature cache of that corpus (cached log-mels).
 *
 * Usage: nice -n 15 npx tsx scripts/quick-eval-check.ts --quick <quick corpus root> --default <default corpus root>
 *          --features <feature cache with the default eval clips> [--teacher <checkpoint>] [--draws 2000] [--out FILE]
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { readManifest } from "../lib/data/manifest";
import { eventRecordings } from "../lib/demo/events";
import { openFeatureCache } from "../lib/data/feature-cache";
import { loadModel } from "../lib/model/checkpoint";
import { scoreClips, clipTargets } from "../lib/psl/evaluate";
import { evaluateScores } from "../lib/evaluation";
import { chanceMAP } from "../lib/series/results";
import { createRng } from "../lib/data/random";
import { writeJsonAtomic } from "../lib/io/atomic";
import { repoPath } from "../lib/io/repo-root";
import { mean } from "../lib/evaluation/mean";

const { values: options } = parseArgs({
  options: { quick: { type: "string" }, default: { type: "string" }, features: { type: "string" }, teacher: { type: "string" }, draws: { type: "string" }, out: { type: "string" } },
});
function arg(name: keyof typeof options, fallback?: string): string {
  const value = options[name] ?? fallback;
  if (value === undefined) throw new Error(`missing --${name}`);
  return value;
}

const round = (v: number) => Number(v.toFixed(4));
const sourceIds = (root: string, split: string): Set<string> => eventRecordings(join(root, split, "events.tsv"));
const fileHash = (path: string) => createHash("sha1").update(readFileSync(path)).digest("hex");
const eventsPerClip = (root: string, split: string) => {
  const lines = readFileSync(join(root, split, "events.tsv"), "utf8").trim().split("\n").slice(1);
  return lines.length / new Set(lines.map((l) => l.split("\t")[0])).size;
};
const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))];

async function main(): Promise<void> {
  const quick = arg("quick");
  const full = arg("default");
  const teacherPath = arg("teacher", repoPath("data-manifests", "demo", "teacher", "teacher.safetensors"));
  const draws = Number(arg("draws", "2000"));
  const C = 527;

  // 1. Recordings and clips shared between the quick eval split and the default corpus' splits.
  const quickEval = sourceIds(quick, "eval");
  const shared: Record<string, number> = {};
  for (const split of ["full", "balanced", "val", "eval"]) shared[split] = [...quickEval].filter((id) => sourceIds(full, split).has(id)).length;
  const quickRows = readManifest(join(quick, "eval", "truth.tsv"));
  const defaultRows = readManifest(join(full, "eval", "truth.tsv"));
  const defaultHashes = new Map(defaultRows.map((r, i) => [fileHash(r.path!), i]));
  const sameClipAt = quickRows.map((r) => defaultHashes.get(fileHash(r.path!)) ?? -1);

  // 2. The teacher on the default eval split; the quick eval's scores are the rows of its identical clips.
  const features = openFeatureCache(arg("features"));
  const model = loadModel(teacherPath);
  let scores: Float32Array;
  try {
    scores = scoreClips(model, defaultRows, features);
  } finally {
    model.dispose();
  }
  const subsetMetrics = (indices: readonly number[]) => {
    const rows = indices.map((i) => defaultRows[i]);
    const s = new Float32Array(indices.length * C);
    indices.forEach((i, k) => s.set(scores.subarray(i * C, (i + 1) * C), k * C));
    const m = evaluateScores(clipTargets(rows, C), s, C);
    return { mAP: m.mAP, meanAUC: m.meanAUC, classes: m.numClassesEvaluated, chance: chanceMAP(rows, C), labelsPerClip: rows.reduce((a, r) => a + r.labels.length, 0) / rows.length, perClass: m.perClass };
  };
  const all = subsetMetrics(defaultRows.map((_, i) => i));
  const quickIndices = sameClipAt.every((i) => i >= 0) ? sameClipAt : null;
  const quickSet = quickIndices ? subsetMetrics(quickIndices) : null;
  // The default eval's mAP over only the classes that have positives among the quick eval's clips.
  const quickClasses = new Set(quickSet?.perClass.filter((c) => c.ap !== null).map((c) => c.index) ?? []);
  const restricted = all.perClass.filter((c) => quickClasses.has(c.index) && c.ap !== null);
  const restrictedMAP = restricted.reduce((a, c) => a + c.ap!, 0) / Math.max(1, restricted.length);

  const rng = createRng(7);
  const n = quickRows.length;
  const sampled: number[] = [];
  const sampledChance: number[] = [];
  for (let d = 0; d < draws; d += 1) {
    const pool = defaultRows.map((_, i) => i);
    for (let i = 0; i < n; i += 1) {
      const j = i + rng.int(pool.length - i);
      [pool[i], pool[j]] = [pool[j], pool[i]];
    }
    const m = subsetMetrics(pool.slice(0, n));
    sampled.push(m.mAP);
    sampledChance.push(m.chance);
  }
  const sorted = [...sampled].sort((a, b) => a - b);
  const summary = (m: NonNullable<typeof quickSet>) => ({ mAP: round(m.mAP), meanAUC: round(m.meanAUC), classesWithPositives: m.classes, chanceMAP: round(m.chance), labelsPerClip: round(m.labelsPerClip) });
  const result = {
    command: `nice -n 15 npx tsx scripts/quick-eval-check.ts ${process.argv.slice(2).join(" ")}`,
    teacher: teacherPath.replace(repoPath() + "/", ""),
    recordings: { quickEvalSourceIds: quickEval.size, sharedWithDefault: shared },
    clips: { quickEval: n, identicalToDefaultEvalClip: sameClipAt.filter((i) => i >= 0).length, atDefaultEvalRows: sameClipAt.every((i, k) => i === k) ? "the first rows, in order" : sameClipAt },
    eventsPerClip: { quickEval: round(eventsPerClip(quick, "eval")), defaultEval: round(eventsPerClip(full, "eval")) },
    defaultEval: summary(all),
    quickEval: quickSet ? summary(quickSet) : null,
    defaultEvalOnQuickClasses: { classes: restricted.length, mAP: round(restrictedMAP) },
    random30ClipSubsets: {
      draws, clips: n, meanMAP: round(mean(sampled)), p05: round(quantile(sorted, 0.05)), p50: round(quantile(sorted, 0.5)), p95: round(quantile(sorted, 0.95)),
      meanChanceMAP: round(mean(sampledChance)),
      fractionAtOrAboveQuick: quickSet ? round(sampled.filter((v) => v >= quickSet.mAP).length / draws) : null,
    },
  };
  console.log(JSON.stringify(result, null, 2));
  if (options.out) writeJsonAtomic(options.out, result);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
