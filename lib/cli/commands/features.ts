/**
 * `psl features <audio> --out <file.npy>`: the reference front-end's log-mel of one audio file as float32 [frames, 64],
 * e.g. to compare with features computed in Python (np.load) or to feed another toolkit.
 */
import { maxSecondsFlag, parseCommandArgs } from "../args";
import type { Command } from "../command";
import { UserError } from "../../errors";
import { DEFAULT_MAX_CLIP_SECONDS, decodeAudioFile } from "../../audio/decode";
import { N_MELS, TOP_DB } from "../../audio/frontend";
import { logMel } from "../../audio/melspec";
import { writeNpy } from "../../io/npy";
import { refuseOutputsOverInputs } from "../../io/same-file";

const usage = `usage: psl features <audio> --out <file.npy> [--top-db <dB>|none] [--max-seconds <s>]

Decodes <audio> (wav/flac/ogg/mp3/opus/…; stereo averaged, resampled to 16 kHz) and writes its log-mel spectrogram
as float32 .npy of shape [frames, ${N_MELS}], frames = 1 + floor(samples / 160): torchaudio MelSpectrogram(n_fft 512,
hop 160, 64 htk mels, 0–8000 Hz, power 2, centered) → AmplitudeToDB(top_db ${TOP_DB}), floor taken over the clip.
  --out      output .npy path (written atomically)
  --top-db   dynamic range below the clip's maximum (default ${TOP_DB}); "none" keeps the raw 10·log10(max(x, 1e-10))
  --max-seconds  refuse longer files (default ${DEFAULT_MAX_CLIP_SECONDS}; read from the header, before decoding)`;

export const featuresCommand: Command = {
  name: "features",
  summary: "log-mel spectrogram of an audio file → float32 [frames, 64] .npy",
  usage,
  async run(args) {
    const parsed = parseCommandArgs({ args, options: { out: { type: "string" }, "top-db": { type: "string" }, "max-seconds": { type: "string" } }, allowPositionals: true, strict: true }, usage);
    const { values, positionals } = parsed;
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
