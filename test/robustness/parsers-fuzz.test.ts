/**
 * Bounded fuzzing of every parser the kit reads user files with: seeded mutations of valid inputs plus random inputs,
 * a few hundred per parser. Each must return a result or throw a UserError naming the input — never a TypeError /
 * RangeError / other raw crash, never hang (per-case time budget). Replay a failure with its seed and case number.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseClassLabels } from "../../lib/data/classes";
import { parseSegments } from "../../lib/data/segments";
import { parseManifest } from "../../lib/data/manifest";
import { probeAudioFile } from "../../lib/audio/probe";
import { parseOntology } from "../../lib/data/ontology";
import { readFsd50kGroundTruth, readFsd50kVocabulary, readFsdKaggle2018, readFsdKaggle2019, readLabelMidTable } from "../../lib/data/fsd";
import { encodeNpy, readNpy } from "../../lib/io/npy";
import { encodeSafetensors, parseSafetensors } from "../../lib/io/safetensors";
import { unpickle } from "../../lib/io/pickle";
import { extractStateDict, readTorchFile } from "../../lib/io/torch-file";
import { stateDictToWeights } from "../../lib/model/torch-import";
import { decodePcmWav, WavHeaderError } from "../../lib/audio/wav-pcm";
import { decodeAudioBuffer } from "../../lib/audio/decode";
import { encodeWav } from "../../lib/audio/wav";
import type { Rng } from "../../lib/data/random";
import { fuzz, mutateBytes, mutateText, randomBytes, randomText, type FuzzReport } from "./fuzz";
import { repoRoot } from "../../lib/io/repo-root";

const ROOT = repoRoot();
const MANIFESTS = join(ROOT, "data-manifests");
const FIXTURES = join(ROOT, "test", "fixtures");
const headLines = (path: string, n: number) => readFileSync(path, "utf8").split("\n").slice(0, n).join("\n") + "\n";

function expectClean(label: string, report: FuzzReport): void {
  assert.deepEqual(report.failures.slice(0, 8), [], `${label}: ${report.failures.length} of ${report.cases} cases crashed or hung`);
  // The inputs must exercise both outcomes, or the fuzzing says nothing.
  assert.ok(report.rejected > 0, `${label}: no input was rejected`);
}

/** Mostly mutations of one of the valid seeds, sometimes purely random input. */
const textCases = (seeds: string[]) => (rng: Rng) => (rng.next() < 0.85 ? mutateText(seeds[rng.int(seeds.length)], rng) : randomText(rng));
const byteCases = (seeds: Uint8Array[]) => (rng: Rng) => (rng.next() < 0.85 ? mutateBytes(seeds[rng.int(seeds.length)], rng) : randomBytes(rng));

const classLabelsText = headLines(join(MANIFESTS, "audioset/class_labels_indices.csv"), 40);
const classes = parseClassLabels(classLabelsText, "class_labels_indices.csv");

test("fuzz: CSV readers (class labels, segments, manifest TSV)", { timeout: 60_000 }, async () => {
  expectClean("class labels", await fuzz({ seed: 1, cases: 400, name: (i) => `labels-${i}.csv`, make: textCases([classLabelsText]), parse: (t, n) => parseClassLabels(t, n) }));
  const segments = headLines(join(MANIFESTS, "audioset/balanced_train_segments.csv"), 3) +
    classes.slice(0, 10).map((c, i) => `Y${i}abcdefgh, ${i}.000, ${i + 10}.000, "${c.mid},${classes[(i + 3) % classes.length].mid}"`).join("\n") + "\n";
  expectClean("segments", await fuzz({ seed: 2, cases: 400, name: (i) => `segments-${i}.csv`, make: textCases([segments]), parse: (t, n) => parseSegments(t, n, classes) }));
  const manifest = "filename\tlabels\tduration\na.wav\t0;3\t10.0\nsub/b.flac\t5\t9.5\nc.wav\t\t2\n";
  expectClean("manifest", await fuzz({ seed: 3, cases: 400, name: (i) => `manifest-${i}.tsv`, make: textCases([manifest]), parse: (t, n) => parseManifest(t, n, "/data") }));
});

test("fuzz: FSD CSV readers (vocabulary, label→mid table, FSD50K, FSDKaggle2018/2019)", { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "psl-fuzz-fsd-"));
  try {
    const vocabularyText = headLines(join(MANIFESTS, "fsd50k/vocabulary_reconstructed.csv"), 200);
    const vocabulary = readFsd50kVocabulary(join(MANIFESTS, "fsd50k/vocabulary_reconstructed.csv"));
    const kaggle18Vocabulary = readLabelMidTable(join(MANIFESTS, "fsdkaggle2018/labels_to_audioset_mid.csv"));
    const kaggle19Vocabulary = readLabelMidTable(join(MANIFESTS, "fsdkaggle2019/labels_to_audioset_mid.csv"));
    const gt = `fname,labels,mids,split\n1,"${vocabulary[0].label},${vocabulary[1].label}","${vocabulary[0].mid},${vocabulary[1].mid}",train\n2,${vocabulary[5].label},${vocabulary[5].mid},val\n`;
    // Each case is written to a file because these readers take paths (their errors name path:line).
    const viaFile = (read: (path: string) => unknown) => (text: string, name: string) => {
      const path = join(dir, name);
      writeFileSync(path, text);
      return read(path);
    };
    const cases: [string, string, (path: string) => unknown][] = [
      ["vocabulary", vocabularyText, (p) => readFsd50kVocabulary(p)],
      ["label-mid", headLines(join(MANIFESTS, "fsdkaggle2018/labels_to_audioset_mid.csv"), 42), (p) => readLabelMidTable(p)],
      ["fsd50k-gt", gt, (p) => readFsd50kGroundTruth(p, vocabulary)],
      ["kaggle2018", headLines(join(MANIFESTS, "fsdkaggle2018/train_post_competition.csv"), 30) + headLines(join(MANIFESTS, "fsdkaggle2018/test_post_competition.csv"), 5).split("\n").slice(1).join("\n"), (p) => readFsdKaggle2018(p, kaggle18Vocabulary)],
      ["kaggle2019", headLines(join(MANIFESTS, "fsdkaggle2019/train_curated.csv"), 30), (p) => readFsdKaggle2019(p, kaggle19Vocabulary)],
    ];
    for (const [label, seedText, read] of cases) {
      expectClean(label, await fuzz({ seed: 10 + label.length, cases: 250, name: (i) => `${label}-${i}.csv`, make: textCases([seedText]), parse: viaFile(read) }));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("fuzz: ontology JSON", { timeout: 60_000 }, async () => {
  const full = JSON.parse(readFileSync(join(MANIFESTS, "audioset/ontology.json"), "utf8")) as { id: string; child_ids: string[] }[];
  // A self-contained slice (children outside it dropped) keeps each case fast.
  const slice = full.slice(0, 40);
  const ids = new Set(slice.map((n) => n.id));
  const seedText = JSON.stringify(slice.map((n) => ({ ...n, child_ids: n.child_ids.filter((c) => ids.has(c)) })), null, 1);
  parseOntology(seedText, "seed");
  const cyclic = JSON.stringify([{ id: "/m/a", name: "A", child_ids: ["/m/b"] }, { id: "/m/b", name: "B", child_ids: ["/m/a"] }]);
  expectClean("ontology", await fuzz({ seed: 4, cases: 400, name: (i) => `ontology-${i}.json`, make: textCases([seedText, cyclic]), parse: (t, n) => parseOntology(t, n) }));
});

test("fuzz: .npy reader", { timeout: 60_000 }, async () => {
  const { readdirSync } = await import("node:fs");
  const seeds: Uint8Array[] = readdirSync(join(FIXTURES, "data/npy")).map((f) => new Uint8Array(readFileSync(join(FIXTURES, "data/npy", f))));
  seeds.push(encodeNpy({ data: Float32Array.from({ length: 24 }, (_, i) => i / 7), shape: [2, 3, 4] }));
  expectClean("npy", await fuzz({ seed: 5, cases: 500, name: (i) => `array-${i}.npy`, make: byteCases(seeds), parse: (b, n) => readNpy(b, n) }));
});

test("fuzz: safetensors reader", { timeout: 60_000 }, async () => {
  const parts = encodeSafetensors([
    ["features.0.weight", { shape: [2, 3], data: Float32Array.from({ length: 6 }, (_, i) => i) }],
    ["features.0.bias", { shape: [2], data: new Uint16Array([0x3c00, 0xbc00]) }],
    ["step", { shape: [], data: new BigInt64Array([7n]) }],
  ], { format: "pt" });
  const seed = new Uint8Array(Buffer.concat(parts));
  parseSafetensors(seed, "seed");
  expectClean("safetensors", await fuzz({ seed: 6, cases: 500, name: (i) => `weights-${i}.safetensors`, make: byteCases([seed]), parse: (b, n) => parseSafetensors(b, n) }));
});

test("fuzz: PyTorch .pt import (zip + pickle, legacy) and raw pickles", { timeout: 90_000 }, async () => {
  const pt = ["foreign.pt", "tiny_legacy_f16.pt"].map((f) => new Uint8Array(readFileSync(join(FIXTURES, "model", f))));
  // The whole import path a user's .pt goes through: unpickle, find the state dict, map it onto the model.
  const importBytes = (bytes: Uint8Array, name: string) => {
    const stateDict = extractStateDict(readTorchFile(bytes, name), name);
    try {
      return stateDictToWeights(stateDict, name);
    } catch (error) {
      return error; // a valid-but-foreign state dict is fine to reject; only the type of error is judged below
    }
  };
  expectClean("torch .pt", await fuzz({ seed: 7, cases: 300, name: (i) => `model-${i}.pt`, make: byteCases(pt), parse: importBytes, budgetMs: 3000 }));
  const weightsOnly = (bytes: Uint8Array, name: string) => {
    const stateDict = extractStateDict(readTorchFile(bytes, name), name);
    stateDictToWeights(stateDict, name);
  };
  expectClean("torch .pt (weights)", await fuzz({ seed: 8, cases: 150, name: (i) => `model-${i}.pt`, make: byteCases(pt.slice(1)), parse: weightsOnly, budgetMs: 3000 }));
  const pickles = ["pickle_p2.pkl", "pickle_p4.pkl"].map((f) => new Uint8Array(readFileSync(join(FIXTURES, "model", f))));
  expectClean("pickle", await fuzz({ seed: 9, cases: 400, name: (i) => `data-${i}.pkl`, make: byteCases(pickles), parse: (b, n) => unpickle(b, { name: n }) }));
});

test("fuzz: WAV header/PCM reader, length probe and decodeAudioBuffer", { timeout: 90_000 }, async () => {
  const tone = Float32Array.from({ length: 1600 }, (_, i) => 0.5 * Math.sin(i / 5));
  const encoded = ["sine440_16k_s24.wav", "sine440_22k_u8.wav", "sine440_48k.flac", "sine440_44k.ogg", "sine440_44k.mp3"].map((f) => new Uint8Array(readFileSync(join(FIXTURES, "audio/encoded", f))));
  const wavs = [encodeWav(tone, 16000, 16), encodeWav(tone, 8000, 32)];
  // The plain-WAV reader has no name to report: it must return PCM or undefined (left to audio-decode), or throw its
  // WavHeaderError for a header that contradicts itself (decodeAudioBuffer names the file), nothing else.
  const pcm = await fuzz({
    seed: 11, cases: 600, name: () => "", make: byteCases([...wavs, encoded[0], encoded[1]]), allowed: [WavHeaderError],
    parse: (bytes) => {
      const out = decodePcmWav(bytes);
      if (out) for (const channel of out.channelData) assert.equal(channel.length, out.channelData[0].length);
    },
  });
  assert.deepEqual(pcm.failures.slice(0, 8), [], "decodePcmWav threw");
  expectClean("decodeAudioBuffer", await fuzz({ seed: 12, cases: 300, name: (i) => `clip-${i}.wav`, make: byteCases([...wavs, ...encoded]), parse: (b, n) => decodeAudioBuffer(b, n), budgetMs: 3000 }));
  const dir = mkdtempSync(join(tmpdir(), "psl-fuzz-wav-"));
  try {
    const header = await fuzz({
      seed: 13, cases: 200, name: (i) => `h-${i}.wav`, make: byteCases([...wavs, ...encoded]), budgetMs: 3000,
      // The length probe (own WAV header reader, music-metadata for the rest) runs on every file before decoding:
      // it must answer a finite duration or "don't know", never throw.
      parse: async (bytes, name) => {
        writeFileSync(join(dir, name), bytes);
        const found = await probeAudioFile(join(dir, name), bytes.length);
        if (found) assert.ok(Number.isFinite(found.durationSeconds) && found.durationSeconds >= 0, `duration ${found.durationSeconds}`);
      },
    });
    assert.deepEqual(header.failures.slice(0, 8), [], "probeAudioFile threw or gave a non-finite duration");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("fuzz cases found earlier stay fixed; the harness itself reports raw crashes", async () => {
  // A WAV header claiming 0 bits per sample (blockAlign 0) once made the PCM reader allocate an infinite array.
  const wav = encodeWav(new Float32Array(100).fill(0.1), 16000, 16);
  const view = new DataView(wav.buffer, wav.byteOffset, wav.byteLength);
  view.setUint16(32, 0, true); // blockAlign
  view.setUint16(34, 0, true); // bitsPerSample
  assert.equal(decodePcmWav(wav), undefined);
  await assert.rejects(decodeAudioBuffer(wav, "zero-bits.wav"), (e: Error) => e.name === "UserError" && e.message.includes("zero-bits.wav"));
  const report = await fuzz({ seed: 1, cases: 3, name: (i) => `x${i}`, make: () => null, parse: (x) => (x as unknown as { y: number }).y });
  assert.equal(report.failures.length, 3);
  assert.match(report.failures[0], /TypeError/);
});
