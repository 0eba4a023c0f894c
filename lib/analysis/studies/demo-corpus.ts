/**
 * Teacher-free measurements on a generated demo corpus (what the corpus itself determines before any model exists):
 * missing-label rates, how wrong inherited weak chunk labels are per chunk size, where the dropped labels sit
 * (event activity), what an idealised coverage teacher recovers per chunk size, and the second domain's vocabulary mapping and ground truth through the FSD study's functions.
 * Run: npx tsx lib/analysis/studies/demo-corpus.ts <corpus root (the folder holding corpus.json)>
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  addedLabelCurves,
  coverageTeacher,
  evaluateOnFsd,
  inheritedLabelQuality,
  mapFsdToAudioSet,
  missingRateFromTruth,
  readClipLabelStats,
  readStrongLabels,
} from "..";
import { readClassLabels } from "../../data/classes";
import { readFsd50kGroundTruth, readFsd50kVocabulary } from "../../data/fsd";
import { readManifest } from "../../data/manifest";
import { median } from "../../evaluation/median";
import { mean } from "../../evaluation/mean";
import { repoPath } from "../../io/repo-root";

/** Prints the teacher-free study of a generated demo corpus (the folder holding corpus.json). */
export function printDemoCorpusStudy(root: string, log: (line: string) => void = console.log): void {
  const corpus = JSON.parse(readFileSync(join(root, "corpus.json"), "utf8"));
  log(`corpus ${root}: sizes ${JSON.stringify(corpus.sizes)}, ${corpus.classes.length} classes, missingLabelRate ${JSON.stringify(corpus.missingLabelRate)}`);
  const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : String(x));

  for (const split of ["full", "balanced"]) {
    const dir = join(root, split);
    const weak = readManifest(join(dir, "manifest.tsv"));
    const truth = readManifest(join(dir, "truth.tsv"));
    const strong = readStrongLabels(join(dir, "strong.tsv"));
    const rates = missingRateFromTruth(weak, truth, 527).filter((r) => r.trueCount > 0);
    const sorted = rates.map((r) => r.missingRate).sort((a, b) => a - b);
    log(`\n[${split}] ${weak.length} clips, ${rates.length} classes present; per-class missing rate min ${fmt(sorted[0])} median ${fmt(median(sorted))} max ${fmt(sorted[sorted.length - 1])}`);
    log("inherited weak chunk labels vs strong labels:");
    log("chunk_s  chunks  inherited  precision  recall  chunks_with_wrong_label");
    for (const r of inheritedLabelQuality(weak, strong, [10, 5, 2, 1])) {
      log(`${String(r.chunkSeconds).padStart(7)}  ${String(r.chunks).padStart(6)}  ${String(r.inheritedLabels).padStart(9)}  ${fmt(r.precision).padStart(9)}  ${fmt(r.recall).padStart(6)}  ${fmt(r.chunksWithWrongLabel)}`);
    }
    const tables = [10, 5, 2].map((chunkSeconds) => ({ chunkSeconds, chunks: coverageTeacher(weak, strong, { chunkSeconds, numClasses: 527 }) }));
    log("idealised coverage teacher (score = share of the chunk the class's events cover), added labels vs truth:");
    log("chunk_s  threshold  added  correct  truly_missing  precision  recall");
    for (const r of addedLabelCurves(tables, weak, truth, { thresholds: [0.1, 0.25, 0.5] })) {
      log(`${String(r.chunkSeconds).padStart(7)}  ${String(r.threshold).padStart(9)}  ${String(r.added).padStart(5)}  ${String(r.correct).padStart(7)}  ${String(r.trulyMissing).padStart(13)}  ${fmt(r.addedPrecision).padStart(9)}  ${fmt(r.addedRecall)}`);
    }
    const stats = readClipLabelStats(join(dir, "clip_labels.tsv"));
    const dropped = stats.filter((s) => !s.kept);
    const kept = stats.filter((s) => s.kept);
    log(`dropped labels: ${dropped.length}, mean active ${fmt(mean(dropped.map((s) => s.activeSeconds)))} s, mean level ${fmt(mean(dropped.map((s) => s.levelDb)))} dB; kept: ${kept.length}, mean active ${fmt(mean(kept.map((s) => s.activeSeconds)))} s, level ${fmt(mean(kept.map((s) => s.levelDb)))} dB`);
  }

  const vocabulary = readFsd50kVocabulary(join(root, "domain2", "vocabulary.csv"));
  const mapping = mapFsdToAudioSet(vocabulary, readClassLabels(repoPath("data-manifests", "audioset", "class_labels_indices.csv")));
  const clips = readFsd50kGroundTruth(join(root, "domain2", "eval.csv"), vocabulary);
  log(`\n[domain2] vocabulary ${vocabulary.length} classes, ${mapping.mapped.length} mapped, unmapped: ${mapping.unmapped.map((u) => u.fsdLabel).join(", ") || "none"}; ${clips.length} eval clips`);
  const toAudioSet = new Map(mapping.mapped.map((m) => [m.fsdLabel, m.audioSetIndex]));
  const oracle = new Float32Array(clips.length * 527);
  clips.forEach((c, i) => c.labels.forEach((l) => toAudioSet.has(l) && (oracle[i * 527 + toAudioSet.get(l)!] = 1)));
  const result = evaluateOnFsd(
    mapping,
    clips,
    [
      { model: "oracle", filenames: clips.map((c) => c.fname), numClasses: 527, scores: oracle },
      { model: "constant", filenames: clips.map((c) => c.fname), numClasses: 527, scores: new Float32Array(clips.length * 527).fill(0.5) },
    ],
    { dataset: "demo domain2" },
  );
  for (const r of result.summary) log(`${r.model}: mAP ${fmt(r.mAP)} meanAUC ${fmt(r.meanAUC)} d' ${fmt(r.dPrime)} clips ${r.clips} classes ${r.classesEvaluated}/${r.classesMapped}`);
}

if (require.main === module) {
  const root = process.argv[2];
  if (!root) throw new Error("usage: npx tsx lib/analysis/studies/demo-corpus.ts <corpus root>");
  printDemoCorpusStudy(root);
}
