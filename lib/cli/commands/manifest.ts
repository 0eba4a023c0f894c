/**
 * `psl manifest`: turns an AudioSet download folder (always partial) into the kit's manifest TSV, reporting what is
 * missing, unlisted, unreadable or duplicated instead of failing — the first step of running the kit on real data.
 */
import { existsSync } from "node:fs";
import { extname } from "node:path";
import { maxSecondsFlag, parseCommandArgs } from "../args";
import { DEFAULT_MAX_CLIP_SECONDS } from "../../audio/decode";
import type { Command } from "../command";
import { UserError } from "../../errors";
import { repoPath } from "../../io/repo-root";
import { readClassLabels } from "../../data/classes";
import { readSegments } from "../../data/segments";
import { AUDIO_EXTENSIONS, buildManifestFromFolder, writeManifest } from "../../data/manifest";
import { isInsideFolder, refuseOutputsOverInputs } from "../../io/same-file";
import { createProgress } from "../../report/progress";


const usage = `usage: psl manifest --audio-dir <folder> --segments <segments.csv> --out <manifest.tsv> [--classes <csv>] [--list-missing] [--max-seconds <s>]

Matches the audio files under <folder> (named <YTID>_<start>_<end>.<ext>, Y<YTID>.<ext> or <YTID>.<ext>; any
decodable format, sub-folders included) with Google's segment list (balanced_train_segments.csv, eval_segments.csv,
unbalanced_train_segments.csv) and writes the kit's manifest (TSV filename, labels, duration; labels = class indices
joined by ';'; filenames relative to the manifest's folder). Listed clips absent on disk, files matching no segment,
unreadable files and duplicates are counted and reported, never fatal.
  --classes        AudioSet class_labels_indices.csv (default: the copy in data-manifests/audioset/)
  --list-missing   also print every missing YTID
  --max-seconds    files longer than this count as unreadable (default ${DEFAULT_MAX_CLIP_SECONDS}, the feature cache's limit)`;

export const manifestCommand: Command = {
  name: "manifest",
  summary: "AudioSet download folder + segment CSV → the kit's manifest TSV (reports missing/unreadable clips)",
  usage,
  async run(args) {
    const { values } = parseCommandArgs({
      args,
      options: { "audio-dir": { type: "string" }, segments: { type: "string" }, out: { type: "string" }, classes: { type: "string" }, "list-missing": { type: "boolean" }, "max-seconds": { type: "string" } },
      strict: true,
    }, usage);
    if (!values["audio-dir"] || !values.segments || !values.out) throw new UserError(`--audio-dir, --segments and --out are required\n${usage}`);
    const classesPath = values.classes ?? repoPath("data-manifests", "audioset", "class_labels_indices.csv");
    refuseOutputsOverInputs([{ what: "--segments file", path: values.segments }, { what: "--classes file", path: classesPath }], [{ what: "--out", path: values.out }]);
    // The folder's audio files are inputs too: an --out named like one of them would replace it.
    if (existsSync(values.out) && AUDIO_EXTENSIONS.has(extname(values.out).toLowerCase()) && isInsideFolder(values.out, values["audio-dir"])) {
      throw new UserError(`--out ${values.out} is an audio file inside --audio-dir ${values["audio-dir"]}: writing the manifest there would destroy it; choose another output path`);
    }
    const classes = readClassLabels(classesPath);
    const segments = readSegments(values.segments, classes);
    // Durations are read from each file's header (a full decode only where a format has none).
    const progress = createProgress({ label: "reading clips", total: segments.length, unit: "segments" });
    let reported = 0;
    const result = await buildManifestFromFolder(values["audio-dir"], segments, {
      maxClipSeconds: maxSecondsFlag(values["max-seconds"]),
      onProgress: (done) => {
        progress.tick(done - reported);
        reported = done;
      },
    });
    progress.done();
    if (result.rows.length === 0) throw new UserError(`${values["audio-dir"]}: none of the ${segments.length} segments of ${values.segments} was found as a readable audio file`);
    writeManifest(values.out, result.rows);
    const lines = [
      `${values.out}: ${result.rows.length} clips of ${segments.length} listed (${((100 * result.rows.length) / segments.length).toFixed(1)} %)`,
      `missing (listed, not on disk): ${result.missing.length}`,
      `unlisted (on disk, in no segment): ${result.unlisted.length}`,
      `unreadable: ${result.unreadable.length}`,
      `duplicates (second file for one segment): ${result.duplicates.length}`,
    ];
    for (const bad of result.unreadable.slice(0, 20)) lines.push(`  unreadable ${bad.filename}: ${bad.reason}`);
    if (result.unreadable.length > 20) lines.push(`  … and ${result.unreadable.length - 20} more unreadable files`);
    if (values["list-missing"]) for (const segment of result.missing) lines.push(`  missing ${segment.ytid}`);
    console.log(lines.join("\n"));
    return 0;
  },
};
