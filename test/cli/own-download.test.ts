/**
 * The README's "your own download" walkthrough, command for command, through the real `psl` launcher (issue 14):
 * the commands are read from the README's code block and run from a scratch folder laid out like a checkout (configs/
 * and data-manifests/ linked in), on a stand-in download: `<YTID>_<start>_<end>.wav` files of AudioSet's real segment
 * lists, of odd lengths (10.02 s, 9.4 s, 4.0 s, 44.1-kHz stereo), with listed-but-missing, empty and corrupt ones;
 * the authors' teacher is a random-weight PyTorch checkpoint in their layout ({"model": state_dict, "config": …},
 * BatchNorm num_batches_tracked and front-end buffers included) written by test/io/torch-writer.ts. The stage commands
 * get `--set` overrides for a tiny student and few steps; nothing else differs from what a user types.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { encodeWav } from "../../lib/audio/wav";
import { SAMPLE_RATE } from "../../lib/audio/frontend";
import { readClassLabels } from "../../lib/data/classes";
import { readManifest } from "../../lib/data/manifest";
import { createRng } from "../../lib/data/random";
import { readSegments, type SegmentRow } from "../../lib/data/segments";
import { repoRoot } from "../../lib/io/repo-root";
import { kitToTorch } from "../../lib/model/layout";
import { createMobileNetV2 } from "../../lib/model/mobilenetv2";
import { initBackend } from "../../lib/nn/backend";
import { readPslTable } from "../../lib/psl/table";
import { writeTorchFile, type Picklable } from "../io/torch-writer";

const root = repoRoot();

/** The README's walkthrough: the `npx psl …` and `cp …` lines of the code block under "### AudioSet, step by step". */
function walkthroughCommands(readme: string): string[] {
  const section = readme.slice(readme.indexOf("### AudioSet, step by step"));
  const block = /```sh\n([\s\S]*?)```/.exec(section);
  assert.ok(block, "the README has the walkthrough's code block");
  return block[1].split("\n").map((line) => line.replace(/\s+#.*$/, "").trim()).filter((line) => line && !line.startsWith("#"));
}

/** `seconds` of noise plus two tones, as 16-bit WAV at `rate` with `channels` channels. */
function clip(seconds: number, seed: number, rate = SAMPLE_RATE, channels = 1): Uint8Array {
  const rng = createRng(seed);
  const n = Math.round(seconds * rate);
  const mono = Float32Array.from({ length: n }, (_, i) => 0.02 * (rng.next() - 0.5) + 0.2 * Math.sin((2 * Math.PI * (300 + 50 * seed) * i) / rate) * (i % rate < rate / 2 ? 1 : 0));
  if (channels === 1) return encodeWav(mono, rate);
  // Interleaved stereo by hand (encodeWav writes mono): a second channel at half level.
  const mono16 = encodeWav(mono, rate);
  const view = new DataView(mono16.buffer, mono16.byteOffset, mono16.byteLength);
  const out = new Uint8Array(44 + n * 4);
  out.set(mono16.subarray(0, 44));
  const header = new DataView(out.buffer);
  header.setUint32(4, 36 + n * 4, true);
  header.setUint16(22, 2, true); // channels
  header.setUint32(28, rate * 4, true); // byte rate
  header.setUint16(32, 4, true); // block align
  header.setUint32(40, n * 4, true);
  for (let i = 0; i < n; i++) {
    const s = view.getInt16(44 + 2 * i, true);
    header.setInt16(44 + 4 * i, s, true);
    header.setInt16(46 + 4 * i, s >> 1, true);
  }
  return out;
}

const fileName = (s: SegmentRow) => `${s.ytid}_${s.startText}_${s.endText}.wav`;

/** A random-weight teacher (527 classes, width 0.1) saved as the authors save theirs. */
function writeAuthorsTeacher(path: string): void {
  const model = createMobileNetV2({ numClasses: 527, widthMult: 0.1 }, 17);
  const weights = model.getWeights();
  const stateDict = new Map<string, Picklable>();
  // The reference model carries its torchaudio front-end as buffers (ignored on import).
  stateDict.set("front_end.0.spectrogram.window", { dtype: "float32", shape: [512], data: Float32Array.from({ length: 512 }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / 512)) });
  stateDict.set("front_end.0.mel_scale.fb", { dtype: "float32", shape: [257, 64], data: new Float32Array(257 * 64) });
  for (const spec of model.specs) {
    stateDict.set(spec.key, { dtype: "float32", shape: spec.torchShape, data: kitToTorch(spec, weights.get(spec.key)!) });
    if (spec.key.endsWith(".running_var")) stateDict.set(spec.key.replace(/running_var$/, "num_batches_tracked"), { dtype: "int64", shape: [], data: BigInt64Array.from([1000n]) });
  }
  model.dispose();
  writeTorchFile(path, { model: stateDict, config: { student: "MobileNetV2_DM", teacher: "MobileNetV2_DM", batch_size: 32, chunk_length: 2.0 } });
}

test("the README's own-download walkthrough runs as written: manifest → annotate → train-student → evaluate", { timeout: 600_000 }, async () => {
  await initBackend({ preferred: "cpu", quiet: true });
  const work = mkdtempSync(join(tmpdir(), "psl-own-download-"));
  try {
    for (const linked of ["configs", "data-manifests"]) symlinkSync(join(root, linked), join(work, linked));
    const classes = readClassLabels(join(root, "data-manifests", "audioset", "class_labels_indices.csv"));
    const balanced = readSegments(join(root, "data-manifests", "audioset", "balanced_train_segments.csv"), classes).slice(0, 11);
    const evalSegments = readSegments(join(root, "data-manifests", "audioset", "eval_segments.csv"), classes).slice(0, 5);

    // The stand-in download ("~/audioset/…" in the README).
    const home = join(work, "home");
    const balancedDir = join(home, "audioset", "balanced");
    const evalDir = join(home, "audioset", "eval");
    mkdirSync(balancedDir, { recursive: true });
    mkdirSync(evalDir, { recursive: true });
    const seconds = [10.02, 9.4, 4.0, 10, 10, 10, 10, 10];
    seconds.forEach((s, i) => writeFileSync(join(balancedDir, fileName(balanced[i])), i === 3 ? clip(s, i, 44100, 2) : clip(s, i)));
    writeFileSync(join(balancedDir, fileName(balanced[8])), ""); // an interrupted download: 0 bytes
    writeFileSync(join(balancedDir, fileName(balanced[9])), "<html>429 Too Many Requests</html>"); // not audio
    // balanced[10] and the other 22,149 listed segments are missing.
    [10, 10, 7.3, 10].forEach((s, i) => writeFileSync(join(evalDir, fileName(evalSegments[i])), clip(s, 20 + i)));
    writeFileSync(join(evalDir, fileName(evalSegments[4])), "corrupt");
    mkdirSync(join(home, "Downloads"), { recursive: true });
    writeAuthorsTeacher(join(home, "Downloads", "mobilenetv2_mAP40_53.pt"));

    const commands = walkthroughCommands(readFileSync(join(root, "README.md"), "utf8"));
    assert.deepEqual(commands.map((c) => c.split(/\s+/).slice(0, 3).join(" ")), [
      "npx psl manifest", "npx psl manifest", "cp ~/Downloads/mobilenetv2_mAP40_53.pt data/audioset/", "npx psl annotate", "npx psl train-student", "npx psl evaluate",
    ]);
    const tiny = ["--set", "student.widthMult=0.1", "--set", "student.epochs=2", "--set", "student.batchSize=8", "--set", "student.checkpointEverySteps=0"];
    const outputs: string[] = [];
    for (const command of commands) {
      const words = command.replaceAll("~/", `${home}/`).split(/\s+/);
      if (words[0] === "cp") {
        mkdirSync(join(work, words[2]), { recursive: true });
        writeFileSync(join(work, words[2], "mobilenetv2_mAP40_53.pt"), readFileSync(words[1]));
        continue;
      }
      const args = [...words.slice(2), ...(words[2] === "manifest" ? [] : tiny)];
      const run = spawnSync(process.execPath, [join(root, "lib", "bin", "psl.js"), ...args], { cwd: work, encoding: "utf8", env: { ...process.env, PSL_BACKEND: "" } });
      assert.equal(run.status, 0, `${command}\n${run.stdout}\n${run.stderr}`);
      outputs.push(run.stdout);
    }

    // 1. Manifests: what is there, what is not, what is broken (named), never fatal.
    assert.match(outputs[0], /data\/audioset\/balanced_train\.tsv: 8 clips of 22160 listed/);
    assert.match(outputs[0], /missing \(listed, not on disk\): 22150/);
    assert.match(outputs[0], /unreadable: 2\n/);
    assert.match(outputs[0], new RegExp(`unreadable ${fileName(balanced[8])}: .*empty file`));
    assert.match(outputs[0], new RegExp(`unreadable ${fileName(balanced[9])}: .*cannot decode audio`));
    assert.match(outputs[1], /data\/audioset\/eval\.tsv: 4 clips of 20371 listed/);
    const manifest = readManifest(join(work, "data", "audioset", "balanced_train.tsv"));
    assert.deepEqual(manifest.map((r) => Number(r.duration.toFixed(2))), seconds);

    // 2.–3. The PSL table: the pretrained teacher's 2-s chunks, cut from the audio's duration rounded to 0.1 s.
    assert.match(outputs[2], /annotation: .*psl\.arrow \(\d+ chunks/);
    const tablePath = /annotation: (\S+psl\.arrow) /.exec(outputs[2])![1];
    const table = readPslTable(join(work, tablePath));
    const expected: Record<string, number> = {};
    seconds.forEach((s, i) => (expected[fileName(balanced[i])] = s === 4 ? 2 : 5)); // 10.02 s → 5 (no 0.02-s sixth), 9.4 s → 5, 4 s → 2
    // Manifest filenames outside the manifest's folder are absolute: compare by file name.
    const names = table.filenames.map((f) => basename(f));
    const annotated = [...new Set(names)];
    assert.ok(annotated.length >= 7, `${annotated.length} clips annotated (one of 8 is held out for validation)`);
    for (const name of annotated) assert.equal(names.filter((f) => f === name).length, expected[name], name);
    const short = names.lastIndexOf(fileName(balanced[1]));
    if (short >= 0) assert.ok(Math.abs(table.to[short] - 9.4) < 1e-5 && Math.abs(table.from[short] - 8) < 1e-5, "the 9.4-s clip's last chunk is 8–9.4 s");
    assert.ok(table.probs.every((p) => p > 0 && p < 1));

    // Student trained once (train-student), re-used by evaluate; metrics on the 4 readable eval clips.
    assert.match(outputs[3], /student: \S+best\.safetensors/);
    assert.match(outputs[4], /student \(eval\): mAP \d+\.\d+ {2}meanAUC \d+\.\d+ {2}d′ -?\d+\.\d+ {2}Recall@0\.2 \d+\.\d+ {2}\(4 clips, \d+ classes\)/);
    assert.match(outputs[4], /teacher \(eval\): mAP /);
    assert.ok(existsSync(join(work, "reports", "experiments", "audioset-psl-2s", "student", "metrics.json")));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
