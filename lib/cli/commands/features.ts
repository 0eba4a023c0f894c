/**
 * `psl features <audio> --out <file.npy>`: the reference front-end's log-mel of one audio file as float32 [frames, 64],
 * e.g. to compare with features computed in Python (np.load) or to feed another toolkit.
 * `psl features --config <c> [--shard i/n | --merge]`: the experiment's feature cache, whole or as one job's slice
 * (lib/psl/feature-jobs.ts).
 */
import { maxSecondsFlag, parseCommandArgs, shardFlag } from "../args";
import type { Command } from "../command";
import { UserError } from "../../errors";
import { DEFAULT_MAX_CLIP_SECONDS, decodeAudioFile } from "../../audio/decode";
import { N_MELS, TOP_DB } from "../../audio/frontend";
import { logMel } from "../../audio/melspec";
import { writeNpy } from "../../io/npy";
import { demoDataset } from "../../demo/dataset";
import { loadConfig } from "../../psl/config";
import { buildFeatureSlice, mergeFeatureSlices } from "../../psl/feature-jobs";
import { buildFeatures, featureRows, resolveManifests, skippedSummary, withFeaturesLock } from "../../psl/pipeline";
import { refuseStageOverwrites } from "../../psl/preflight";
import { refuseOutputsOverInputs } from "../../io/same-file";

const usage = `usage: psl features <audio> --out <file.npy> [--top-db <dB>|none] [--max-seconds <s>]
       psl features --config <configs/….json> [--set key=value …] [--shard i/n | --merge] [--strict] [--no-wait]

Decodes <audio> (wav/flac/ogg/mp3/opus/…; stereo averaged, resampled to 16 kHz) and writes its log-mel spectrogram
as float32 .npy of shape [frames, ${N_MELS}], frames = 1 + floor(samples / 160): torchaudio MelSpectrogram(n_fft 512,
hop 160, 64 htk mels, 0–8000 Hz, power 2, centered) → AmplitudeToDB(top_db ${TOP_DB}), floor taken over the clip.
  --out      output .npy path (written atomically)
  --top-db   dynamic range below the clip's maximum (default ${TOP_DB}); "none" keeps the raw 10·log10(max(x, 1e-10))
  --max-seconds  refuse longer files (default ${DEFAULT_MAX_CLIP_SECONDS}; read from the header, before decoding)

With --config: the feature cache of every clip of the experiment (<cacheDir>/features), as the pipeline computes it.
  --shard i/n  only job i's (0-based) contiguous slice of the clips, into <cacheDir>/features/parts/part-i-of-n
               (run the n jobs anywhere that shares cacheDir: a Slurm array, a Kubernetes Indexed Job)
  --merge      fold the n finished parts into <cacheDir>/features (then every stage finds all features cached)
  --strict     fail on the first missing or unreadable clip (default: skip it and list it)
  --no-wait    when another process holds the lock (the cache's, or this job's part), fail naming it (default: wait)`;

async function cacheFeatures(values: { config: string; set?: string[]; shard?: string; merge?: boolean; strict?: boolean; "no-wait"?: boolean }): Promise<number> {
  const config = loadConfig(values.config, values.set ?? []);
  const shard = shardFlag(values.shard);
  if (shard && values.merge) throw new UserError(`--shard and --merge are separate steps\n${usage}`);
  // The same checks as every experiment command, before any work: nothing written over an input.
  refuseStageOverwrites(config, config.dataset === demoDataset.name, [{ what: "--config file", path: values.config }]);
  const locks = { wait: !values["no-wait"], onWait: (message: string) => console.error(`[psl] ${message}`) };
  if (values.merge) {
    const merged = await mergeFeatureSlices(config, locks);
    console.log(`features: merged ${merged.parts} parts into ${config.cacheDir}/features (${merged.clips} clips cached, ${merged.skipped} skipped)`);
    return 0;
  }
  if (shard) {
    const part = await buildFeatureSlice(config, shard, { strict: values.strict, datasets: [demoDataset], ...locks });
    console.log(`features job ${shard.index}/${shard.count}: ${part.clips} of ${part.of} clips in ${part.dir}${part.skipped ? ` (${part.skipped} skipped)` : ""}`);
    return 0;
  }
  const rows = featureRows((await resolveManifests(config, [demoDataset])).listed);
  const cache = await withFeaturesLock(config, locks, () => buildFeatures(config, rows, { strict: values.strict }));
  console.log(`features: ${cache.filenames.length} clips cached in ${cache.dir}`);
  if (cache.skipped.length) console.log(skippedSummary(cache.skipped));
  cache.close();
  return 0;
}

export const featuresCommand: Command = {
  name: "features",
  summary: "log-mel spectrogram of an audio file → float32 [frames, 64] .npy",
  usage,
  async run(args) {
    const parsed = parseCommandArgs({
      args,
      options: {
        out: { type: "string" }, "top-db": { type: "string" }, "max-seconds": { type: "string" },
        config: { type: "string" }, set: { type: "string", multiple: true }, shard: { type: "string" }, merge: { type: "boolean" }, strict: { type: "boolean" }, "no-wait": { type: "boolean" },
      },
      allowPositionals: true,
      strict: true,
    }, usage);
    const { values, positionals } = parsed;
    if (values.config !== undefined) {
      if (positionals.length > 0 || values.out) throw new UserError(`--config computes the experiment's feature cache: no audio file or --out\n${usage}`);
      return cacheFeatures({ ...values, config: values.config });
    }
    if (values.shard !== undefined || values.merge || values["no-wait"]) throw new UserError(`--shard / --merge / --no-wait need --config\n${usage}`);
    if (positionals.length !== 1) throw new UserError(`expected exactly one audio file, got ${positionals.length}\n${usage}`);
    if (!values.out) throw new UserError(`--out <file.npy> is required\n${usage}`);
    refuseOutputsOverInputs([{ what: "audio file", path: positionals[0] }], [{ what: "--out", path: values.out }]);
    let topDb: number | null = TOP_DB;
    if (values["top-db"] !== undefined) {
      topDb = values["top-db"] === "none" ? null : Number(values["top-db"]);
      if (topDb !== null && !(topDb >= 0)) throw new UserError(`--top-db must be a number ≥ 0 or "none", got "${values["top-db"]}"`);
    }
    const audio = await decodeAudioFile(positionals[0], { maxSeconds: maxSecondsFlag(values["max-seconds"]) });
    const mel = logMel(audio.samples, { topDb });
    writeNpy(values.out, { data: mel.data, shape: [mel.frames, mel.mels] });
    console.log(
      `${positionals[0]}: ${audio.durationSeconds.toFixed(3)} s (${audio.channels} ch @ ${audio.sourceSampleRate} Hz) → ` +
        `${values.out} float32 [${mel.frames}, ${mel.mels}]`,
    );
    return 0;
  },
};
