/**
 * The generator end to end on a small corpus built from the sources installed here (CI runs
 * scripts/setup-demo-sources.sh first; missing packages shrink the source set instead of failing the test):
 * determinism, caching/resume, label/truth consistency, split disjointness, kit/FSD50K formats.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { after, before, test } from "node:test";
import { readClassLabels } from "../../lib/data/classes";
import { mapToAudioSet, readFsd50kGroundTruth, readFsd50kVocabulary } from "../../lib/data/fsd";
import { readManifest, type ManifestRow } from "../../lib/data/manifest";
import { wavFileDuration } from "../../lib/audio/probe";
import { clearPreparedSources, ensureDemoCorpus, readSourceList, sourceAvailable, sourcesOfSplit, SPLITS, type DemoCorpus, type DemoSource } from "../../lib/demo";
import { UserError } from "../../lib/errors";
import { repoRoot } from "../../lib/io/repo-root";

const repo = repoRoot();
const allSources = readSourceList(join(repo, "data-manifests/demo/sources.csv"));

/**
 * A few classes with train, eval and second-domain recordings (fluidsynth renders and espeak voices among them when
 * installed). Music beds are left out: decoding minutes-long tracks would dominate the test's run time.
 */
function smallSourceSet(): DemoSource[] {
  const wanted = new Set([0, 16, 90, 153, 165, 287]); // speech, laughter, cattle, piano, snare drum, thunder
  const picked: DemoSource[] = [];
  const perKey = new Map<string, number>();
  for (const s of allSources) {
    if (!wanted.has(s.classIndex) || s.usage === "bed") continue;
    if (!sourceAvailable(s)) continue;
    const key = `${s.classIndex}/${s.role}`;
    if ((perKey.get(key) ?? 0) >= 2) continue; // keep decoding fast
    perKey.set(key, (perKey.get(key) ?? 0) + 1);
    picked.push(s);
  }
  return picked;
}

const sources = smallSourceSet();
const sizes = { full: 14, balanced: 6, val: 4, eval: 8, domain2: 6 };
let dirA: string;
let dirB: string;
let corpusA: DemoCorpus;
let corpusB: DemoCorpus;

function filesUnder(root: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(root).sort()) {
    const path = join(root, name);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path));
    else out.push(path);
  }
  return out;
}

function tsv(path: string): string[][] {
  return readFileSync(path, "utf8").trimEnd().split("\n").slice(1).map((l) => l.split("\t"));
}

before(async () => {
  dirA = mkdtempSync(join(tmpdir(), "psl-demo-a-"));
  dirB = mkdtempSync(join(tmpdir(), "psl-demo-b-"));
  corpusA = await ensureDemoCorpus({ sources, sizes, seed: 7, outDir: dirA });
  clearPreparedSources(); // B decodes and renders everything afresh into its own cache
  corpusB = await ensureDemoCorpus({ sources, sizes, seed: 7, outDir: dirB });
});

after(() => {
  rmSync(dirA, { recursive: true, force: true });
  rmSync(dirB, { recursive: true, force: true });
});

test("the small source set still spans several classes and all four split families", () => {
  assert.ok(new Set(sources.map((s) => s.classIndex)).size >= 4, "run scripts/setup-demo-sources.sh");
  for (const role of ["train", "val", "eval", "domain2"]) assert.ok(sources.some((s) => s.role === role), role);
});

test("same seed → byte-identical audio, manifests and label tables (renders included: separate caches)", () => {
  const a = filesUnder(corpusA.root).map((p) => relative(corpusA.root, p));
  const b = filesUnder(corpusB.root).map((p) => relative(corpusB.root, p));
  assert.deepEqual(a, b);
  assert.equal(relative(dirA, corpusA.root), relative(dirB, corpusB.root), "same key");
  for (const file of a) {
    if (file === "corpus.json") continue; // holds the absolute root
    assert.ok(readFileSync(join(corpusA.root, file)).equals(readFileSync(join(corpusB.root, file))), file);
  }
  const wavs = a.filter((f) => f.endsWith(".wav"));
  assert.equal(wavs.length, Object.values(sizes).reduce((x, y) => x + y, 0));
});

test("a different seed gives a different corpus", async () => {
  const other = await ensureDemoCorpus({ sources, sizes, seed: 8, outDir: dirA });
  assert.notEqual(other.root, corpusA.root);
  assert.notEqual(readFileSync(other.splits.full.truthManifest, "utf8"), readFileSync(corpusA.splits.full.truthManifest, "utf8"));
  rmSync(other.root, { recursive: true, force: true });
});

test("a finished corpus is returned from its marker without rewriting; an interrupted one resumes to the same bytes", async () => {
  const marker = join(corpusA.root, "corpus.json");
  const before = statSync(marker).mtimeMs;
  const again = await ensureDemoCorpus({ sources, sizes, seed: 7, outDir: dirA });
  assert.equal(again.root, corpusA.root);
  assert.equal(statSync(marker).mtimeMs, before);
  // Simulate a run killed mid-way: no marker, some clips and a manifest missing.
  const clip = join(corpusA.root, "full", "audio", "full_00003.wav");
  const original = readFileSync(clip);
  rmSync(marker);
  rmSync(clip);
  rmSync(corpusA.splits.eval.manifest);
  await ensureDemoCorpus({ sources, sizes, seed: 7, outDir: dirA });
  assert.ok(existsSync(marker));
  assert.ok(readFileSync(clip).equals(original));
  assert.ok(readFileSync(corpusA.splits.eval.manifest).equals(readFileSync(corpusB.splits.eval.manifest)));
});

test("manifests read with the kit's reader; every audio file exists with the stated duration", () => {
  for (const split of SPLITS) {
    const rows = readManifest(corpusA.splits[split].manifest);
    assert.equal(rows.length, sizes[split]);
    for (const row of rows) {
      const seconds = wavFileDuration(row.path!);
      assert.ok(seconds !== undefined && Math.abs(seconds - row.duration) < 0.01, `${row.filename}: ${seconds} vs ${row.duration}`);
      if (split !== "domain2") assert.equal(row.duration, 10);
      else assert.ok(row.duration >= 0.3 && row.duration <= 30);
    }
  }
});

test("labels: noisy = kept true labels + recorded wrong ones, never empty; strong events match the truth; drops are all recorded", () => {
  for (const split of SPLITS) {
    const weak = readManifest(corpusA.splits[split].noisyManifest);
    const truth = readManifest(corpusA.splits[split].truthManifest);
    const strong = tsv(corpusA.splits[split].strongLabels);
    const stats = tsv(corpusA.splits[split].clipLabels);
    const wrong = tsv(corpusA.splits[split].wrongLabels);
    assert.deepEqual(weak.map((r) => r.filename), truth.map((r) => r.filename));
    weak.forEach((w, i) => {
      const t = truth[i];
      assert.ok(w.labels.length >= 1, `${split} ${w.filename}: no weak label`);
      const wrongHere = wrong.filter((r) => r[0] === w.filename).map((r) => Number(r[1]));
      for (const c of wrongHere) assert.ok(!t.labels.includes(c), `${split} ${w.filename}: wrong label ${c} is true`);
      assert.deepEqual(w.labels.filter((c) => !t.labels.includes(c)), wrongHere, `${split} ${w.filename}: every non-true label is a recorded wrong one`);
      const strongClasses = new Set(strong.filter((r) => r[0] === w.filename).map((r) => Number(r[3])));
      assert.deepEqual([...strongClasses].sort((a, b) => a - b), t.labels, `${split} ${w.filename}: strong vs truth`);
      const rows = stats.filter((r) => r[0] === w.filename);
      assert.deepEqual(rows.map((r) => Number(r[1])), t.labels);
      const dropped = rows.filter((r) => r[5] === "0").map((r) => Number(r[1]));
      assert.deepEqual(dropped, t.labels.filter((c) => !w.labels.includes(c)), `${split} ${w.filename}: dropped labels recorded`);
      if (split === "domain2") assert.deepEqual(w.labels, t.labels, `${split}: labels must equal truth`);
    });
    // eval and domain2 manifests (what models are scored on by default) hold the truth.
    // (rows compared without `source`: it names the file each row was read from)
    const content = (rows: ManifestRow[]) => rows.map(({ source: _from, ...row }) => row);
    if (split === "eval" || split === "domain2") assert.deepEqual(content(readManifest(corpusA.splits[split].manifest)), content(truth));
    else assert.equal(corpusA.splits[split].noisyManifest, corpusA.splits[split].manifest);
    for (const r of strong) assert.ok(Number(r[1]) >= 0 && Number(r[2]) > Number(r[1]), `${split}: onset < offset`);
  }
  // Training splits do miss labels and carry wrong ones (the point of the corpus); the rates are reported.
  assert.ok(corpusA.missingLabelRate.full > 0);
  assert.ok(corpusA.labelNoise.rates.full.missing > 0 && corpusA.labelNoise.rates.full.wrong > 0, JSON.stringify(corpusA.labelNoise.rates));
});

test("source recordings are never shared between training, validation and eval / second domain", () => {
  const roleOf = new Map(sources.map((s) => [s.sourceId, s.role]));
  const used = (split: (typeof SPLITS)[number]) => new Set(tsv(corpusA.splits[split].events).map((r) => r[4]));
  const train = new Set([...used("full"), ...used("balanced")]);
  const val = used("val");
  const evalSources = used("eval");
  const domain2 = used("domain2");
  for (const id of train) assert.equal(roleOf.get(id), "train", id);
  for (const id of val) assert.equal(roleOf.get(id), "val", id);
  assert.ok(val.size > 0);
  for (const id of evalSources) assert.equal(roleOf.get(id), "eval", id);
  for (const id of domain2) assert.equal(roleOf.get(id), "domain2", id);
  for (const id of train) assert.ok(!evalSources.has(id) && !domain2.has(id), id);
});

test("sourcesOfSplit: the source rows a split's events use, in source-list order", () => {
  const drawn = sourcesOfSplit(corpusA.splits.balanced.events, sources);
  const ids = new Set(tsv(corpusA.splits.balanced.events).map((r) => r[4]));
  assert.deepEqual(drawn.map((s) => s.sourceId), sources.filter((s) => ids.has(s.sourceId)).map((s) => s.sourceId));
  assert.equal(new Set(drawn.map((s) => s.sourceId)).size, ids.size, "every recording of the events is a row of the list");
  assert.ok(drawn.every((s) => s.role === "train"));
  // The eval split's rows are other recordings: none of them is among the balanced split's.
  const evalRows = sourcesOfSplit(corpusA.splits.eval.events, sources);
  assert.ok(evalRows.length > 0 && evalRows.every((s) => s.role === "eval" && !ids.has(s.sourceId)));
});

test("second domain: FSD50K-form vocabulary maps onto AudioSet mids; eval.csv agrees with the kit manifest", () => {
  const classes = readClassLabels(join(repo, "data-manifests/audioset/class_labels_indices.csv"));
  const vocabulary = readFsd50kVocabulary(corpusA.domain2Vocabulary);
  assert.ok(vocabulary.length >= 3);
  const mapping = mapToAudioSet(vocabulary, classes);
  assert.equal(mapping.unmapped.length, 0, JSON.stringify(mapping.unmapped));
  const clips = readFsd50kGroundTruth(corpusA.domain2GroundTruth, vocabulary);
  const rows = readManifest(corpusA.splits.domain2.manifest);
  assert.equal(clips.length, rows.length);
  clips.forEach((clip, i) => {
    assert.equal(rows[i].filename, `audio/${clip.fname}.wav`);
    const mids = clip.labelIndices.map((v) => vocabulary[v].mid);
    assert.deepEqual(mids, rows[i].labels.map((c) => classes[c].mid));
  });
});

test("a missing source file fails generation with a message naming the file and its package", async () => {
  const broken: DemoSource = { ...sources[0], sourceId: "gone", path: "/nonexistent/dog.ogg", render: null, package: "some-sounds-pkg" };
  await assert.rejects(
    ensureDemoCorpus({ sources: [broken, ...sources], sizes, seed: 7, outDir: dirA }),
    (e: unknown) => e instanceof UserError && /dog\.ogg is missing \(Debian package some-sounds-pkg\)/.test(e.message),
  );
});

test("renderSplits: labels of every split at once, audio only of the splits asked for; a later call renders the rest", async () => {
  const dir = mkdtempSync(join(tmpdir(), "psl-demo-lazy-"));
  try {
    const partial = await ensureDemoCorpus({ sources, sizes, seed: 7, outDir: dir, renderSplits: ["eval"] });
    assert.equal(partial.key, corpusA.key);
    for (const split of SPLITS) assert.ok(readManifest(partial.splits[split].manifest).length === sizes[split], `${split} manifest`);
    assert.equal(readdirSync(join(partial.root, "eval", "audio")).length, sizes.eval);
    assert.throws(() => readdirSync(join(partial.root, "full", "audio")), /ENOENT/, "full not rendered");
    const complete = await ensureDemoCorpus({ sources, sizes, seed: 7, outDir: dir });
    assert.ok(readFileSync(join(complete.root, "full", "audio", "full_00003.wav")).equals(readFileSync(join(corpusA.root, "full", "audio", "full_00003.wav"))));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
