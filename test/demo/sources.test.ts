/**
 * The committed demo source list: valid rows, true AudioSet identities, enough classes spread over the ontology,
 * no recording listed twice (which would leak a recording between training and evaluation).
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { recordingOf } from "../../lib/analysis/recordings-per-class";
import { readClassLabels } from "../../lib/data/classes";
import { parseSourceList, readSourceList, recipeToMidi, type DemoSource } from "../../lib/demo";
import { UserError } from "../../lib/errors";
import { repoRoot } from "../../lib/io/repo-root";

const repo = repoRoot();
const sources = readSourceList(join(repo, "data-manifests/demo/sources.csv"));
const classes = readClassLabels(join(repo, "data-manifests/audioset/class_labels_indices.csv"));

test("every source row carries its class's true index, mid and display name from class_labels_indices.csv", () => {
  assert.ok(sources.length > 200);
  for (const s of sources) {
    const c = classes[s.classIndex];
    assert.ok(c, `${s.sourceId}: index ${s.classIndex}`);
    assert.equal(s.mid, c.mid, s.sourceId);
    assert.equal(s.displayName, c.displayName, s.sourceId);
    assert.ok(s.licence.length > 0, `${s.sourceId}: licence`);
  }
});

test("≥ 30 scored classes, each with training AND evaluation recordings, spread over the ontology's top categories", () => {
  const byRole = (role: string) => new Set(sources.filter((s) => s.role === role && s.usage === "event").map((s) => s.classIndex));
  const train = byRole("train");
  const evalSet = byRole("eval");
  const scored = [...train].filter((c) => evalSet.has(c));
  assert.ok(scored.length >= 30, `scored classes: ${scored.length}`);
  // Top categories by AudioSet index ranges of the ontology's first level (class_labels_indices is ordered by it):
  // human 0–71, animal 72–136, music 137–282, natural 283–299, things 300+.
  const category = (i: number) => (i <= 71 ? "human" : i <= 136 ? "animal" : i <= 282 ? "music" : i <= 299 ? "natural" : "things");
  const counts = new Map<string, number>();
  for (const c of scored) counts.set(category(c), (counts.get(category(c)) ?? 0) + 1);
  for (const cat of ["human", "animal", "music", "natural", "things"]) assert.ok((counts.get(cat) ?? 0) >= 2, `${cat}: ${counts.get(cat)}`);
});

test("no recording (file or render recipe) is listed twice, so no recording can cross split families", () => {
  const seen = new Map<string, DemoSource>();
  for (const s of sources) {
    const identity = s.render === null ? s.path : JSON.stringify(s.render);
    const prior = seen.get(identity);
    assert.equal(prior, undefined, `${s.sourceId} repeats ${prior?.sourceId}`);
    seen.set(identity, s);
  }
});

test("the cuts of one recording (source ids family#cut) share one role, so a session never feeds two split families", () => {
  const roles = new Map<string, Set<string>>();
  for (const s of sources) {
    if (!s.sourceId.includes("#")) continue;
    const family = recordingOf(s.sourceId);
    roles.set(family, (roles.get(family) ?? new Set()).add(s.role));
  }
  assert.ok(roles.size >= 5, `families: ${roles.size}`);
  for (const [family, set] of roles) assert.equal(set.size, 1, `${family}: roles ${[...set].join(", ")}`);
});

test("byte-identical files (one recording under two names) are never listed in two roles", (t) => {
  const present = sources.filter((s) => s.render === null && existsSync(s.path));
  if (present.length === 0) return t.skip("no source package installed (scripts/setup-demo-sources.sh)");
  const byHash = new Map<string, DemoSource>();
  for (const s of present) {
    const hash = createHash("sha1").update(readFileSync(s.path)).digest("hex");
    const prior = byHash.get(hash);
    if (prior) assert.equal(s.role, prior.role, `${s.sourceId} (${s.role}) is byte for byte ${prior.sourceId} (${prior.role})`);
    else byHash.set(hash, s);
  }
});

test("every file extracted by scripts/setup-demo-sources.sh comes from a package that script knows how to extract", () => {
  const script = readFileSync(join(repo, "scripts/setup-demo-sources.sh"), "utf8");
  const archives = /^ARCHIVES="([^"]*)"/m.exec(script)?.[1].split(" ").map((entry) => entry.split("=")[0]) ?? [];
  const extracted = sources.filter((s) => s.path.startsWith("/usr/share/psl-lab-demo/"));
  assert.ok(extracted.length >= 20, `extracted files: ${extracted.length}`);
  for (const s of extracted) {
    const pkg = s.path.split("/")[4];
    assert.equal(s.package, pkg, `${s.sourceId}: path under ${pkg}, package ${s.package}`);
    assert.ok(archives.includes(pkg), `${s.sourceId}: ${pkg} is not in the script's ARCHIVES (${archives.join(", ")})`);
  }
  const installed = /^PACKAGES="([^"]*)"/m.exec(script)?.[1].split(" ") ?? [];
  for (const s of sources.filter((s) => s.render === null && !s.path.startsWith("/usr/share/psl-lab-demo/"))) {
    assert.ok(installed.includes(s.package), `${s.sourceId}: package ${s.package} is not in the script's PACKAGES`);
  }
});

test("source list errors name the file, line and field", () => {
  const header = readFileSync(join(repo, "data-manifests/demo/sources.csv"), "utf8").split("\n")[0];
  assert.throws(() => parseSourceList(`${header}\nx,pkg,/a.wav,,0,/m/09x0r,Speech,CC0,test,event\n`, "s.csv"), (e: unknown) => e instanceof UserError && /s\.csv: line 2: role "test"/.test(e.message));
  assert.throws(() => parseSourceList(`${header}\nx,pkg,,fluidsynth;font=/f.sf2;bank=0;notes=60,0,/m/09x0r,Speech,CC0,train,event\n`, "s.csv"), /render recipe lacks "program"/);
  assert.throws(() => parseSourceList(`${header}\nx,pkg,/a.wav,,0,/m/09x0r,Speech,CC0,train,event\nx,pkg,/b.wav,,0,/m/09x0r,Speech,CC0,eval,event\n`, "s.csv"), /line 3: duplicate source_id "x"/);
});

test("render recipes become a valid one-track MIDI file with bank select, program change and every note", () => {
  const midi = recipeToMidi({ kind: "fluidsynth", font: "/f.sf2", bank: 3, program: 122, notes: [60, 64], step: 0.5, hold: 0.4, tail: 1, drums: false, velocity: 100 });
  const text = Buffer.from(midi);
  assert.equal(text.subarray(0, 4).toString("latin1"), "MThd");
  assert.equal(text.subarray(14, 18).toString("latin1"), "MTrk");
  assert.equal(text.readUInt32BE(18), midi.length - 22);
  const body = [...midi.subarray(22)];
  const has = (seq: number[]) => body.some((_, i) => seq.every((b, k) => body[i + k] === b));
  assert.ok(has([0xb0, 0, 3]), "bank select CC0 = 3");
  assert.ok(has([0xc0, 122]), "program change");
  assert.ok(has([0x90, 60, 100]) && has([0x90, 64, 100]) && has([0x80, 64, 0]), "notes on/off");
  assert.ok(has([0xff, 0x2f, 0x00]), "end of track");
});
