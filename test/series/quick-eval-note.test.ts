/**
 * lib/series/quick-eval-note.ts: the quick profile's caveat that mAP on its 30 eval clips is biased upwards, quoting the
 * committed measurement (data-manifests/demo/curves/teacher-on-quick-eval.json); nothing for other profiles.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { quickEvalCheckPath, quickEvalNote, readSmallEvalBias } from "../../lib/series/quick-eval-note";
import { UserError } from "../../lib/errors";

test("the committed measurement: random 30-clip subsets score higher on average than the whole default eval split", () => {
  const committed = JSON.parse(readFileSync(quickEvalCheckPath(), "utf8"));
  const bias = readSmallEvalBias();
  assert.deepEqual(bias, { subsetClips: committed.random30ClipSubsets.clips, subsetMeanMAP: committed.random30ClipSubsets.meanMAP, wholeSplitMAP: committed.defaultEval.mAP });
  assert.equal(bias.subsetClips, committed.clips.quickEval, "the subsets have the quick eval split's size");
  assert.ok(bias.subsetMeanMAP > bias.wholeSplitMAP, "the note says 'biased upwards': the measurement must say so too");
});

test("one sentence for the quick profile, quoting the measurement; nothing for the other profiles", () => {
  const bias = { subsetClips: 30, subsetMeanMAP: 0.3995, wholeSplitMAP: 0.2362 };
  const note = quickEvalNote("quick", 30, bias);
  assert.match(note, /^Quick profile: these mAPs are measured on 30 eval clips, and AP on so few clips is biased upwards \(random 30-clip subsets of the default eval split gave one teacher 0\.400 mAP on average against 0\.236 on the whole split; data-manifests\/demo\/curves\/teacher-on-quick-eval\.json\), so compare them only with other quick-profile figures/);
  assert.equal(note.split(". ").length, 1, "one sentence");
  assert.equal(quickEvalNote("default", 500), "");
  assert.equal(quickEvalNote("full", 500), "");
  // The committed measurement is redone when the shipped teacher changes: the note must quote whatever it holds.
  const committed = readSmallEvalBias();
  assert.ok(committed.subsetMeanMAP > committed.wholeSplitMAP, "the committed measurement shows the upward bias");
  assert.ok(
    quickEvalNote("quick", 30).includes(`${committed.subsetMeanMAP.toFixed(3)} mAP on average against ${committed.wholeSplitMAP.toFixed(3)}`),
    "reads the committed file when no figures are given",
  );
});

test("a measurement file without its figures is a UserError naming the file and the field", () => {
  const dir = mkdtempSync(join(tmpdir(), "psl-quick-eval-"));
  try {
    const path = join(dir, "check.json");
    writeFileSync(path, JSON.stringify({ random30ClipSubsets: { clips: 30, meanMAP: 0.4 }, defaultEval: {} }));
    assert.throws(() => readSmallEvalBias(path), (e: unknown) => e instanceof UserError && e.message === `${path}: defaultEval.mAP is not a number`);
    writeFileSync(path, "null");
    assert.throws(() => readSmallEvalBias(path), /random30ClipSubsets\.clips is not a number/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
