/**
 * Does PSL help most where labels are missing most? Splits classes by their missing-label rate and compares the mean
 * per-class AP of several students (weak vs PSL-…) on each group.
 */
import { UserError } from "../errors";
import { median } from "../evaluation/median";
import { ratio } from "./threshold-counter";
import { className, type ClassNames } from "./types";

export interface ClassRate {
  classIndex: number;
  /** Missing-label rate (e.g. `missingRate` from missingRateFromTruth, or `addedRate` from perClassMissingCounts). */
  rate: number;
}

export interface ModelPerClassAP {
  model: string;
  /** Per-class AP rows, as evaluateScores' `perClass` gives them (extra fields are ignored). */
  perClass: readonly { index: number; ap: number | null }[];
}

export interface ApGroupRow {
  model: string;
  group: "many" | "few";
  classes: number;
  meanAP: number;
}

export interface ApClassRow {
  model: string;
  classIndex: number;
  name: string;
  rate: number;
  group: "many" | "few";
  ap: number;
}

export interface ApByMissingRate {
  splitRate: number;
  /** ">": "many" is rate > splitRate; ">=": rate ≥ splitRate (used when ">" would leave "many" empty). */
  rule: ">" | ">=";
  /** Classes compared: finite rate and finite AP in EVERY model, so each group has the same classes for all models. */
  classes: number;
  groups: ApGroupRow[];
  perClass: ApClassRow[];
}

/**
 * Mean AP per model on classes with many (rate > split) vs few (rate ≤ split) missing labels.
 * `splitRate` defaults to the median rate of the compared classes. When no class lies strictly above the split (ties at
 * the top, e.g. rates 0, 0.5, 0.5), the rule becomes "many" = rate ≥ split so that neither group is empty by accident.
 */
export function apByMissingRate(
  rates: readonly ClassRate[],
  models: readonly ModelPerClassAP[],
  options: { splitRate?: number; classNames?: ClassNames } = {},
): ApByMissingRate {
  if (models.length === 0) throw new UserError("apByMissingRate: no models given");
  const apMaps = models.map((m) => {
    const map = new Map<number, number | null>();
    for (const row of m.perClass) map.set(row.index, row.ap);
    return map;
  });
  const compared = rates
    .filter((r) => Number.isFinite(r.rate) && apMaps.every((map) => Number.isFinite(map.get(r.classIndex) ?? NaN)))
    .sort((a, b) => a.classIndex - b.classIndex);
  const splitRate = options.splitRate ?? median(compared.map((r) => r.rate));
  const rule: ">" | ">=" = compared.some((r) => r.rate > splitRate) ? ">" : ">=";
  const groupOf = (rate: number): "many" | "few" => ((rule === ">" ? rate > splitRate : rate >= splitRate) ? "many" : "few");
  const perClass: ApClassRow[] = [];
  const groups: ApGroupRow[] = [];
  models.forEach((m, i) => {
    const sums = { many: 0, few: 0 };
    const counts = { many: 0, few: 0 };
    for (const r of compared) {
      const ap = apMaps[i].get(r.classIndex) as number; // finite: checked by the filter above
      const group = groupOf(r.rate);
      sums[group] += ap;
      counts[group]++;
      perClass.push({ model: m.model, classIndex: r.classIndex, name: className(options.classNames, r.classIndex), rate: r.rate, group, ap });
    }
    for (const group of ["many", "few"] as const) {
      groups.push({ model: m.model, group, classes: counts[group], meanAP: ratio(sums[group], counts[group]) });
    }
  });
  return { splitRate, rule, classes: compared.length, groups, perClass };
}
