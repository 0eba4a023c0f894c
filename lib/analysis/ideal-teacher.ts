/**
 * An idealised teacher built from the strong labels: its score for (chunk, class) is the share of the chunk that events of
 * the class cover. It stands for a perfect frame detector whose frame outputs are mean-pooled over the chunk, as the
 * reference model pools frames into a clip score. It needs no training, so notebooks can draw it as a reference line
 * ("what chunking alone can recover") next to the real teacher: a 1-s event scores 0.1 in a 10-s chunk but 0.5 in a 2-s
 * chunk, so at a fixed threshold shorter chunks recover more short events — the mechanism behind PSL's chunk-size gain.
 */
import { chunkManifest } from "../data/chunks";
import { UserError } from "../errors";
import type { ChunkScores, StrongEvent } from "./types";

/** Covered length of [from, to) by the union of intervals (sorted copies; overlapping events count once). */
function coveredSeconds(intervals: readonly [number, number][], from: number, to: number): number {
  const clipped = intervals
    .map(([a, b]) => [Math.max(a, from), Math.min(b, to)] as [number, number])
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  let total = 0;
  let end = -Infinity;
  for (const [a, b] of clipped) {
    if (a >= end) {
      total += b - a;
      end = b;
    } else if (b > end) {
      total += b - end;
      end = b;
    }
  }
  return total;
}

/**
 * Event coverage shares for given chunk rows (their own `from` / `to`): row-major [rows, numClasses], the share of each
 * chunk that events of each class cover. Used for the reference chunking below and for the rows of a PSL table.
 */
export function coverageScores(
  chunks: { filenames: readonly string[]; from: ArrayLike<number>; to: ArrayLike<number> },
  strong: Iterable<StrongEvent>,
  numClasses: number,
): Float32Array {
  const C = numClasses;
  const byClipClass = new Map<string, Map<number, [number, number][]>>();
  for (const e of strong) {
    if (!Number.isInteger(e.label) || e.label < 0 || e.label >= C) throw new UserError(`strong labels: ${e.filename} has label ${e.label}, outside 0..${C - 1}`);
    let perClass = byClipClass.get(e.filename);
    if (!perClass) byClipClass.set(e.filename, (perClass = new Map()));
    const list = perClass.get(e.label);
    if (list) list.push([e.onset, e.offset]);
    else perClass.set(e.label, [[e.onset, e.offset]]);
  }
  const probs = new Float32Array(chunks.filenames.length * C);
  chunks.filenames.forEach((filename, row) => {
    const from = chunks.from[row];
    const to = chunks.to[row];
    for (const [label, intervals] of byClipClass.get(filename) ?? []) {
      probs[row * C + label] = coveredSeconds(intervals, from, to) / (to - from);
    }
  });
  return probs;
}

/**
 * Chunk table (reference chunking of `clips`, hop = chunk) whose probabilities are event coverage shares.
 * `clips` are manifest rows (filename, duration; labels are ignored).
 */
export function coverageTeacher(
  clips: readonly { filename: string; duration: number }[],
  strong: Iterable<StrongEvent>,
  options: { chunkSeconds: number; numClasses: number },
): ChunkScores {
  const chunks = chunkManifest(
    clips.map((c) => ({ filename: c.filename, labels: [], duration: c.duration })),
    options.chunkSeconds,
  );
  // Coverage from the chunks' exact (float64) bounds, as before the rows of a PSL table could be scored too.
  const rows = { filenames: chunks.map((c) => c.filename), from: chunks.map((c) => c.from), to: chunks.map((c) => c.to) };
  return {
    filenames: rows.filenames,
    chunkIndex: Int32Array.from(chunks.map((c) => c.index)),
    from: Float32Array.from(rows.from),
    to: Float32Array.from(rows.to),
    numClasses: options.numClasses,
    probs: coverageScores(rows, strong, options.numClasses),
  };
}
