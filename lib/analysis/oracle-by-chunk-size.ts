/**
 * The PSL students of the three chunk sizes (10, 5, 2 s) from the shipped teacher and from a PERFECT annotator (each
 * chunk's truth as its targets), scored on eval against the true labels (issue 13's chunk-ordering target, PSL-2s >=
 * PSL-5s >= PSL-10s, is missed: would shorter chunks help if the labels were perfect?). Committed by
 * scripts/psl-oracle-teacher.ts `--student`; kept checkpoints selected on validation as always. The eval scores explain
 * a missed target; nothing is chosen from them.
 */
import { readJsonFile } from "../io/json-file";
import { measurementRuns, recipeSteps, requirePositiveNumbers, runsWith } from "./measurement-runs";
import { pslOracleTeacherPath, targetsCheckRows, type TargetsCheckRow } from "./training-targets-check";

/**
 * One annotator's students at one learning rate over chunk sizes: each point's `targets` is the chunk length in
 * seconds, longest first. Along a curve only the chunk size moves (the students' default rates differ: PSL-5s trains at
 * 8e-3, the others at 4e-3, so the file holds PSL-5s at both).
 */
export interface ChunkSizeCurve {
  annotator: string;
  learningRate: number;
  points: TargetsCheckRow<number>[];
}

/**
 * The file's runs as one curve per annotator in `annotators` × learning rate (lowest rate first; combinations without
 * runs left out), points grouped by the runs' `chunkSeconds`, longest first (the paper's order: PSL-10s, PSL-5s,
 * PSL-2s); the file, run and field named in any error.
 */
export function chunkSizeCurves(file: unknown, where: string, annotators: readonly string[]): ChunkSizeCurve[] {
  const runs = measurementRuns(file, where);
  for (const entry of runs) requirePositiveNumbers(entry, ["chunkSeconds", "learningRate"]);
  const distinct = (field: string) => [...new Set(runs.map(({ run }) => run[field] as number))];
  const sizes = distinct("chunkSeconds").sort((a, b) => b - a);
  const rates = distinct("learningRate").sort((a, b) => a - b);
  return annotators.flatMap((annotator) => rates.map((learningRate) => {
    const mine = runsWith(runsWith(file, where, "annotator", annotator), where, "learningRate", learningRate);
    return { annotator, learningRate, points: targetsCheckRows(mine, where, "chunkSeconds", sizes) };
  })).filter((curve) => curve.points.length > 0);
}

/** The committed measurement: the budget of steps every student had, and the teacher's and the perfect annotator's curves. */
export interface OracleByChunkSize {
  path: string;
  steps: number;
  curves: ChunkSizeCurve[];
}

/** The committed measurement (or `path`), read and grouped: the shipped teacher's and the perfect annotator's (chunk truth). */
export function committedOracleByChunkSize(path = pslOracleTeacherPath()): OracleByChunkSize {
  const file = readJsonFile(path, "PSL from a perfect annotator");
  return { path, steps: recipeSteps(file, path), curves: chunkSizeCurves(file, path, ["shipped teacher", "perfect (chunk truth)"]) };
}
