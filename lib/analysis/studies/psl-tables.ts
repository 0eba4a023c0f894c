/**
 * The missing-label study on real PSL tables (one per chunk size) of a demo corpus split, printed as tables:
 * label counts per chunk size (the paper's ground-truth-free view), added-label precision/recall against the truth over
 * thresholds, chunk-level quality against the strong labels, recovery by event activity, and the summary headline.
 * Run: npx tsx lib/analysis/studies/psl-tables.ts <split folder with manifest.tsv, truth.tsv, strong.tsv, clip_labels.tsv> <chunkSeconds>=<table.arrow> …
 */
import { join } from "node:path";
import {
  addedLabelCurves,
  chunkLevelCurves,
  labelCountSummaries,
  missingLabelsHeadline,
  readClipLabelStats,
  readStrongLabels,
  recoveryByEventAttribute,
  type ChunkSizeTable,
} from "..";
import { readManifest } from "../../data/manifest";
import { readPslTable } from "../../psl/table";

/**
 * Prints the missing-label study of one demo split (folder with manifest.tsv, truth.tsv, strong.tsv, clip_labels.tsv)
 * over PSL tables of several chunk sizes.
 */
export function printPslTablesStudy(dir: string, tablePaths: readonly { chunkSeconds: number; path: string }[], log: (line: string) => void = console.log): void {
  const tables: ChunkSizeTable[] = tablePaths.map(({ chunkSeconds, path }) => ({ chunkSeconds, chunks: readPslTable(path) }));
  const weak = readManifest(join(dir, "manifest.tsv"));
  const truth = readManifest(join(dir, "truth.tsv"));
  const strong = readStrongLabels(join(dir, "strong.tsv"));
  const fmt = (x: number) => (Number.isInteger(x) ? String(x) : Number.isFinite(x) ? x.toFixed(3) : String(x));
  const table = (rows: Record<string, unknown>[], keys: string[]) => {
    log(keys.join("\t"));
    for (const r of rows) log(keys.map((k) => (typeof r[k] === "number" ? fmt(r[k] as number) : String(r[k]))).join("\t"));
  };

  const threshold = 0.5;
  log(`\nlabel counts at threshold ${threshold}:`);
  table(labelCountSummaries(tables, weak, { threshold }) as unknown as Record<string, unknown>[], ["chunkSeconds", "clips", "chunks", "weakPerClip", "teacherPerClip", "teacherPerChunk", "addedPerClip", "clipsWithAdded", "unconfirmedShare"]);
  log("\nadded labels vs truth:");
  table(addedLabelCurves(tables, weak, truth, { thresholds: [0.1, 0.2, 0.3, 0.5, 0.7] }) as unknown as Record<string, unknown>[], ["chunkSeconds", "threshold", "trulyMissing", "added", "correct", "addedPrecision", "addedRecall", "weakRecall", "augmentedRecall", "unconfirmed"]);
  log("\nchunk level vs strong labels:");
  table(chunkLevelCurves(tables, weak, strong, { thresholds: [0.2, 0.5] }) as unknown as Record<string, unknown>[], ["chunkSeconds", "threshold", "teacherPrecision", "teacherRecall", "addedPrecision", "addedRecall", "inheritedPrecision", "inheritedRecall"]);
  const stats = readClipLabelStats(join(dir, "clip_labels.tsv"));
  for (const t of tables) {
    log(`\nrecovery by active seconds, ${t.chunkSeconds}-s chunks, threshold ${threshold}:`);
    table(recoveryByEventAttribute(t.chunks, stats, { threshold, attribute: "activeSeconds", edges: [0, 1, 2, 5, 10] }) as unknown as Record<string, unknown>[], ["bin", "dropped", "recovered", "recoveryRate", "kept", "confirmed", "confirmRate"]);
  }
  const best = tables[tables.length - 1];
  log(`\nheadline: ${JSON.stringify(missingLabelsHeadline(best.chunks, weak, truth, { threshold, chunkSeconds: best.chunkSeconds }))}`);
}

if (require.main === module) {
  const [dir, ...specs] = process.argv.slice(2);
  if (!dir || specs.length === 0) throw new Error("usage: npx tsx lib/analysis/studies/psl-tables.ts <split dir> <chunkSeconds>=<table.arrow> …");
  printPslTablesStudy(dir, specs.map((spec) => {
    const [seconds, path] = spec.split("=");
    return { chunkSeconds: Number(seconds), path };
  }));
}
