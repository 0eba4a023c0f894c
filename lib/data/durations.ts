/**
 * Manifest durations checked against the audio's own. A manifest's duration decides how a clip is chunked, so a
 * wrong one silently changes the training data: 1.0 for a 10-s file annotated 1 s and ignored 9 s; 500 added chunks
 * past the end of the audio. Once the features are computed the audio's length is known (the decoded waveform's, kept
 * in the feature cache): a clip whose manifest duration is further from it than the tolerance is skipped with the
 * reason (listed at the end of the run; an error with --strict), and every other clip is chunked by the audio's own
 * duration.
 */
import { UserError } from "../errors";
import { rowLocation, type ManifestRow } from "./manifest";

export interface DurationCheck<Row> {
  /** The rows whose audio is known and agrees with the manifest, with `duration` set to the audio's own. */
  rows: Row[];
  /** Rows over the tolerance: filename and the reason, naming manifest:line and both durations. */
  mismatched: { filename: string; reason: string }[];
}

/**
 * Checks `rows` (those whose audio was decoded: `audioSeconds` returns undefined for the others, which are dropped)
 * against their audio. `strict`: the first mismatch is a UserError instead of a listed skip.
 */
export function checkDurations<Row extends ManifestRow>(
  rows: readonly Row[],
  audioSeconds: (filename: string) => number | undefined,
  toleranceSeconds: number,
  strict = false,
): DurationCheck<Row> {
  const out: Row[] = [];
  const mismatched: { filename: string; reason: string }[] = [];
  for (const row of rows) {
    const seconds = audioSeconds(row.filename);
    if (seconds === undefined) continue;
    if (Math.abs(seconds - row.duration) > toleranceSeconds) {
      const reason =
        `${rowLocation(row)}: the manifest says ${row.duration} s, the audio of ${row.filename} is ${seconds.toFixed(3)} s long ` +
        `(more than data.durationTolerance = ${toleranceSeconds} s apart): a wrong duration, or another file`;
      if (strict) throw new UserError(reason);
      mismatched.push({ filename: row.filename, reason });
      continue;
    }
    out.push({ ...row, duration: seconds });
  }
  return { rows: out, mismatched };
}
