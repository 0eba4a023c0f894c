/**
 * What every command checks before it does any work (issue 19): no output may be one of its inputs (same file after
 * resolving links), non-finite and out-of-range config values are refused up front, a config needs a teacher source,
 * per-class thresholds must name classes, and a model file must hold finite weights and non-negative BatchNorm
 * variances. Each case: exit 2, one line naming what is wrong, and nothing computed or overwritten.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeWav } from "../../lib/audio/wav";
import { SAMPLE_RATE } from "../../lib/audio/frontend";
import { writeNpy } from "../../lib/io/npy";
import { initBackend } from "../../lib/nn/backend";
import { createMobileNetV2, saveCheckpoint } from "../../lib/model";
import { writeSplitCorpus, writeTinyConfig } from "./corpus";
import { assertUserFailure, psl } from "./in-process";

const dir = mkdtempSync(join(tmpdir(), "psl-preflight-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));

/** Exactly one line of output (the error), exit 2. */
function assertOneLine(result: { code: number; out: string; err: string }, pattern: RegExp, what: string): void {
  assertUserFailure(result, pattern, what);
  const lines = (result.out + result.err).trim().split("\n");
  assert.equal(lines.length, 1, `${what}: one line, got:\n${result.out}${result.err}`);
}

/** A tiny corpus + config in its own folder; the cache folder must not exist until a stage really runs. */
function corpus(name: string, overrides: Record<string, unknown> = {}): { work: string; config: string; cache: string } {
  const work = join(dir, name);
  writeSplitCorpus(work, 6, 4, 4);
  return { work, config: writeTinyConfig(work, overrides), cache: join(work, "cache") };
}

test("non-finite numbers and out-of-range values are refused before any stage: one line, exit 2, nothing computed", async () => {
  const { work, config, cache } = corpus("finite");
  // JSON's 1e999 is Infinity; it used to pass "> 0" and fail after features, teacher and annotation, with a stack trace.
  const raw = readFileSync(config, "utf8").replace('"batchSize": 4', '"batchSize": 4, "learningRate": 1e999');
  writeFileSync(join(work, "infinite.json"), raw);
  assertOneLine(await psl("evaluate", "--config", join(work, "infinite.json")), /infinite\.json: teacher\.learningRate must be a finite number, got Infinity \(a JSON number too large for a double, e\.g\. 1e999, reads as Infinity\)/, "JSON 1e999");
  const cases: [string, RegExp][] = [
    ["teacher.learningRate=1e999", /teacher\.learningRate must be a finite number, got Infinity/],
    ["student.learningRate=1e999", /student\.learningRate must be a finite number, got Infinity/],
    ["student.maxGradNorm=1e999", /student\.maxGradNorm must be a finite number, got Infinity/],
    ["annotation.chunkSeconds=1e999", /annotation\.chunkSeconds must be a finite number/],
    ["annotation.hopSeconds=-1e999", /annotation\.hopSeconds must be a finite number, got -Infinity/],
    ["teacher.widthMult=1e999", /teacher\.widthMult must be a finite number/],
    ["data.maxClipSeconds=1e999", /data\.maxClipSeconds must be a finite number/],
    ["annotation.threshold.0=1e999", /annotation\.threshold\.0 must be a finite number/],
    ["seed=1e999", /seed must be a finite number/],
    ["seed=1e20", /seed must be an integer, got 100000000000000000000/],
    ["student.widthMult=5", /student\.widthMult must be a number in \(0, 4\], got 5/],
    ["student.learningRate=NaN", /student\.learningRate must be a positive number, got "NaN"/],
    ["annotation.chunkSeconds=0.001", /annotation\.chunkSeconds must be a positive number of seconds ≥ 0\.01 \(one 10-ms log-mel frame\), got 0\.001/],
    ["annotation.hopSeconds=0.005", /annotation\.hopSeconds must be a positive number of seconds ≥ 0\.01/],
    ["annotation.minChunkSeconds=3", /annotation\.minChunkSeconds must be null \(half the chunk\) or a number of seconds in \[0\.01, annotation\.chunkSeconds = 1\], got 3/],
    ["annotation.threshold.7=0.3", /annotation\.threshold\.7 names class index 7, but numClasses is 3/],
    ["data.durationTolerance=-1", /data\.durationTolerance must be a number of seconds ≥ 0, got -1/],
    ["data.validateOn=sometimes", /data\.validateOn must be "held-out" or "train"/],
    // Names every object has through its prototype are not config fields.
    ["constructor=1", /unknown config field "constructor"/],
    ["toString=1", /unknown config field "toString"/],
    ["__proto__=1", /unknown config field "__proto__"/],
    ["teacher.hasOwnProperty=1", /unknown config field "teacher\.hasOwnProperty"/],
    ["student.__proto__.alpha=0", /unknown config field "student\.__proto__"/],
  ];
  for (const [set, pattern] of cases) assertOneLine(await psl("evaluate", "--config", config, "--set", set), pattern, set);
  writeFileSync(join(work, "proto.json"), readFileSync(config, "utf8").replace('"name": "robustness"', '"name": "robustness", "__proto__": {"numClasses": 0}'));
  assertOneLine(await psl("evaluate", "--config", join(work, "proto.json")), /proto\.json: unknown config field "__proto__"/, "__proto__ in a JSON config");
  assert.ok(!existsSync(cache), "nothing was computed");
});

test("a config with no teacher source is an error naming both fields, before any work; the weak baseline needs none", async () => {
  const { work, cache } = corpus("teacher-source");
  const config = writeTinyConfig(work, { teacher: { widthMult: 0.1, epochs: 1, patience: 5, batchSize: 4, selfDistillation: false } });
  assertOneLine(
    await psl("annotate", "--config", config),
    /config\.json: no teacher source: set teacher\.checkpoint \(a pretrained teacher, .*\) or data\.teacherTrain \(a manifest to train the teacher on\)\. .*self-distillation, not the paper's method; set teacher\.selfDistillation to true to do that on purpose/,
    "no teacher source",
  );
  assert.ok(!existsSync(cache), "nothing was computed");
  // The weak baseline needs no teacher at all.
  const weak = await psl("train-student", "--config", config, "--set", "student.alpha=0", "--set", "student.epochs=1");
  assert.equal(weak.code, 0, weak.err);
});

test("per-class thresholds must name classes, checked before any stage; a label beyond numClasses names its manifest line", async () => {
  const { work, config, cache } = corpus("thresholds");
  writeFileSync(join(work, "classes.csv"), "index,mid,display_name\n0,/m/a,Low tone\n1,/m/b,Mid tone\n2,/m/c,High tone\n");
  const withClasses = ["--set", `data.classLabels=${join(work, "classes.csv")}`];
  // Was: accepted by annotate (soft targets never read thresholds), then a failure in train-student.
  assertOneLine(await psl("annotate", "--config", config, ...withClasses, "--set", "annotation.threshold.Bogus=0.3"), /annotation\.threshold\.Bogus: unknown class/, "unknown class name");
  assertOneLine(await psl("annotate", "--config", config, "--set", "annotation.threshold.Mid tone=0.3"), /annotation\.threshold\.Mid tone: unknown class \(use class indices, or pass class names\)/, "names without a class list");
  assertOneLine(await psl("annotate", "--config", config, ...withClasses, "--set", "annotation.threshold.constructor=0.3"), /annotation\.threshold\.constructor: unknown class/, "a prototype name as class");
  assert.ok(!existsSync(cache), "nothing was computed");
  writeFileSync(join(work, "train.tsv"), readFileSync(join(work, "train.tsv"), "utf8").replace(/clip-2\.wav\t[^\t]*/, "clip-2.wav\t9"));
  assertOneLine(await psl("annotate", "--config", config), /train\.tsv:4: label 9 ≥ numClasses 3 \(clip clip-2\.wav\)/, "label beyond numClasses");
});

test("no command writes over one of its inputs (same file after resolving links): refused before any work, both named", async () => {
  await initBackend({ preferred: "wasm", quiet: true });
  const work = join(dir, "outputs");
  mkdirSync(work, { recursive: true });
  const wav = join(work, "x.wav");
  const audio = encodeWav(Float32Array.from({ length: SAMPLE_RATE }, (_, i) => 0.3 * Math.sin(i / 5)), SAMPLE_RATE);
  writeFileSync(wav, audio);
  symlinkSync(wav, join(work, "link-to-x.npy"));
  linkSync(wav, join(work, "hard-x.npy"));
  const model = join(work, "m.safetensors");
  const tiny = createMobileNetV2({ numClasses: 3, widthMult: 0.1 }, 1);
  saveCheckpoint(model, { model: tiny });
  tiny.dispose();
  const modelBytes = readFileSync(model);
  writeNpy(join(work, "targets.npy"), { data: Int32Array.from([1, 0, 0, 1]), shape: [2, 2] });
  writeNpy(join(work, "scores.npy"), { data: Float32Array.from([0.9, 0.2, 0.1, 0.7]), shape: [2, 2] });
  const targetBytes = readFileSync(join(work, "targets.npy"));

  assertOneLine(await psl("features", wav, "--out", wav), /--out .*x\.wav is the same file as the audio file .*x\.wav: writing it would destroy the input/, "features --out = input");
  assertOneLine(await psl("features", wav, "--out", join(work, "sub", "..", "x.wav")), /same file as the audio file/, "features --out = input through ..");
  assertOneLine(await psl("features", wav, "--out", join(work, "link-to-x.npy")), /--out .*link-to-x\.npy is the same file as the audio file .*x\.wav/, "features --out = a symlink to the input");
  assertOneLine(await psl("features", wav, "--out", join(work, "hard-x.npy")), /--out .*hard-x\.npy is the same file as the audio file/, "features --out = a hard link to the input");
  assertOneLine(await psl("predict", wav, "--checkpoint", model, "--out", model), /--out .*m\.safetensors is the same file as the --checkpoint .*m\.safetensors/, "predict --out = checkpoint");
  assertOneLine(await psl("predict", wav, "--checkpoint", model, "--out", wav), /--out .*x\.wav is the same file as the audio file/, "predict --out = audio");
  assertOneLine(await psl("predict", wav, "--checkpoint", model, "--frames", "--out", join(work, "x.frames.0.npy").replace(".frames.0.npy", ".npy"), "--labels", join(work, "x.frames.0.npy")), /frame output 0 .*x\.frames\.0\.npy is the same file as the --labels file/, "predict frame output = labels");
  assertOneLine(await psl("metrics", "--targets", join(work, "targets.npy"), "--scores", join(work, "scores.npy"), "--out", join(work, "targets.npy")), /--out .*targets\.npy is the same file as the --targets file/, "metrics --out = targets");
  assertOneLine(await psl("metrics", "--targets", join(work, "targets.npy"), "--scores", join(work, "scores.npy"), "--per-class", join(work, "scores.npy")), /--per-class .*scores\.npy is the same file as the --scores file/, "metrics --per-class = scores");
  assertOneLine(await psl("metrics", "--targets", join(work, "targets.npy"), "--scores", join(work, "scores.npy"), "--out", join(work, "m.json"), "--per-class", join(work, "m.json")), /--per-class .*m\.json and --out .*m\.json are the same file/, "metrics two outputs, one file");
  writeFileSync(join(work, "segments.csv"), "# header\n# header\n# YTID, start_seconds, end_seconds, positive_labels\nx, 0.000, 1.000, \"/m/09x0r\"\n");
  const segmentBytes = readFileSync(join(work, "segments.csv"));
  assertOneLine(await psl("manifest", "--audio-dir", work, "--segments", join(work, "segments.csv"), "--out", join(work, "segments.csv")), /--out .*segments\.csv is the same file as the --segments file/, "manifest --out = segments");
  assertOneLine(await psl("manifest", "--audio-dir", work, "--segments", join(work, "segments.csv"), "--out", wav), /--out .*x\.wav is an audio file inside --audio-dir/, "manifest --out = an audio file of the folder");

  // Stage commands: a manifest that is also a report the run writes, an input inside the cache folders, the config itself.
  const { work: stage, config } = corpus("stage-outputs");
  const report = join(stage, "reports", "robustness", "student");
  mkdirSync(report, { recursive: true });
  writeFileSync(join(report, "metrics.json"), readFileSync(join(stage, "eval.tsv")));
  assertOneLine(await psl("evaluate", "--config", config, "--set", `data.eval=${join(report, "metrics.json")}`), /the student's report .*metrics\.json is the same file as the data\.eval .*metrics\.json/, "eval manifest = report");
  mkdirSync(join(stage, "cache", "features"), { recursive: true });
  writeFileSync(join(stage, "cache", "features", "eval.tsv"), readFileSync(join(stage, "eval.tsv")));
  assertOneLine(await psl("evaluate", "--config", config, "--set", `data.eval=${join(stage, "cache", "features", "eval.tsv")}`), /data\.eval .*eval\.tsv lies inside the cache folder .*features, which this run writes/, "manifest inside the feature cache");
  assertOneLine(await psl("evaluate", "--config", config, "--set", `reportsDir=${stage}`, "--set", "name=cfg", "--set", `data.classLabels=${join(stage, "cfg", "teacher", "per_class.csv")}`), /the teacher's report .*per_class\.csv is the same file as the data\.classLabels/, "class list = report");

  assert.deepEqual(readFileSync(wav), Buffer.from(audio), "the audio is untouched");
  assert.deepEqual(readFileSync(model), modelBytes, "the model is untouched");
  assert.deepEqual(readFileSync(join(work, "targets.npy")), targetBytes, "the targets are untouched");
  assert.deepEqual(readFileSync(join(work, "segments.csv")), segmentBytes, "the segment list is untouched");
  assert.ok(!existsSync(join(work, "m.json")));
});

test("a model file with a NaN/Inf weight or a negative BatchNorm variance is refused, naming the tensor", async () => {
  await initBackend({ preferred: "wasm", quiet: true });
  const work = join(dir, "bad-weights");
  mkdirSync(work, { recursive: true });
  const wav = join(work, "x.wav");
  writeFileSync(wav, encodeWav(Float32Array.from({ length: SAMPLE_RATE }, (_, i) => 0.3 * Math.sin(i / 5)), SAMPLE_RATE));
  const withValue = (name: string, key: string, index: number, value: number) => {
    const model = createMobileNetV2({ numClasses: 3, widthMult: 0.1 }, 2);
    const weights = model.getWeights();
    weights.get(key)![index] = value;
    model.setWeights(weights);
    const path = join(work, name);
    saveCheckpoint(path, { model });
    model.dispose();
    return path;
  };
  // A NaN classifier bias printed "NaN%" with exit 0; the other two gave finite, wrong probabilities.
  assertUserFailure(await psl("predict", wav, "--checkpoint", withValue("bias.safetensors", "classifier.1.bias", 1, Number.NaN)), /bias\.safetensors: tensor "model\.classifier\.1\.bias" holds NaN at index 1 of 3/, "NaN bias");
  assertUserFailure(await psl("predict", wav, "--checkpoint", withValue("stem.safetensors", "features.0.0.weight", 5, Number.POSITIVE_INFINITY)), /stem\.safetensors: tensor "model\.features\.0\.0\.weight" holds \+Inf at index \d+/, "Inf in the first convolution");
  assertUserFailure(await psl("predict", wav, "--checkpoint", withValue("var.safetensors", "features.0.1.running_var", 0, -0.5)), /var\.safetensors: BatchNorm variance "model\.features\.0\.1\.running_var" is negative \(-0\.5\) at index 0/, "negative running variance");
});
