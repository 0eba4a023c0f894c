// The README's "The full profile" quotes a recorded run (data-manifests/demo/runs/): every figure of its table and its
// paired difference must be the file's, so a re-run that changes them, or an edit of the prose, fails here.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { repoPath } from "../../lib/io/repo-root";
import { readJsonFile } from "../../lib/io/json-file";

const RUN_FILE = "full-2026-11-30-049a70d-warm.summary.json";
const STUDENTS = ["weak", "psl-10s", "psl-5s", "psl-2s", "ts-2s"] as const;

interface RecordedStudent {
  mAP: number; mAPCI: [number, number]; meanAUC: number; seeds: number[]; steps: number; learningRate: number;
  perSeedMAP: number[]; noisy: { mAP: number };
}
interface RecordedRun {
  status: string; profile: string; command: string;
  results: {
    students: Record<string, RecordedStudent>;
    pairedDifference: Record<string, { vs: string; mAP: number; ci95: [number, number]; noisy: { mAP: number; ci95: [number, number] } }>;
  };
}

const run = readJsonFile(repoPath("data-manifests", "demo", "runs", RUN_FILE)) as RecordedRun;
const fixed = (v: number, digits = 3) => v.toFixed(digits);
const signed = (v: number) => `${v >= 0 ? "+" : "−"}${fixed(Math.abs(v))}`;

/** The README section from its bold title to the next bold paragraph title. */
function readmeSection(title: string): string {
  const readme = readFileSync(repoPath("README.md"), "utf8");
  const start = readme.indexOf(`**${title}**`);
  assert.ok(start >= 0, `README has a "${title}" section`);
  const next = readme.indexOf("\n\n**", start + title.length + 4);
  return readme.slice(start, next < 0 ? undefined : next);
}

test("the recorded full-profile run: every student over seeds 42–44 at 1,200 steps", () => {
  assert.deepEqual([run.status, run.profile, run.command], ["ok", "full", "npm run reproduce -- --full"]);
  for (const name of STUDENTS) {
    const s = run.results.students[name];
    assert.deepEqual([s.seeds, s.steps, s.perSeedMAP.length], [[42, 43, 44], 1200, 3], name);
  }
});

test("README \"The full profile\" quotes the recorded run: table rows, paired difference and ratio", () => {
  const section = readmeSection("The full profile");
  assert.ok(section.includes(`runs/${RUN_FILE}`), "names its file");
  const weak = run.results.students.weak.mAP;
  for (const name of STUDENTS) {
    const s = run.results.students[name];
    const label = name === "weak" ? "weak" : name.replace("psl", "PSL");
    const row = section.split("\n").find((line) => line.startsWith(`| ${label} |`));
    assert.ok(row, `a table row for ${label}`);
    const cells = row.split("|").slice(1, -1).map((cell) => cell.trim().replace(/\*\*/g, ""));
    assert.deepEqual(cells.slice(0, 7), [
      label,
      s.learningRate.toExponential(0),
      `${fixed(s.mAP)} (${fixed(s.mAPCI[0])}–${fixed(s.mAPCI[1])})`,
      s.perSeedMAP.map((v) => fixed(v)).join(", "),
      fixed(s.meanAUC),
      fixed(s.noisy.mAP),
      fixed(s.mAP / weak, 2),
    ], label);
  }
  const paired = run.results.pairedDifference["psl-2s"];
  assert.equal(paired.vs, "weak");
  const quoted = `PSL-2s − weak = ${signed(paired.mAP)} [${signed(paired.ci95[0])}, ${signed(paired.ci95[1])}]** (noisy labels ` +
    `${signed(paired.noisy.mAP)} [${signed(paired.noisy.ci95[0])}, ${signed(paired.noisy.ci95[1])}])`;
  assert.ok(section.includes(quoted), quoted);
  const psl2s = run.results.students["psl-2s"];
  const perSeedRatios = psl2s.perSeedMAP.map((v, i) => fixed(v / run.results.students.weak.perSeedMAP[i], 2)).join(", ");
  assert.ok(section.includes(`not at every seed: ${perSeedRatios})`), perSeedRatios);
  const fromTeacherLabels = run.results.students["psl-10s"].mAP - weak;
  assert.ok(section.includes(`has ${fixed(fromTeacherLabels)} of PSL-2s's ${fixed(psl2s.mAP - weak)} (${Math.round(100 * fromTeacherLabels / (psl2s.mAP - weak))} %`),
    "the share of the gain PSL-10s already has");
});
