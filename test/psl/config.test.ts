/** Experiment configs: every shipped file loads; overrides; validation errors name the field. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { applyOverrides, DEFAULT_CONFIG, loadConfig, resolveConfig } from "../../lib/psl/config";
import { UserError } from "../../lib/errors";

const configs = join(__dirname, "../../configs");

test("every shipped config loads and mirrors the paper's settings", () => {
  const loaded = Object.fromEntries(readdirSync(configs).filter((f) => f.endsWith(".json")).map((f) => [f, loadConfig(join(configs, f))]));
  for (const name of ["weak-baseline", "psl-10s", "psl-5s", "psl-2s", "ts-10s", "ts-5s", "ts-2s"]) assert.ok(loaded[`${name}.json`], name);
  assert.equal(loaded["psl-2s.json"].student.alpha, 1);
  assert.equal(loaded["psl-2s.json"].annotation.chunkSeconds, 2);
  assert.equal(loaded["psl-5s.json"].annotation.chunkSeconds, 5);
  assert.equal(loaded["ts-10s.json"].student.alpha, 0.5);
  assert.equal(loaded["weak-baseline.json"].student.alpha, 0);
  for (const c of Object.values(loaded)) {
    assert.equal(c.student.learningRate, 1e-3);
    assert.equal(c.student.batchSize, 32);
    assert.equal(c.student.patience, 15);
    assert.equal(c.student.sampler, "random");
  }
  assert.equal(loaded["audioset-psl-2s.json"].dataset, "audioset");
});

test("--set overrides: dotted keys, numbers, booleans, null, per-class thresholds", () => {
  const c = applyOverrides(DEFAULT_CONFIG, ["student.alpha=0.5", "teacher.amsgrad=true", "teacher.maxGradNorm=2", "annotation.hopSeconds=null", "annotation.target=hard", "annotation.threshold.Speech=0.3", "name=my-run"]);
  assert.equal(c.student.alpha, 0.5);
  assert.equal(c.teacher.amsgrad, true);
  assert.equal(c.teacher.maxGradNorm, 2);
  assert.equal(c.annotation.hopSeconds, null);
  assert.equal(c.annotation.target, "hard");
  assert.deepEqual(c.annotation.threshold, { default: 0.5, Speech: 0.3 });
  assert.equal(c.name, "my-run");
  assert.equal(DEFAULT_CONFIG.student.alpha, 1, "defaults are not mutated");
});

test("bad values and unknown keys are UserErrors naming the field", () => {
  const cases: [string[], RegExp][] = [
    [["annotation.chunkSeconds=-2"], /annotation\.chunkSeconds must be a positive number/],
    [["annotation.threshold=1.5"], /annotation\.threshold must be a number in \[0, 1\]/],
    [["annotation.threshold.Speech=2"], /annotation\.threshold\.Speech must be a number in \[0, 1\]/],
    [["student.alpha=1.2"], /student\.alpha must be a number in \[0, 1\]/],
    [["backend=cuda"], /backend must be "auto" or one of/],
    [["student.alpah=1"], /unknown config field "student\.alpah"/],
    [["studentalpha"], /expected key=value/],
    [["student..alpha=1"], /malformed key/],
    [["annotation.mode=sometimes"], /annotation\.mode must be "offline" or "online"/],
    [['teacher.learningRateDecay={"afterStep":100,"factor":2}'], /teacher\.learningRateDecay must be null or \{ "afterStep"/],
    [['student.learningRateDecay={"afterStep":-1,"factor":0.1}'], /student\.learningRateDecay must be null or/],
    [['student.learningRateDecay={"after":100,"factor":0.1}'], /student\.learningRateDecay must be null or/],
  ];
  for (const [sets, pattern] of cases) {
    assert.throws(() => resolveConfig({}, sets), (e: unknown) => e instanceof UserError && pattern.test(e.message), sets.join(" "));
  }
  const dir = mkdtempSync(join(tmpdir(), "psl-config-"));
  writeFileSync(join(dir, "bad.json"), JSON.stringify({ teacher: { epoch: 3 } }));
  assert.throws(() => loadConfig(join(dir, "bad.json")), /bad\.json: unknown config field "teacher\.epoch"/);
  writeFileSync(join(dir, "broken.json"), "{ nope");
  assert.throws(() => loadConfig(join(dir, "broken.json")), /broken\.json: not valid JSON/);
});
