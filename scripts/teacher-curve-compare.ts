/**
 * Two teacher runs' validation curves at equal steps (issue 13): the mean validation mAP and AUC of each over windows
 * of steps, and their difference, as Markdown. Made for the augmentation measurement (data-manifests/demo/README.md):
 * the shipped teacher's history.json against a run of the same recipe, seed and corpus with mixup and masks. Only the
 * steps both runs reached are compared; validation, never eval, is what it reads.
 *
 * Usage: npx tsx scripts/teacher-curve-compare.ts --base data-manifests/demo/teacher/history.json
 *          --other data-manifests/demo/curves/teacher-augmentation.json [--window 500] [--names shipped,augmented]
 * Either file is a run's history.json or a measurement file with the history under "history".
 */
import { UserError } from "../lib/errors";
import { readJsonFile } from "../lib/io/json-file";
import { selectedPoint } from "../lib/analysis/step-curves";
import { arg, runScript } from "./script-args";
import { mean } from "../lib/evaluation/mean";

interface Point {
  step: number;
  validationMAP: number;
  validationAUC: number;
}

/** A run's history.json (an array of validation points), or a measurement file holding one as `history`. */
function readCurve(path: string): Point[] {
  const file = readJsonFile(path, "training history") as unknown;
  const history = Array.isArray(file) ? file : (file as { history?: unknown } | null)?.history;
  if (!Array.isArray(history)) throw new UserError(`${path}: neither a history.json (an array of validation points) nor an object with a "history" array`);
  return history.map((point: Partial<Point>, i) => {
    for (const key of ["step", "validationMAP", "validationAUC"] as const) {
      if (typeof point[key] !== "number") throw new UserError(`${path}: point ${i} has no number "${key}"`);
    }
    return point as Point;
  });
}

runScript(async () => {
  const basePath = arg("base");
  const otherPath = arg("other");
  const window = Number(arg("window", "500"));
  if (!Number.isInteger(window) || window < 1) throw new UserError(`--window must be a positive integer, got "${arg("window")}"`);
  const [baseName, otherName] = arg("names", "base,other").split(",");
  const base = new Map(readCurve(basePath).map((p) => [p.step, p]));
  const both = readCurve(otherPath).filter((p) => base.has(p.step));
  if (both.length === 0) throw new UserError(`${basePath} and ${otherPath} share no validation step`);
  const f = (v: number) => v.toFixed(3);
  const signed = (v: number) => `${v >= 0 ? "+" : "−"}${Math.abs(v).toFixed(3)}`;
  console.log(`| steps | points | ${baseName} val mAP | ${otherName} val mAP | difference | ${baseName} val AUC | ${otherName} val AUC |`);
  console.log("|---|---|---|---|---|---|---|");
  const last = both.at(-1)!.step;
  for (let from = 0; from < last; from += window) {
    const points = both.filter((p) => p.step > from && p.step <= from + window);
    if (points.length === 0) continue;
    const baseMAP = mean(points.map((p) => base.get(p.step)!.validationMAP));
    const otherMAP = mean(points.map((p) => p.validationMAP));
    const baseAUC = mean(points.map((p) => base.get(p.step)!.validationAUC));
    const otherAUC = mean(points.map((p) => p.validationAUC));
    console.log(`| ${from + 1}–${Math.min(from + window, last)} | ${points.length} | ${f(baseMAP)} | ${f(otherMAP)} | ${signed(otherMAP - baseMAP)} | ${f(baseAUC)} | ${f(otherAUC)} |`);
  }
  const baseBest = selectedPoint(both.map((p) => base.get(p.step)!));
  const otherBest = selectedPoint(both);
  console.log(`\nup to step ${last}: best validation mAP ${baseName} ${f(baseBest.validationMAP)} (step ${baseBest.step}), ${otherName} ${f(otherBest.validationMAP)} (step ${otherBest.step})`);
});
