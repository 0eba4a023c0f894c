// The kit's readers on the REAL AudioSet metadata shipped in data-manifests/audioset (see data-manifests/SOURCES.md).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createClassIndex, readClassLabels } from "../../lib/data/classes";
import { parseSegments, readSegments } from "../../lib/data/segments";
import { readOntology } from "../../lib/data/ontology";
import { UserError } from "../../lib/errors";
import { repoPath } from "../../lib/io/repo-root";

const DIR = repoPath("data-manifests", "audioset");
const classes = readClassLabels(join(DIR, "class_labels_indices.csv"));
const index = createClassIndex(classes);

/** Data lines of a segment file, counted independently of the parser: non-blank, not starting with '#'. */
function countDataLines(path: string): { lines: number; headerSegments: number; headerLabels: number } {
  const text = readFileSync(path, "utf8");
  const lines = text.split("\n").filter((l) => l.trim() !== "" && !l.startsWith("#")).length;
  const header = /num_segs=(\d+).*num_positive_labels=(\d+)/.exec(text)!;
  return { lines, headerSegments: Number(header[1]), headerLabels: Number(header[2]) };
}

test("class_labels_indices.csv: 527 classes, indices 0…526, unique mids", () => {
  assert.equal(classes.length, 527);
  assert.deepEqual(classes.map((c) => c.index), Array.from({ length: 527 }, (_, i) => i));
  assert.equal(new Set(classes.map((c) => c.mid)).size, 527);
  assert.deepEqual(classes[0], { index: 0, mid: "/m/09x0r", displayName: "Speech" });
  // Quoted names with commas survive.
  assert.equal(classes[1].displayName, "Male speech, man speaking");
  assert.equal(index.indexOf("/m/05zppz"), 1);
  assert.equal(index.nameOf(526), classes[526].displayName);
  assert.equal(index.indexOf("/m/not-a-class"), undefined);
});

for (const file of ["balanced_train_segments.csv", "eval_segments.csv"]) {
  test(`${file}: every row parsed, no unknown mid, counts match the file`, () => {
    const path = join(DIR, file);
    const rows = readSegments(path, index);
    const counted = countDataLines(path);
    assert.equal(rows.length, counted.lines);
    assert.equal(rows.length, counted.headerSegments); // the file's own header agrees
    assert.equal(rows.reduce((sum, r) => sum + r.labels.length, 0), counted.headerLabels);
    const used = new Set<number>();
    for (const row of rows) {
      assert.equal(row.labels.length, row.mids.length);
      row.labels.forEach((label, k) => {
        assert.equal(classes[label].mid, row.mids[k]);
        used.add(label);
      });
      assert.ok(row.end > row.start);
    }
    assert.equal(used.size, 527); // every class occurs in both lists
    const first = rows[0];
    assert.ok(first.line >= 3 && /^[\w-]{11}$/.test(first.ytid));
    assert.equal(first.startText, first.startText.trim());
  });
}

test("first balanced row is parsed field by field", () => {
  const rows = readSegments(join(DIR, "balanced_train_segments.csv"), classes);
  assert.deepEqual(
    { ytid: rows[0].ytid, start: rows[0].start, end: rows[0].end, startText: rows[0].startText, mids: rows[0].mids, labels: rows[0].labels, line: rows[0].line },
    { ytid: "--PJHxphWEs", start: 30, end: 40, startText: "30.000", mids: ["/m/09x0r", "/t/dd00088"], labels: [0, index.indexOf("/t/dd00088")!], line: 3 },
  );
});

test("an unknown mid is a UserError naming file:line and the mid", () => {
  const text = '# header\n# YTID, start_seconds, end_seconds, positive_labels\nabc, 0.000, 10.000, "/m/09x0r"\ndef, 10.000, 20.000, "/m/09x0r,/m/bogus"\n';
  assert.throws(
    () => parseSegments(text, "mine.csv", index),
    (error: unknown) => error instanceof UserError && error.message === "mine.csv:4: unknown mid /m/bogus (not in the class list)",
  );
  assert.throws(() => parseSegments("x, 1, 0.5, \"/m/09x0r\"\n", "bad.csv", index), /bad\.csv:1: bad end_seconds/);
  assert.throws(() => readSegments(join(DIR, "nope.csv"), index), (error: unknown) => error instanceof UserError && /^cannot read \S*nope\.csv: file not found$/.test(error.message));
});

test("ontology.json: 632 nodes, 7 top categories, every class placed under one", () => {
  const ontology = readOntology(join(DIR, "ontology.json"));
  assert.equal(ontology.nodes.size, 632);
  assert.deepEqual(ontology.roots.map((r) => r.name), [
    "Human sounds",
    "Animal",
    "Music",
    "Natural sounds",
    "Sounds of things",
    "Source-ambiguous sounds",
    "Channel, environment and background",
  ]);
  assert.equal(ontology.topCategory("/m/09x0r").name, "Human sounds"); // Speech
  assert.equal(ontology.topCategory("/m/0bt9lr").name, "Animal"); // Dog
  assert.equal(ontology.topCategory("/m/04rlf").name, "Music"); // Music is itself a root
  assert.equal(ontology.node("/m/09x0r").parentIds.length, 1);
  for (const c of classes) assert.ok(ontology.topCategory(c.mid), c.mid);
  assert.throws(() => ontology.node("/m/nope"), /unknown mid \/m\/nope/);
});
