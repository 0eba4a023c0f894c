/**
 * Short chunks (issue 14): every chunk is padded to one length, so a 4-s clip cut into 10-s chunks is the same
 * student input alone and among 10-s chunks, gets the same student clip score either way, and its teacher target is
 * the teacher's score of exactly that input (offline annotation and online mode alike). Evaluation never pads: a short
 * clip's score does not depend on its batch-mates either.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "../../lib/nn/backend";
import { N_MELS } from "../../lib/audio/frontend";
import { createMobileNetV2 } from "../../lib/model/mobilenetv2";
import { predictClips } from "../../lib/model/predict";
import type { Trainer } from "../../lib/engine/trainer";
import { DEFAULT_CONFIG } from "../../lib/psl/config";
import { annotateClips } from "../../lib/psl/annotate";
import { chunkRanges, inputFramesFor } from "../../lib/psl/chunking";
import { scoreClips } from "../../lib/psl/evaluate";
import { withFoldedModel } from "../../lib/engine/infer";
import { trainStudent, type TeacherTargetSource } from "../../lib/psl/student";
import type { TrainerFactory } from "../../lib/psl/loop";
import { tinyCorpus, tinyFeatures } from "./helpers";

const C = 3;

/** Three 10-s clips and one 4-s clip (real log-mels of tone clips, lengthened by repetition). */
function clips() {
  const base = tinyCorpus(4, 21, "clip");
  const logMels = new Map<string, { data: Float32Array; frames: number }>();
  const rows = base.rows.map((row, i) => {
    const seconds = i === 2 ? 4 : 10;
    const frames = seconds * 100 + 1;
    const source = base.logMels.get(row.filename)!;
    const data = new Float32Array(frames * N_MELS);
    for (let t = 0; t < frames; t++) data.set(source.data.subarray((t % source.frames) * N_MELS, (t % source.frames + 1) * N_MELS), t * N_MELS);
    logMels.set(row.filename, { data, frames });
    return { ...row, duration: seconds };
  });
  return { rows, features: tinyFeatures({ logMels }) };
}

/** A trainer that records every batch it is given and changes nothing (the loop around it runs for real). */
function recordingTrainer(batches: { input: Float32Array; frames: number; targets: Float32Array; batchSize: number }[]): TrainerFactory {
  return async (): Promise<Trainer> => ({
    workers: 0,
    stepCount: 0,
    async step(batch) {
      batches.push({ input: batch.input.slice(), frames: batch.frames, targets: batch.targets.slice(), batchSize: batch.batchSize });
      return { loss: 0.5 };
    },
    async syncModel() {},
    optimizerState: () => ({ step: 0, options: { learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0, amsgrad: false, maxGradNorm: null }, expAvg: {}, expAvgSq: {} }),
    loadOptimizerState() {},
    setLearningRate() {},
    async dispose() {},
  });
}

/** The student's input and target rows for every chunk, in chunk order, with batches of `batchSize` (shuffled). */
async function studentRows(rows: ReturnType<typeof clips>["rows"], features: ReturnType<typeof clips>["features"], teacher: TeacherTargetSource, batchSize: number) {
  const batches: Parameters<typeof recordingTrainer>[0] = [];
  const dir = mkdtempSync(join(tmpdir(), "psl-chunking-"));
  try {
    await trainStudent({
      dir, settings: { ...DEFAULT_CONFIG.student, widthMult: 0.1, epochs: 1, batchSize, alpha: 1 }, numClasses: C, seed: 5, train: rows, validation: rows,
      chunkSeconds: 10, hopSeconds: 10, minChunkSeconds: 5, teacher, targetOptions: DEFAULT_CONFIG.annotation, features, createTrainer: recordingTrainer(batches), resume: false,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return batches;
}

/** Finds the row of `batches` whose input equals `input` (the 4-s chunk, padded); returns that row's input and target. */
function rowOf(batches: Awaited<ReturnType<typeof studentRows>>, input: Float32Array) {
  for (const b of batches) {
    const per = b.frames * N_MELS;
    for (let k = 0; k < b.batchSize; k++) {
      const row = b.input.subarray(k * per, (k + 1) * per);
      if (row.length === input.length && row.every((v, i) => v === input[i])) return { input: row, target: b.targets.subarray(k * C, (k + 1) * C), batch: b, index: k };
    }
  }
  throw new Error("the 4-s chunk is in no batch");
}

test("a 4-s clip among 10-s clips: same student input and clip score alone and batched; its teacher target is the teacher on that input", async () => {
  await initBackend({ preferred: "wasm", quiet: true });
  const { rows, features } = clips();
  const chunking = { chunkSeconds: 10, hopSeconds: 10, minChunkSeconds: 5 };
  const ranges = chunkRanges(rows, features, chunking);
  assert.deepEqual(ranges.map((r) => r.end - r.start), [1001, 1001, 401, 1001], "the 4-s clip is one 4-s chunk (the first chunk is always kept)");
  assert.equal(inputFramesFor(chunking, ranges), 1001);
  assert.equal(inputFramesFor(chunking, ranges.filter((r) => r.row === 2)), 401, "no full chunk anywhere: padded to the longest there is");

  const teacher = createMobileNetV2({ numClasses: C, widthMult: 0.1 }, 9);
  const student = createMobileNetV2({ numClasses: C, widthMult: 0.1 }, 10);
  try {
    // Offline: the PSL table scores each chunk padded to the student's input length.
    const table = await annotateClips(teacher, rows, features, { ...chunking, batchSize: 4 });
    const shortRow = table.filenames.indexOf(rows[2].filename);
    const alone = await annotateClips(teacher, [rows[2]], features, { ...chunking, inputFrames: 1001 });
    const together = await studentRows(rows, features, { kind: "table", table }, 4);
    const single = await studentRows(rows, features, { kind: "table", table }, 1);
    const padded = new Float32Array(1001 * N_MELS);
    padded.set(features.readFrames(rows[2].filename, 0, 401));
    padded.fill(Math.min(...features.readFrames(rows[2].filename, 0, 401)), 401 * N_MELS);
    const inBatch = rowOf(together, padded);
    const onItsOwn = rowOf(single, padded);
    assert.equal(inBatch.batch.batchSize, 4, "the 4-s chunk shares its batch with three 10-s chunks");
    assert.equal(onItsOwn.batch.batchSize, 1);
    assert.deepEqual(inBatch.input, onItsOwn.input, "the same input, whatever its batch-mates");
    // The teacher scored exactly the student's input: its target is the teacher's eval score of that padded input
    // (annotation and evaluation score through the folded model, lib/engine/infer.ts).
    const teacherOnInput = withFoldedModel(teacher, (folded) => predictClips(folded, [{ data: inBatch.input.slice(), frames: 1001 }])[0]);
    assert.deepEqual(Array.from(table.probs.subarray(shortRow * C, (shortRow + 1) * C)), Array.from(teacherOnInput));
    assert.deepEqual(Array.from(inBatch.target), Array.from(teacherOnInput), "offline target = teacher on the student's input");
    assert.deepEqual(Array.from(alone.probs), Array.from(teacherOnInput), "annotated alone or with the others: the same");

    // The student's clip score of that chunk (eval mode), in its batch and alone: bit for bit.
    const batchScores = tf.tidy(() => student.forward(tf.tensor3d(inBatch.batch.input, [4, 1001, N_MELS]), { training: false }).clip.dataSync() as Float32Array);
    const aloneScore = tf.tidy(() => student.forward(tf.tensor3d(onItsOwn.input.slice(), [1, 1001, N_MELS]), { training: false }).clip.dataSync() as Float32Array);
    assert.deepEqual(Array.from(batchScores.subarray(inBatch.index * C, (inBatch.index + 1) * C)), Array.from(aloneScore));

    // Online mode (the reference's): the teacher runs on the student's batch, and gives the offline targets.
    const online = await studentRows(rows, features, { kind: "online", teacher }, 4);
    const onlineRow = rowOf(online, padded);
    const maxDiff = Math.max(...Array.from(onlineRow.target, (v, c) => Math.abs(v - teacherOnInput[c])));
    assert.ok(maxDiff < 1e-6, `online target differs from the offline one by ${maxDiff}`);

    // Evaluation never pads: the 4-s clip's score alone equals its score among the 10-s clips, bit for bit.
    const all = scoreClips(student, rows, features, { batchSize: 4 });
    const one = scoreClips(student, [rows[2]], features);
    assert.deepEqual(Array.from(all.subarray(2 * C, 3 * C)), Array.from(one));
    const unpadded = withFoldedModel(student, (folded) => predictClips(folded, [{ data: features.readFrames(rows[2].filename, 0, 401), frames: 401 }])[0]);
    assert.deepEqual(Array.from(one), Array.from(unpadded), "scored on its own 401 frames, not padded to 10 s");
  } finally {
    teacher.dispose();
    student.dispose();
  }
});

test("a PSL table that does not match the training clips' chunks is refused (targets would pair with other audio)", async () => {
  await initBackend({ preferred: "wasm", quiet: true });
  const { rows, features } = clips();
  const teacher = createMobileNetV2({ numClasses: C, widthMult: 0.1 }, 9);
  try {
    const table = await annotateClips(teacher, rows, features, { chunkSeconds: 5, hopSeconds: 5, minChunkSeconds: 2.5 });
    await assert.rejects(studentRows(rows, features, { kind: "table", table }, 4), /the PSL table \(7 chunks\) does not match the student's training clips cut into 10-s chunks \(4 chunks\)/);
  } finally {
    teacher.dispose();
  }
});
