/**
 * Plain, columnar input types for the analyses. They are deliberately library-free so that a notebook can build
 * them from any source (the PSL Arrow table, a manifest, a hand-made toy) and so that the analyses stay pure.
 */

/**
 * Teacher scores per chunk: one row per (clip, chunk), as in the PSL annotation table.
 * `probs` is row-major [rows, numClasses]. Rows of one clip need not be contiguous or sorted.
 */
export interface ChunkScores {
  filenames: readonly string[];
  chunkIndex: Int32Array;
  /** Chunk start in seconds. */
  from: Float32Array;
  /** Chunk end in seconds (exclusive). */
  to: Float32Array;
  numClasses: number;
  probs: Float32Array;
}

/** One PSL table of a chunk-size sweep (10 / 5 / 2 s …). */
export interface ChunkSizeTable {
  chunkSeconds: number;
  chunks: ChunkScores;
}

/** A clip and its label indices (weak labels from a weak manifest, or true labels from a truth manifest). */
export interface LabelledClip {
  filename: string;
  labels: readonly number[];
}

/** One strongly labelled event: the class `label` sounds in [onset, offset) seconds of `filename`. */
export interface StrongEvent {
  filename: string;
  onset: number;
  offset: number;
  label: number;
}

/** Display names indexed by class index; missing entries fall back to `#<index>`. */
export type ClassNames = readonly string[] | undefined;

export function className(names: ClassNames, index: number): string {
  return names?.[index] ?? `#${index}`;
}
