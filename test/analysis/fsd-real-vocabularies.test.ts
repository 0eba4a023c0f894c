// The FSD generalization study on the REAL Freesound vocabularies and ground truth shipped in data-manifests/
// (copied from the project's shared metadata; see data-manifests/SOURCES.md).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { evaluateOnFsd, fsdComparison, mapFsdToAudioSet, type ModelClipScores } from "../../lib/analysis";
import { readClassLabels } from "../../lib/data/classes";
import { readFsd50kGroundTruth, readFsd50kVocabulary, readFsdKaggle2018, readLabelMidTable } from "../../lib/data/fsd";
import { repoPath } from "../../lib/io/repo-root";

const ROOT = repoPath("data-manifests");
const audioSet = readClassLabels(join(ROOT, "audioset/class_labels_indices.csv"));

/** AudioSet-space scores: 1 for the AudioSet classes of each clip's mapped labels (an oracle), or a constant. */
function scores(model: string, clips: { fname: string; labels: readonly string[] }[], toAudioSet: Map<string, number>, constant?: number): ModelClipScores {
  const values = new Float32Array(clips.length * 527).fill(constant ?? 0);
  if (constant === undefined) {
    clips.forEach((clip, i) => {
      for (const label of clip.labels) {
        const j = toAudioSet.get(label);
        if (j !== undefined) values[i * 527 + j] = 1;
      }
    });
  }
  return { model, filenames: clips.map((c) => `eval_audio/${c.fname}`), numClasses: 527, scores: values };
}

test("FSD50K: 200 classes, 192 mapped to AudioSet outputs with names, 8 mids outside the 527 reported", () => {
  const vocabulary = readFsd50kVocabulary(join(ROOT, "fsd50k/vocabulary_reconstructed.csv"));
  const mapping = mapFsdToAudioSet(vocabulary, audioSet);
  assert.equal(mapping.vocabularySize, 200);
  assert.equal(mapping.mapped.length, 192);
  assert.deepEqual(
    mapping.unmapped.map((u) => u.fsdLabel),
    ["Crash_cymbal", "Domestic_sounds_and_home_sounds", "Gull_and_seagull", "Human_group_actions", "Human_voice", "Packing_tape_and_duct_tape", "Respiratory_sounds", "Screech"],
  );
  assert.ok(mapping.unmapped.every((u) => u.reason === "mid not among the 527 AudioSet classes"));
  const first = mapping.mapped[0];
  assert.deepEqual([first.fsdLabel, first.audioSetName], ["Accelerating_and_revving_and_vroom", "Accelerating, revving, vroom"]);
  for (const m of mapping.mapped) assert.equal(audioSet[m.audioSetIndex].mid, m.mid);
  assert.equal(new Set(mapping.mapped.map((m) => m.audioSetIndex)).size, 192);
});

test("FSD50K eval.csv as published (fname,labels,mids; quoted lists) evaluates end to end", () => {
  const vocabulary = readFsd50kVocabulary(join(ROOT, "fsd50k/vocabulary_reconstructed.csv"));
  const mapping = mapFsdToAudioSet(vocabulary, audioSet);
  const dir = mkdtempSync(join(tmpdir(), "psl-fsd-eval-"));
  try {
    const path = join(dir, "eval.csv");
    // Rows in the official layout; Human_voice is one of the 8 unmapped classes, so clip 21914 keeps only Speech
    // and clip 160 (Human_voice only) has no mapped label.
    writeFileSync(
      path,
      [
        "fname,labels,mids",
        '37199,"Electric_guitar,Guitar,Plucked_string_instrument,Musical_instrument,Music","/m/02sgy,/m/0342h,/m/0fx80y,/m/04szw,/m/04rlf"',
        '175151,"Bark,Dog,Domestic_animals_and_pets,Animal","/m/05tny_,/m/0bt9lr,/m/068hy,/m/0jbk"',
        '21914,"Speech,Human_voice","/m/09x0r,/m/09l8g"',
        "160,Human_voice,/m/09l8g",
        "",
      ].join("\n"),
    );
    const clips = readFsd50kGroundTruth(path, vocabulary);
    assert.equal(clips.length, 4);
    const toAudioSet = new Map(mapping.mapped.map((m) => [m.fsdLabel, m.audioSetIndex]));
    const result = evaluateOnFsd(mapping, clips, [scores("oracle", clips, toAudioSet), scores("constant", clips, toAudioSet, 0.5)], { dataset: "FSD50K eval (4 rows)" });
    assert.equal(result.clips, 4);
    assert.equal(result.clipsWithoutMappedLabels, 1);
    const [oracle, constant] = result.summary;
    assert.equal(oracle.classesMapped, 192);
    assert.equal(oracle.classesEvaluated, 10); // 5 + 4 + 1 distinct mapped labels
    assert.equal(oracle.mAP, 1);
    assert.equal(constant.meanAUC, 0.5);
    assert.equal(constant.dPrime, 0);
    assert.equal(constant.mAP, 0.25); // every evaluated class has 1 positive among 4 tied clips
    const dropped = evaluateOnFsd(mapping, clips, [scores("constant", clips, toAudioSet, 0.5)], { dropClipsWithoutMappedLabels: true });
    assert.equal(dropped.clips, 3);
    assert.ok(Math.abs(dropped.summary[0].mAP - 1 / 3) < 1e-12);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("FSDKaggle2018: all 1,600 scored test clips are evaluated; Oboe (not among the 527) stays as a negative", () => {
  const path = join(ROOT, "fsdkaggle2018/test_post_competition.csv");
  // Count the scored rows straight from the file: usage is the 3rd column; "Ignored" rows are padding with label None.
  const lines = readFileSync(path, "utf8").trim().split(/\r?\n/).slice(1);
  const scored = lines.map((l) => l.split(",")).filter((f) => f[2] !== "Ignored" && f[1] !== "None");
  assert.equal(scored.length, 1600);
  const vocabulary = readLabelMidTable(join(ROOT, "fsdkaggle2018/labels_to_audioset_mid.csv"));
  const mapping = mapFsdToAudioSet(vocabulary, audioSet);
  assert.equal(mapping.mapped.length, 40);
  assert.deepEqual(mapping.unmapped.map((u) => u.fsdLabel), ["Oboe"]);
  const clips = readFsdKaggle2018(path, vocabulary);
  assert.deepEqual(clips.map((c) => c.fname), scored.map((f) => f[0]));
  const toAudioSet = new Map(mapping.mapped.map((m) => [m.fsdLabel, m.audioSetIndex]));
  const result = evaluateOnFsd(mapping, clips, [scores("oracle", clips, toAudioSet), scores("constant", clips, toAudioSet, 0.3)], { dataset: "FSDKaggle2018 test" });
  const oboe = scored.filter((f) => f[1] === "Oboe").length;
  assert.ok(oboe > 0);
  assert.equal(result.clipsWithoutMappedLabels, oboe);
  assert.deepEqual(result.summary.map((r) => [r.clips, r.classesEvaluated]), [[1600, 40], [1600, 40]]);
  assert.equal(result.summary[0].mAP, 1);
  // A constant score ranks every clip equally: AP = the class's share of the 1,600 clips.
  for (const row of result.perClass.filter((r) => r.model === "constant")) {
    const positives = scored.filter((f) => f[1] === row.fsdLabel).length;
    assert.equal(row.positives, positives);
    assert.ok(Math.abs(row.ap! - positives / 1600) < 1e-12, row.fsdLabel);
  }
  assert.deepEqual(Object.keys(fsdComparison(result.summary)), ["oracle", "constant"]);
});

test("FSDKaggle2019: all 80 classes map", () => {
  const mapping = mapFsdToAudioSet(readLabelMidTable(join(ROOT, "fsdkaggle2019/labels_to_audioset_mid.csv")), audioSet);
  assert.deepEqual([mapping.mapped.length, mapping.unmapped.length], [80, 0]);
});
