/**
 * How wrong is "every chunk inherits its clip's weak labels" (what a student sees without PSL)? With strong labels the
 * kit can count it: an inherited label is right for a chunk when an event of the class overlaps the chunk. As chunks
 * shrink, more inherited labels land on chunks where the sound is absent — the label noise PSL replaces with the
 * teacher's chunk-wise view. Needs no teacher, only the chunking and the strong labels.
 */
import { chunkManifest } from "../data/chunks";
import { UserError } from "../errors";
import { ratio } from "./threshold-counter";
import type { StrongEvent } from "./types";

export interface InheritedLabelQuality {
  chunkSeconds: number;
  chunks: number;
  /** Σ over chunks of the clip's weak labels. */
  inheritedLabels: number;
  /** Inherited labels with an event of the class overlapping the chunk. */
  correct: number;
  precision: number;
  /** (chunk, class) pairs with an overlapping event. */
  truePairs: number;
  /** correct / truePairs: the chunk truth the inherited labels cover (missing weak labels lower it). */
  recall: number;
  /** Share of chunks carrying at least one inherited label that is wrong for the chunk. */
  chunksWithWrongLabel: number;
}

/**
 * Inherited-label precision/recall for each chunk size (reference chunking: from = 0, hop, …; hop = chunk).
 * `clips` are manifest rows with WEAK labels; events of clips not in `clips` are ignored.
 */
export function inheritedLabelQuality(
  clips: readonly { filename: string; labels: number[]; duration: number }[],
  strong: Iterable<StrongEvent>,
  chunkSizes: readonly number[],
  options: { minOverlapSeconds?: number } = {},
): InheritedLabelQuality[] {
  const minOverlap = options.minOverlapSeconds ?? 0;
  const events = new Map<string, StrongEvent[]>();
  for (const e of strong) {
    if (!(e.offset > e.onset)) throw new UserError(`strong labels: event of ${e.filename} has onset ${e.onset}, offset ${e.offset}`);
    const list = events.get(e.filename);
    if (list) list.push(e);
    else events.set(e.filename, [e]);
  }
  return chunkSizes.map((chunkSeconds) => {
    let inheritedLabels = 0;
    let correct = 0;
    let truePairs = 0;
    let withWrong = 0;
    const chunks = chunkManifest(clips, chunkSeconds);
    for (const chunk of chunks) {
      const present = new Set<number>();
      for (const e of events.get(chunk.filename) ?? []) {
        if (Math.min(chunk.to, e.offset) - Math.max(chunk.from, e.onset) > minOverlap) present.add(e.label);
      }
      truePairs += present.size;
      let wrong = false;
      for (const label of new Set(chunk.labels)) {
        inheritedLabels++;
        if (present.has(label)) correct++;
        else wrong = true;
      }
      if (wrong) withWrong++;
    }
    return {
      chunkSeconds,
      chunks: chunks.length,
      inheritedLabels,
      correct,
      precision: ratio(correct, inheritedLabels),
      truePairs,
      recall: ratio(correct, truePairs),
      chunksWithWrongLabel: ratio(withWrong, chunks.length),
    };
  });
}
