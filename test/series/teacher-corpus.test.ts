/**
 * lib/series/teacher-corpus.ts: a teacher checkpoint with a recipe.json naming another demo corpus than the series'
 * is reported — as held-out but not comparable when its training recordings are checked disjoint from this eval split,
 * as a LEAK when they are not, as unchecked when nothing can be checked — and nothing is said for the series' own
 * corpus or a checkpoint without a kit recipe. Corpora are small folders of events.tsv files; the role check reads the
 * real data-manifests/demo/sources.csv.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { teacherCorpusNote } from "../../lib/series/teacher-corpus";
import type { SeriesData } from "../../lib/series/data";
import { demoCorpusKey, readSourceList } from "../../lib/demo";

const sources = readSourceList();
const evalIds = sources.filter((s) => s.role === "eval").map((s) => s.sourceId);
const trainIds = sources.filter((s) => s.role === "train").map((s) => s.sourceId);

function events(dir: string, ids: readonly string[]): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "events.tsv"), ["filename\tonset\toffset\tlabel\tsource_id", ...ids.map((id, i) => `audio/x_${i}.wav\t0\t1\t0\t${id}`)].join("\n") + "\n");
}

/** A series whose demo corpus `key` lives under `<root>/<key>` with these eval recordings. */
function seriesOn(root: string, key: string, evalRecordings: readonly string[]): SeriesData {
  const corpusRoot = join(root, key);
  events(join(corpusRoot, "eval"), evalRecordings);
  return { corpus: { key, root: corpusRoot, sizes: { eval: 30 }, splits: { eval: { events: join(corpusRoot, "eval", "events.tsv") } } } } as unknown as SeriesData;
}

function teacherWith(dir: string, recipe: object | null): string {
  mkdirSync(dir, { recursive: true });
  if (recipe) writeFileSync(join(dir, "recipe.json"), JSON.stringify(recipe));
  return join(dir, "teacher.safetensors");
}

test("the teacher's corpus on disk: disjoint recordings → other-corpus (held-out, not comparable); shared → LEAK", () => {
  const root = mkdtempSync(join(tmpdir(), "psl-teacher-corpus-"));
  try {
    const series = seriesOn(root, "quickkey", ["rec:a", "rec:b", "rec:c"]);
    events(join(root, "teacherkey", "full"), ["rec:x", "rec:y"]);
    events(join(root, "teacherkey", "val"), ["rec:z"]);
    const checkpoint = teacherWith(join(root, "teacher"), { corpusKey: "teacherkey", demoProfile: "default", demoSeed: 0 });
    const disjoint = teacherCorpusNote(series, checkpoint)!;
    assert.equal(disjoint.status, "other-corpus");
    assert.deepEqual([disjoint.sharedRecordings, disjoint.evalRecordings, disjoint.teacherCorpus, disjoint.seriesCorpus], [0, 3, "teacherkey", "quickkey"]);
    assert.match(disjoint.message, /trained on demo corpus teacherkey \("default" profile, seed 0\), not on this series' corpus quickkey/);
    assert.match(disjoint.message, /None of this series' 3 eval recordings .* held-out .* another, 30-clip eval split/);
    assert.match(disjoint.checkedBy, /its corpus on disk .* \(3 recordings\)/);

    events(join(root, "teacherkey", "balanced"), ["rec:b"]);
    events(join(root, "teacherkey", "val"), ["rec:c"]);
    const leak = teacherCorpusNote(series, checkpoint)!;
    assert.equal(leak.status, "leak");
    assert.equal(leak.sharedRecordings, 2, "one recording through balanced, one through validation");
    assert.match(leak.message, /^LEAK: .* 2 of this series' 3 eval recordings are among the recordings it was trained or validated on/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("the teacher's corpus not on disk but regenerable from its recipe: recording roles decide", () => {
  const root = mkdtempSync(join(tmpdir(), "psl-teacher-corpus-"));
  try {
    const key = demoCorpusKey({ profile: "default", seed: 0 });
    const checkpoint = teacherWith(join(root, "teacher"), { corpusKey: key, demoProfile: "default", demoSeed: 0 });
    const heldOut = teacherCorpusNote(seriesOn(root, "quickkey", evalIds.slice(0, 5)), checkpoint)!;
    assert.equal(heldOut.status, "other-corpus");
    assert.equal(heldOut.sharedRecordings, 0);
    assert.match(heldOut.checkedBy, /recording roles/);
    const mixed = teacherCorpusNote(seriesOn(root, "otherkey", [...evalIds.slice(0, 4), trainIds[0]]), checkpoint)!;
    assert.equal(mixed.status, "leak");
    assert.equal(mixed.sharedRecordings, 1);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("nothing checkable → unchecked, said loudly; own corpus, no recipe, or a recipe without a key → no note", () => {
  const root = mkdtempSync(join(tmpdir(), "psl-teacher-corpus-"));
  try {
    const series = seriesOn(root, "quickkey", evalIds.slice(0, 2));
    const stale = teacherCorpusNote(series, teacherWith(join(root, "stale"), { corpusKey: "0123456789abcdef", demoProfile: "default", demoSeed: 0 }))!;
    assert.equal(stale.status, "unchecked");
    assert.equal(stale.sharedRecordings, null);
    assert.match(stale.message, /CANNOT be checked/);
    const notDemo = teacherCorpusNote({ corpus: undefined } as unknown as SeriesData, teacherWith(join(root, "stale2"), { corpusKey: "abc" }))!;
    assert.equal(notDemo.status, "unchecked");
    assert.match(notDemo.message, /another dataset/);
    assert.equal(teacherCorpusNote(series, teacherWith(join(root, "own"), { corpusKey: "quickkey" })), null, "the series' own corpus");
    assert.equal(teacherCorpusNote(series, teacherWith(join(root, "bare"), null)), null, "no recipe.json: provenance unknown, nothing claimed");
    assert.equal(teacherCorpusNote(series, teacherWith(join(root, "nokey"), { command: "x" })), null);
    writeFileSync(join(root, "nokey", "recipe.json"), "{");
    assert.equal(teacherCorpusNote(series, join(root, "nokey", "teacher.safetensors")), null, "not a kit recipe");
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
