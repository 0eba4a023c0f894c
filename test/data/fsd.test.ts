// Freesound vocabularies and ground truth (data-manifests/fsd*) and their mapping onto AudioSet's 527 classes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readClassLabels } from "../../lib/data/classes";
import { mapToAudioSet, readFsd50kGroundTruth, readFsd50kVocabulary, readFsdKaggle2018, readFsdKaggle2019, readLabelMidTable } from "../../lib/data/fsd";
import { repoPath } from "../../lib/io/repo-root";

const ROOT = repoPath("data-manifests");
const classes = readClassLabels(join(ROOT, "audioset/class_labels_indices.csv"));

test("FSD50K vocabulary: 200 classes, 192 map onto AudioSet's 527, the 8 others are listed", () => {
  const vocabulary = readFsd50kVocabulary(join(ROOT, "fsd50k/vocabulary_reconstructed.csv"));
  assert.equal(vocabulary.length, 200);
  assert.deepEqual(vocabulary[0], { index: 0, label: "Accelerating_and_revving_and_vroom", mid: "/m/07q2z82" });
  const mapping = mapToAudioSet(vocabulary, classes);
  assert.equal(mapping.mapped.length, 192);
  assert.deepEqual(mapping.unmapped.map((c) => c.label).sort(), [
    "Crash_cymbal",
    "Domestic_sounds_and_home_sounds",
    "Gull_and_seagull",
    "Human_group_actions",
    "Human_voice",
    "Packing_tape_and_duct_tape",
    "Respiratory_sounds",
    "Screech",
  ]);
  for (const m of mapping.mapped) assert.equal(classes[m.audioSetIndex].mid, m.mid);
  assert.equal(mapping.toAudioSet.filter((v) => v < 0).length, 8);
});

test("FSD50K ground truth format (fname,labels,mids,split) is read with quoted label lists", () => {
  const vocabulary = readFsd50kVocabulary(join(ROOT, "fsd50k/vocabulary_reconstructed.csv"));
  const dir = mkdtempSync(join(tmpdir(), "psl-fsd-"));
  try {
    const path = join(dir, "dev.csv");
    writeFileSync(path, 'fname,labels,mids,split\n64760,"Electric_guitar,Guitar",/m/02sgy,/m/0342h,train\n16399,Bark,/m/05tny_,val\n'.replace("/m/02sgy,/m/0342h", '"/m/02sgy,/m/0342h"'));
    const clips = readFsd50kGroundTruth(path, vocabulary);
    assert.equal(clips.length, 2);
    assert.deepEqual(clips[0].labels, ["Electric_guitar", "Guitar"]);
    assert.equal(clips[0].split, "train");
    assert.deepEqual(clips[1].labelIndices, [vocabulary.find((c) => c.label === "Bark")!.index]);
    writeFileSync(path, "fname,labels,mids\n1,Nope,/m/x\n");
    assert.throws(() => readFsd50kGroundTruth(path, vocabulary), /dev\.csv:2: unknown label "Nope"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("FSDKaggle2018: 9,473 train clips, 1,600 scored test clips, 41 labels (40 among the 527)", () => {
  const vocabulary = readLabelMidTable(join(ROOT, "fsdkaggle2018/labels_to_audioset_mid.csv"));
  assert.equal(vocabulary.length, 41);
  const train = readFsdKaggle2018(join(ROOT, "fsdkaggle2018/train_post_competition.csv"), vocabulary);
  const trainLines = readFileSync(join(ROOT, "fsdkaggle2018/train_post_competition.csv"), "utf8").trim().split("\n").length - 1;
  assert.equal(train.length, trainLines);
  assert.equal(train.length, 9473);
  assert.ok(train.some((c) => c.manuallyVerified) && train.some((c) => !c.manuallyVerified));
  const testClips = readFsdKaggle2018(join(ROOT, "fsdkaggle2018/test_post_competition.csv"), vocabulary);
  assert.equal(testClips.length, 1600);
  assert.ok(testClips.every((c) => c.split === "Public" || c.split === "Private"));
  const mapping = mapToAudioSet(vocabulary, classes);
  assert.deepEqual(mapping.unmapped.map((c) => c.label), ["Oboe"]);
});

test("FSDKaggle2019: curated 4,970 and noisy 19,815 clips, multi-label, 80 labels all mapped", () => {
  const vocabulary = readLabelMidTable(join(ROOT, "fsdkaggle2019/labels_to_audioset_mid.csv"));
  assert.equal(vocabulary.length, 80);
  const order = readFileSync(join(ROOT, "fsdkaggle2019/class_order_from_sample_submission_header.csv"), "utf8").trim().split(",").slice(1);
  assert.deepEqual(vocabulary.map((c) => c.label), order);
  const curated = readFsdKaggle2019(join(ROOT, "fsdkaggle2019/train_curated.csv"), vocabulary);
  const noisy = readFsdKaggle2019(join(ROOT, "fsdkaggle2019/train_noisy.csv"), vocabulary);
  assert.equal(curated.length, 4970);
  assert.equal(noisy.length, 19815);
  assert.ok(noisy.some((c) => c.labels.length > 1));
  assert.equal(mapToAudioSet(vocabulary, classes).unmapped.length, 0);
});
