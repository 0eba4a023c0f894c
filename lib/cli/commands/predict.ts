/**
 * `psl predict <audio…> --checkpoint <model> [--out probs.npy] [--frames] [--top 5]`: tags audio files with a trained
 * model (a kit checkpoint or the reference's PyTorch checkpoint, e.g. the released teacher).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { integerFlag, maxSecondsFlag, parseCommandArgs } from "../args";
import type { Command } from "../command";
import { UserError } from "../../errors";
import { findRepoRoot } from "../../io/repo-root";
import { initBackend } from "../../nn/backend";
import { DEFAULT_MAX_CLIP_SECONDS, decodeAudioFile } from "../../audio/decode";
import { HOP_LENGTH, SAMPLE_RATE } from "../../audio/frontend";
import { logMel, type LogMel } from "../../audio/melspec";
import { readClassLabels } from "../../data/classes";
import { writeNpy } from "../../io/npy";
import { refuseOutputsOverInputs, type NamedPath } from "../../io/same-file";
import { openModel } from "../../model/open";
import { predictClipsAndFramesAsync, predictClipsAsync, type FramePredictions } from "../../model/predict";
import { withFoldedModel } from "../../engine/infer";

/** The model's time stride: five stride-2 stages → one output frame per 32 input frames (0.32 s). */
const FRAME_SECONDS = (32 * HOP_LENGTH) / SAMPLE_RATE;
/** The AudioSet class list shipped with the kit, when the repository is there. */
function defaultLabelsPath(): string | undefined {
  const root = findRepoRoot();
  const path = root && join(root, "data-manifests", "audioset", "class_labels_indices.csv");
  return path && existsSync(path) ? path : undefined;
}

const usage = `usage: psl predict <audio…> --checkpoint <model> [--out <probs.npy>] [--frames] [--top <k>] [--batch-size <n>] [--labels <csv>] [--max-seconds <s>]

Decodes each audio file (mono 16 kHz), computes its log-mel spectrogram and runs the model in eval mode.
  --checkpoint   a PSL Lab checkpoint (.safetensors) or a PyTorch checkpoint of the reference MobileNetV2 (.pt)
  --out          write clip probabilities as float32 .npy [files, classes] (rows in argument order) instead of printing
  --frames       also frame probabilities (one frame = ${FRAME_SECONDS.toFixed(2)} s): with --out written as
                 <out>.frames.<i>.npy [frames, classes] per file; otherwise the top class per frame is printed
  --top          classes printed per file (default 5)
  --batch-size   clips per forward pass (clips of equal length are batched; never padded; default 8)
  --labels       class_labels_indices.csv for class names (default: the AudioSet list shipped with the kit)
  --max-seconds  refuse files longer than this (default ${DEFAULT_MAX_CLIP_SECONDS}; read from the header, before decoding)
Backend: PSL_BACKEND=wasm|cpu|tensorflow|tensorflow-gpu overrides the automatic choice.`;

function classNames(numClasses: number, labelsPath: string | undefined): (index: number) => string {
  const path = labelsPath ?? defaultLabelsPath();
  if (!path) return (i) => `class ${i}`;
  const classes = readClassLabels(path);
  if (classes.length !== numClasses) {
    if (labelsPath) throw new UserError(`${labelsPath} lists ${classes.length} classes but the model has ${numClasses} outputs`);
    return (i) => `class ${i}`;
  }
  return (i) => classes[i].displayName;
}

/** Where `--frames --out probs.npy` writes file i's frame probabilities: probs.frames.<i>.npy. */
function frameOutputPath(out: string, index: number | string): string {
  return `${out.replace(/\.npy$/i, "")}.frames.${index}.npy`;
}

function topK(row: Float32Array, k: number): number[] {
  return Array.from(row.keys())
    .sort((a, b) => row[b] - row[a])
    .slice(0, k);
}

export const predictCommand: Command = {
  name: "predict",
  summary: "tag audio files with a checkpoint (kit .safetensors or PyTorch .pt): top classes or probabilities .npy",
  usage,
  async run(args) {
    const parsed = parseCommandArgs({
      args,
      allowPositionals: true,
      options: {
        checkpoint: { type: "string" },
        out: { type: "string" },
        frames: { type: "boolean" },
        top: { type: "string" },
        "batch-size": { type: "string" },
        labels: { type: "string" },
        "max-seconds": { type: "string" },
      },
      strict: true,
    }, usage);
    const { values, positionals: files } = parsed;
    if (!values.checkpoint) throw new UserError(`--checkpoint is required\n${usage}`);
    if (files.length === 0) throw new UserError(`no audio files given\n${usage}`);
    const top = integerFlag("top", values.top, 5);
    const batchSize = integerFlag("batch-size", values["batch-size"], 8);
    const maxSeconds = maxSecondsFlag(values["max-seconds"]);
    // Every file written (the clip probabilities, one frame file per input) against every file read.
    const inputs: NamedPath[] = [{ what: "--checkpoint", path: values.checkpoint }, ...files.map((path) => ({ what: "audio file", path }))];
    if (values.labels) inputs.push({ what: "--labels file", path: values.labels });
    const outputs: NamedPath[] = [];
    if (values.out) {
      outputs.push({ what: "--out", path: values.out });
      if (values.frames) files.forEach((_, i) => outputs.push({ what: `frame output ${i}`, path: frameOutputPath(values.out!, i) }));
    }
    refuseOutputsOverInputs(inputs, outputs);

    const backend = await initBackend({ quiet: true });
    console.error(`[psl] backend: ${backend.name} — ${backend.reason}`);
    const { model, kind } = openModel(values.checkpoint);
    try {
      const { numClasses, widthMult } = model.config;
      console.error(`[psl] model: ${kind === "pytorch" ? "PyTorch checkpoint" : "kit checkpoint"} ${values.checkpoint} (${numClasses} classes, width ${widthMult})`);
      const nameOf = values.out ? undefined : classNames(numClasses, values.labels);

      const mels: LogMel[] = [];
      const seconds: number[] = [];
      for (const file of files) {
        const audio = await decodeAudioFile(file, { maxSeconds });
        mels.push(logMel(audio.samples));
        seconds.push(audio.durationSeconds);
      }
      // Eval mode through the folded model (lib/engine/infer.ts): the same probabilities to float32 rounding, faster.
      const { clip, frames }: { clip: Float32Array[]; frames?: FramePredictions[] } = await withFoldedModel(model, async (folded) =>
        values.frames ? predictClipsAndFramesAsync(folded, mels, { batchSize }) : { clip: await predictClipsAsync(folded, mels, { batchSize }) },
      );

      if (values.out) {
        const data = new Float32Array(clip.length * numClasses);
        clip.forEach((row, i) => data.set(row, i * numClasses));
        writeNpy(values.out, { data, shape: [clip.length, numClasses] });
        console.error(`[psl] wrote ${values.out} [${clip.length}, ${numClasses}]`);
        if (frames) {
          frames.forEach((f, i) => writeNpy(frameOutputPath(values.out!, i), { data: f.data, shape: [f.frames, numClasses] }));
          console.error(`[psl] wrote ${frames.length} frame files ${frameOutputPath(values.out, "<i>")}`);
        }
        return 0;
      }
      files.forEach((file, i) => {
        console.log(`${file}  (${seconds[i].toFixed(2)} s)`);
        for (const c of topK(clip[i], top)) console.log(`  ${(100 * clip[i][c]).toFixed(2).padStart(6)}%  ${nameOf!(c)}`);
        if (frames) {
          const f = frames[i];
          for (let t = 0; t < f.frames; t++) {
            const row = f.data.subarray(t * numClasses, (t + 1) * numClasses);
            const best = topK(row, 1)[0];
            console.log(`    ${(t * FRAME_SECONDS).toFixed(2).padStart(7)} s  ${(100 * row[best]).toFixed(1).padStart(5)}%  ${nameOf!(best)}`);
          }
        }
      });
      return 0;
    } finally {
      model.dispose();
    }
  },
};
