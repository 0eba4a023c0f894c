/**
 * The same student trained on two kinds of targets and scored on the eval split against the true labels (issue 13:
 * why are targets missed?). Two committed measurements have this shape:
 * - scripts/weak-on-true-labels.ts: the weak student on its clips' noisy weak labels and on their TRUE labels (is the
 *   weak baseline held down by its label noise?);
 * - scripts/psl-oracle-teacher.ts: PSL-2s from the shipped teacher's 2-s table and from a PERFECT annotator, the same
 *   chunks with their chunk truth (hard) or their events' coverage (soft) as targets (is it the teacher's errors?); the
 *   file also holds PSL-5s and PSL-10s (lib/analysis/oracle-by-chunk-size.ts reads those), so this reader keeps PSL-2s.
 * Every kept checkpoint was selected on validation as always; the eval scores explain a missed target, and no setting
 * of the kit is chosen from them.
 */
import { UserError } from "../errors";
import { repoPath } from "../io/repo-root";
import { readJsonFile } from "../io/json-file";
import { isFiniteNumber, measurementRuns, requireFiniteNumbers, runsWith } from "./measurement-runs";
import { mean } from "../evaluation/mean";

/** Where the weak-student measurement is committed. */
export function weakOnTrueLabelsPath(): string {
  return repoPath("data-manifests", "demo", "curves", "weak-on-true-labels.json");
}

/** Where the perfect-annotator measurement is committed. */
export function pslOracleTeacherPath(): string {
  return repoPath("data-manifests", "demo", "curves", "psl-oracle-teacher.json");
}

/** One kind of targets (or one value of another run field, e.g. a training-set size) over its seeds. */
export interface TargetsCheckRow<Kind extends string | number = string> {
  /** The run field's value: "noisy" / "truth", or "shipped teacher" / "perfect (chunk truth)" / "perfect (event coverage)". */
  targets: Kind;
  seeds: number[];
  /** Eval mAP and mean AUC against the true labels, per seed (the order of `seeds`), and their means. */
  evalMAP: number[];
  evalMeanAUC: number[];
  meanEvalMAP: number;
  meanEvalAUC: number;
}

/**
 * The file's runs grouped by `field` (one of `kinds`, in their order), checked field by field; the file, run and field
 * named in any error. A kind without runs is left out.
 */
export function targetsCheckRows<Kind extends string | number>(
  file: unknown,
  where: string,
  field: string,
  kinds: readonly Kind[],
): TargetsCheckRow<Kind>[] {
  const checked = measurementRuns(file, where).map((entry) => {
    const { run, at } = entry;
    const kind = run[field] as Kind;
    if (!kinds.includes(kind)) throw new UserError(`${at}.${field} must be one of ${kinds.map((k) => JSON.stringify(k)).join(", ")}`);
    requireFiniteNumbers(entry, ["seed"]);
    const { mAP, meanAUC } = (run.evalTrueLabels ?? {}) as Record<string, unknown>;
    if (!isFiniteNumber(mAP) || !isFiniteNumber(meanAUC)) throw new UserError(`${at}.evalTrueLabels needs numeric mAP and meanAUC`);
    return { kind, seed: run.seed as number, mAP, meanAUC };
  });
  return kinds.flatMap((targets) => {
    const mine = checked.filter((r) => r.kind === targets).sort((a, b) => a.seed - b.seed);
    if (mine.length === 0) return [];
    const evalMAP = mine.map((r) => r.mAP);
    const evalMeanAUC = mine.map((r) => r.meanAUC);
    return [{ targets, seeds: mine.map((r) => r.seed), evalMAP, evalMeanAUC, meanEvalMAP: mean(evalMAP), meanEvalAUC: mean(evalMeanAUC) }];
  });
}

/** The weak student on noisy and on true labels (or `path`), read and grouped. */
export function committedWeakOnTrueLabels(path = weakOnTrueLabelsPath()): TargetsCheckRow[] {
  return targetsCheckRows(readJsonFile(path, "weak student on true labels"), path, "trainingLabels", ["noisy", "truth"]);
}

/** The annotators of the perfect-annotator file, in the order its tables list them (the shipped teacher first). */
export const PSL_ANNOTATORS = ["shipped teacher", "perfect (chunk truth)", "perfect (event coverage)"] as const;

/** PSL-2s from the shipped teacher and from the perfect annotators (or `path`), read and grouped. */
export function committedPslOracleTeacher(path = pslOracleTeacherPath()): TargetsCheckRow[] {
  const pslTwoSeconds = runsWith(readJsonFile(path, "PSL from a perfect annotator"), path, "student", "psl-2s");
  return targetsCheckRows(pslTwoSeconds, path, "annotator", PSL_ANNOTATORS);
}
