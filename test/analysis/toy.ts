/**
 * Hand-made toy corpus shared by the analysis tests: 3 clips of 6 s, 2-s chunks, 3 classes. Scores are multiples of
 * 1/8 (exact in float32), so "≥ threshold" has no rounding surprises and every expected count can be checked by hand.
 *
 *   clip  weak  truth   teacher (per chunk 0,1,2)
 *   A     {0}   {0,1}   c0 .875 .75 .125 | c1 .125 .125 .75 | c2 0 0 .125      → recovers dropped c1 in chunk 2 only
 *   B     {2}   {2}     c0 .125 .625 .125 | c1 .125 .25 0  | c2 .25 .25 .125   → adds wrong c0; never confirms weak c2
 *   C     {1}   {1,2}   c0 0 0 0         | c1 .875 .875 .875 | c2 .125 .375 .125 → dropped c2 only reaches .375
 */
import type { ChunkScores, LabelledClip, StrongEvent } from "../../lib/analysis";

/** Builds a ChunkScores table from per-clip [chunk][class] score matrices with equal-length chunks. */
export function chunkTable(clips: Record<string, number[][]>, chunkSeconds: number): ChunkScores {
  const filenames: string[] = [];
  const chunkIndex: number[] = [];
  const from: number[] = [];
  const to: number[] = [];
  const probs: number[] = [];
  let numClasses = 0;
  for (const [name, matrix] of Object.entries(clips)) {
    matrix.forEach((scores, k) => {
      filenames.push(name);
      chunkIndex.push(k);
      from.push(k * chunkSeconds);
      to.push((k + 1) * chunkSeconds);
      probs.push(...scores);
      numClasses = scores.length;
    });
  }
  return {
    filenames,
    chunkIndex: Int32Array.from(chunkIndex),
    from: Float32Array.from(from),
    to: Float32Array.from(to),
    numClasses,
    probs: Float32Array.from(probs),
  };
}

/** [chunk][class] from [class][chunk], which reads better in the table above. */
function byChunk(perClass: number[][]): number[][] {
  return perClass[0].map((_, k) => perClass.map((row) => row[k]));
}

export const TOY_SCORES: Record<string, number[][]> = {
  A: byChunk([
    [0.875, 0.75, 0.125],
    [0.125, 0.125, 0.75],
    [0, 0, 0.125],
  ]),
  B: byChunk([
    [0.125, 0.625, 0.125],
    [0.125, 0.25, 0],
    [0.25, 0.25, 0.125],
  ]),
  C: byChunk([
    [0, 0, 0],
    [0.875, 0.875, 0.875],
    [0.125, 0.375, 0.125],
  ]),
};

export const toyChunks = (): ChunkScores => chunkTable(TOY_SCORES, 2);

export const TOY_WEAK: LabelledClip[] = [
  { filename: "A", labels: [0] },
  { filename: "B", labels: [2] },
  { filename: "C", labels: [1] },
];

export const TOY_TRUTH: LabelledClip[] = [
  { filename: "A", labels: [0, 1] },
  { filename: "B", labels: [2] },
  { filename: "C", labels: [1, 2] },
];

/**
 * Events: A c0 0–4 s (chunks 0, 1; touches chunk 2 at 4 s, which must not count), A c1 4.5–5.5 (chunk 2);
 * B c2 0–6 (all); C c1 0–6 (all), C c2 2.5–3 (chunk 1).
 */
export const TOY_STRONG: StrongEvent[] = [
  { filename: "A", onset: 0, offset: 4, label: 0 },
  { filename: "A", onset: 4.5, offset: 5.5, label: 1 },
  { filename: "B", onset: 0, offset: 6, label: 2 },
  { filename: "C", onset: 0, offset: 6, label: 1 },
  { filename: "C", onset: 2.5, offset: 3, label: 2 },
];

export const TOY_NAMES = ["Speech", "Dog", "Rain"];

/** Deterministic PRNG for randomized property tests: the kit's own mulberry32. */
export { mulberry32 } from "../../lib/data/random";
