/**
 * The measured step curves (./step-curves.ts) grouped by student × width over their seeds: per step the mean and the
 * seeds' lowest and highest value (what notebook 04 draws), per group the eval mAP at the profile's budget, at the
 * selected step and at the last step (its table), the PSL-2s − weak comparison read off the curve points, and the
 * caption that says what all of it is.
 *
 * Everything here comes from the points in the file, i.e. from eval scores recorded at each validation point for the
 * curve only: selection is always the loop's rule on VALIDATION mAP. The checkpoint-based comparison with an interval
 * over seeds × eval clips is what `scripts/student-step-curves.ts --compare` writes into the file's `comparison`.
 */
import { UserError } from "../errors";
import { selectedPoint, selectedWithin, studentScores, widthKey, type LabelPair, type StepCurvePoint, type StepCurveRun, type StepCurvesFile, type StudentScores } from "./step-curves";
import { mean } from "../evaluation/mean";

/** The two students the series' headline compares: PSL-2s − weak. */
export const BASELINE_STUDENT = "weak";
export const COMPARED_STUDENT = "psl-2s";

/** A metric over steps across the seeds of a group: mean, lowest and highest per step. */
export interface SeedBand {
  mean: number[];
  min: number[];
  max: number[];
}

/** What a group averages, read from a point. */
export const STEP_CURVE_METRICS = {
  validationMAP: (p: StepCurvePoint) => p.validationMAP,
  evalMAPTruth: (p: StepCurvePoint) => p.evalMAP.truth,
  evalMAPNoisy: (p: StepCurvePoint) => p.evalMAP.noisy,
  evalAUCTruth: (p: StepCurvePoint) => p.evalMeanAUC.truth,
  evalAUCNoisy: (p: StepCurvePoint) => p.evalMeanAUC.noisy,
} as const;
export type StepCurveMetric = keyof typeof STEP_CURVE_METRICS;

/** The runs of one student at one width (one per seed), on one step grid (the reader checked it). */
export interface StepCurveGroup {
  /** "weak/w0.25". */
  key: string;
  student: string;
  widthMult: number;
  /** Adam's learning rate of the file's runs (its recipe). */
  learningRate: number;
  label: string;
  /** Ascending; `runs[i]` is seed `seeds[i]`. */
  seeds: number[];
  runs: StepCurveRun[];
  stepBudgets: number[];
  steps: number[];
  bands: Record<StepCurveMetric, SeedBand>;
  /** The point each seed's loop selected (best validation mAP over the whole run), in seed order. */
  selected: StepCurvePoint[];
}

function band(runs: readonly StepCurveRun[], value: (p: StepCurvePoint) => number): SeedBand {
  const steps = runs[0].points.length;
  const out: SeedBand = { mean: [], min: [], max: [] };
  for (let i = 0; i < steps; i++) {
    const values = runs.map((r) => value(r.points[i]));
    out.mean.push(mean(values));
    out.min.push(Math.min(...values));
    out.max.push(Math.max(...values));
  }
  return out;
}

/** The file's runs grouped by student × width, in the order the groups first appear; runs within by seed. */
export function stepCurveGroups(file: StepCurvesFile): StepCurveGroup[] {
  const byKey = new Map<string, StepCurveRun[]>();
  for (const run of Object.values(file.students)) {
    const key = `${run.student}/${widthKey(run.widthMult)}`;
    byKey.set(key, [...(byKey.get(key) ?? []), run]);
  }
  return [...byKey].map(([key, unsorted]) => {
    const runs = [...unsorted].sort((a, b) => a.seed - b.seed);
    const steps = runs[0].points.map((p) => p.step);
    // The reader refuses such files; a hand-built one must not average points of different steps silently.
    for (const r of runs) if (r.points.map((p) => p.step).join(",") !== steps.join(",")) throw new UserError(`step curves ${key}: seed ${r.seed} is on another step grid than seed ${runs[0].seed}`);
    const bands = Object.fromEntries(Object.entries(STEP_CURVE_METRICS).map(([name, value]) => [name, band(runs, value)])) as Record<StepCurveMetric, SeedBand>;
    return {
      key,
      student: runs[0].student,
      widthMult: runs[0].widthMult,
      learningRate: file.recipe.learningRate,
      label: runs[0].label,
      seeds: runs.map((r) => r.seed),
      runs,
      stepBudgets: [...new Set(runs.map((r) => r.stepBudget))],
      steps,
      bands,
      selected: runs.map((r) => selectedPoint(r.points)),
    };
  });
}

/** A value over the seeds of a group: the mean, each seed's value and the step it was read at (seed order). */
export interface SeedSummary {
  mean: number;
  perSeed: number[];
  steps: number[];
}

function summary(points: readonly StepCurvePoint[], value: (p: StepCurvePoint) => number): SeedSummary {
  return { mean: mean(points.map(value)), perSeed: points.map(value), steps: points.map((p) => p.step) };
}

/** One row of notebook 04's table: a group's eval mAP (true labels) at the budget, at the selected step, at its end. */
export interface StepCurveGroupRow {
  student: string;
  label: string;
  widthMult: number;
  seeds: number[];
  budget: number;
  /** What a run with `budget` steps selects on each seed's curve (null: a seed's curve does not reach the budget). */
  atBudget: SeedSummary | null;
  atSelected: SeedSummary;
  atLast: SeedSummary;
  /** Mean eval AUC (true labels) at the last step. */
  aucAtLast: SeedSummary;
}

/** The table beside the chart: per group, eval mAP (true labels) at `budget` (default: the file's profile budget), selected, last. */
export function stepCurveGroupRows(file: StepCurvesFile, budget = file.recipe.defaultProfileSteps): StepCurveGroupRow[] {
  return stepCurveGroups(file).map((g) => {
    const within = g.runs.map((r) => selectedAtBudget(r, budget));
    const last = g.runs.map((r) => r.points[r.points.length - 1]);
    return {
      student: g.student,
      label: g.label,
      widthMult: g.widthMult,
      seeds: g.seeds,
      budget,
      atBudget: within.every((p) => p !== null) ? summary(within as StepCurvePoint[], STEP_CURVE_METRICS.evalMAPTruth) : null,
      atSelected: summary(g.selected, STEP_CURVE_METRICS.evalMAPTruth),
      atLast: summary(last, STEP_CURVE_METRICS.evalMAPTruth),
      aucAtLast: summary(last, STEP_CURVE_METRICS.evalAUCTruth),
    };
  });
}

/** "0.172 (0.150, 0.172, 0.194)": a mean with each seed's value, or the one value of a single seed. */
export function formatSeedSummary(s: SeedSummary | null, digits = 3): string {
  if (s === null) return "–";
  const meanText = s.mean.toFixed(digits);
  return s.perSeed.length === 1 ? meanText : `${meanText} (${s.perSeed.map((v) => v.toFixed(digits)).join(", ")})`;
}

/** The runs of PSL-2s and weak at one width on the seeds both were run on (seed order), and the runs left out. */
export interface PairedRuns {
  widthMult: number;
  seeds: number[];
  baseline: StepCurveRun[];
  compared: StepCurveRun[];
  /** Keys of runs whose seed the other student lacks: not in the paired comparison. */
  leftOut: string[];
}

/** Per width with both weak and PSL-2s runs on at least one common seed: those runs, paired by seed. */
export function pairedRuns(file: StepCurvesFile): PairedRuns[] {
  const widths = [...new Set(Object.values(file.students).map((r) => r.widthMult))].sort((a, b) => a - b);
  const out: PairedRuns[] = [];
  for (const widthMult of widths) {
    const entries = Object.entries(file.students).filter(([, r]) => r.widthMult === widthMult);
    const of = (student: string) => new Map(entries.filter(([, r]) => r.student === student).map(([key, r]) => [r.seed, { key, r }]));
    const baseline = of(BASELINE_STUDENT);
    const compared = of(COMPARED_STUDENT);
    const seeds = [...baseline.keys()].filter((s) => compared.has(s)).sort((a, b) => a - b);
    if (seeds.length === 0) continue;
    const leftOut = [...baseline.values(), ...compared.values()].filter(({ r }) => !seeds.includes(r.seed)).map(({ key }) => key);
    out.push({ widthMult, seeds, baseline: seeds.map((s) => baseline.get(s)!.r), compared: seeds.map((s) => compared.get(s)!.r), leftOut });
  }
  return out;
}

/** Which point of each run a comparison reads: what a run of `budget` steps selects, the selected one, or the last. */
export type CurvePointChoice = { at: "budget"; budget: number } | { at: "selected" } | { at: "last" };

/** PSL-2s − weak read off the curve points (no checkpoint, so no clip bootstrap): means and each seed's difference. */
export interface PointComparison {
  widthMult: number;
  seeds: number[];
  choice: CurvePointChoice;
  students: Record<string, StudentScores>;
  pslMinusWeak: Record<keyof LabelPair, { mAP: number; perSeed: number[] }>;
}

/** The last step a run's curve reaches (below its stepBudget while the run is still being measured). */
export function lastStep(run: StepCurveRun): number {
  return run.points[run.points.length - 1].step;
}

/**
 * What a run of `budget` steps selects on this curve: null until the curve reaches the budget (a run cut short, or
 * still being measured, has not seen the points a run of that budget would have seen).
 */
export function selectedAtBudget(run: StepCurveRun, budget: number): StepCurvePoint | null {
  return lastStep(run) >= budget ? selectedWithin(run.points, budget) : null;
}

function pick(run: StepCurveRun, choice: CurvePointChoice): StepCurvePoint | null {
  if (choice.at === "budget") return selectedAtBudget(run, choice.budget);
  return choice.at === "selected" ? selectedPoint(run.points) : run.points[run.points.length - 1];
}

/** The chosen points of paired runs (seed order) as a student's scores over those seeds. */
function pointScores(runs: readonly StepCurveRun[], points: readonly StepCurvePoint[]): StudentScores {
  return studentScores(points.map((p, i) => ({ seed: runs[i].seed, step: p.step, evalMAP: p.evalMAP, evalMeanAUC: p.evalMeanAUC })));
}

/**
 * PSL-2s − weak at one width from the points: per seed the difference of the chosen points' eval mAP, and its mean over
 * the paired seeds. Null when a run has no point for the choice (a curve that does not reach the budget; selected or
 * last points of a pair whose curves end at different steps).
 */
export function pointComparison(paired: PairedRuns, choice: CurvePointChoice): PointComparison | null {
  // Selected and last points compare equal budgets only: a pair whose curves end at different steps (one still being
  // measured) would credit the longer run with its extra steps.
  if (choice.at !== "budget" && paired.baseline.some((r, i) => lastStep(r) !== lastStep(paired.compared[i]))) return null;
  const a = paired.baseline.map((r) => pick(r, choice));
  const b = paired.compared.map((r) => pick(r, choice));
  if (a.some((p) => p === null) || b.some((p) => p === null)) return null;
  const weak = a as StepCurvePoint[];
  const psl = b as StepCurvePoint[];
  const diff = (labels: keyof LabelPair) => {
    const perSeed = psl.map((p, i) => p.evalMAP[labels] - weak[i].evalMAP[labels]);
    return { mAP: mean(perSeed), perSeed };
  };
  return {
    widthMult: paired.widthMult,
    seeds: paired.seeds,
    choice,
    students: { [BASELINE_STUDENT]: pointScores(paired.baseline, weak), [COMPARED_STUDENT]: pointScores(paired.compared, psl) },
    pslMinusWeak: { truth: diff("truth"), noisy: diff("noisy") },
  };
}

/**
 * What a run of the profile's `budget` steps would see, from the points: only where the paired runs went past the
 * budget (a run that ends at the budget is already the budget's run: its selected and last rows say it).
 */
export function budgetComparison(paired: PairedRuns, budget: number): PointComparison | null {
  const longest = Math.max(...[...paired.baseline, ...paired.compared].map((r) => r.stepBudget));
  return longest > budget ? pointComparison(paired, { at: "budget", budget }) : null;
}

/** A student's mean eval mAP over the compared seeds with each seed's value (seed order), for a table cell. */
export function studentMAP(scores: StudentScores, labels: keyof LabelPair): SeedSummary {
  return { mean: scores.evalMAP[labels], perSeed: scores.perSeed.map((s) => s.evalMAP[labels]), steps: scores.perSeed.map((s) => s.step) };
}

/** One row of the PSL-2s − weak table at one width: one point of the runs (budget, selected, last) and where it was scored. */
export interface StepCurveComparisonRow {
  widthMult: number;
  seeds: number[];
  point: "budget" | "selected" | "last";
  /** The step budget of a "budget" row. */
  budget?: number;
  /**
   * "checkpoints": the file's `--compare` block scored the runs' best/last checkpoints, with an interval over seeds ×
   * eval clips; "curve points": read off the points (eval recorded at each validation point), no interval.
   */
  source: "checkpoints" | "curve points";
  weak: StudentScores;
  psl: StudentScores;
  pslMinusWeak: LabelPair;
  /** PSL-2s − weak per seed (true labels), in seed order. */
  perSeed: number[];
  ci95: Record<keyof LabelPair, [number, number]> | null;
}

/**
 * The paired comparison beside the curves, per width with both students on common seeds: at the profile's `budget`
 * (only where the runs went past it; from the points, as no checkpoint of that step is kept), at the selected step and
 * at the last step (from the file's `--compare` block when it holds these seeds, else from the points).
 */
export function stepCurveComparisonRows(file: StepCurvesFile, budget = file.recipe.defaultProfileSteps): StepCurveComparisonRow[] {
  const rows: StepCurveComparisonRow[] = [];
  const perSeedDelta = (weak: StudentScores, psl: StudentScores) => psl.perSeed.map((s, i) => s.evalMAP.truth - weak.perSeed[i].evalMAP.truth);
  const pointRow = (c: PointComparison | null): StepCurveComparisonRow | null => {
    if (!c) return null;
    const choice = c.choice;
    const weak = c.students[BASELINE_STUDENT];
    const psl = c.students[COMPARED_STUDENT];
    return {
      widthMult: c.widthMult, seeds: c.seeds, point: choice.at, ...(choice.at === "budget" ? { budget: choice.budget } : {}), source: "curve points",
      weak, psl, pslMinusWeak: { truth: c.pslMinusWeak.truth.mAP, noisy: c.pslMinusWeak.noisy.mAP }, perSeed: c.pslMinusWeak.truth.perSeed, ci95: null,
    };
  };
  for (const p of pairedRuns(file)) {
    const atBudget = pointRow(budgetComparison(p, budget));
    if (atBudget) rows.push(atBudget);
    const checked = file.comparison?.widths[widthKey(p.widthMult)];
    // A --compare block of other seeds (runs added since) would pair the wrong runs: then the points speak.
    const current = checked !== undefined && checked.seeds.join(",") === p.seeds.join(",");
    for (const which of ["selected", "last"] as const) {
      const block = current ? checked[which === "selected" ? "best" : "last"] : undefined;
      const weak = block?.students[BASELINE_STUDENT];
      const psl = block?.students[COMPARED_STUDENT];
      if (block && weak && psl) {
        rows.push({
          widthMult: p.widthMult, seeds: p.seeds, point: which, source: "checkpoints", weak, psl,
          pslMinusWeak: { truth: block.pslMinusWeak.truth.mAP, noisy: block.pslMinusWeak.noisy.mAP },
          perSeed: perSeedDelta(weak, psl),
          ci95: { truth: block.pslMinusWeak.truth.ci95, noisy: block.pslMinusWeak.noisy.ci95 },
        });
      } else {
        const fromPoints = pointRow(pointComparison(p, { at: which }));
        if (fromPoints) rows.push(fromPoints);
      }
    }
  }
  return rows;
}

/** Notebook 04's table of groups: per student × width, eval mAP (true labels) at the budget, selected and last step. */
export function stepCurveGroupTable(file: StepCurvesFile, budget = file.recipe.defaultProfileSteps): Array<Record<string, string | number>> {
  return stepCurveGroupRows(file, budget).map((r) => ({
    student: r.student,
    width: r.widthMult,
    seeds: r.seeds.join(", "),
    [`eval mAP, run of ${budget} steps`]: formatSeedSummary(r.atBudget),
    "eval mAP, selected step": formatSeedSummary(r.atSelected),
    "eval mAP, last step": formatSeedSummary(r.atLast),
    "mean AUC, last step": formatSeedSummary(r.aucAtLast),
  }));
}

const signed = (v: number) => `${v >= 0 ? "+" : ""}${v.toFixed(3)}`;

/** Notebook 04's PSL-2s − weak table: one row per width and point (budget, selected, last), with where it was scored. */
export function stepCurveComparisonTable(file: StepCurvesFile, budget = file.recipe.defaultProfileSteps): Array<Record<string, string | number>> {
  // The curve's validation grid may differ from the profile's (a run of `budget` steps may validate at other steps):
  // the budget row is the curve's view, so it names the grid it was read on.
  const pointName = {
    budget: `what a ${budget}-step run selects (validated every ${file.recipe.validateEverySteps} steps)`,
    selected: "selected (best validation)",
    last: "last step",
  };
  return stepCurveComparisonRows(file, budget).map((r) => ({
    width: r.widthMult,
    seeds: r.seeds.join(", "),
    checkpoint: pointName[r.point],
    "scored from": r.source,
    "weak eval mAP": formatSeedSummary(studentMAP(r.weak, "truth")),
    "psl-2s eval mAP": formatSeedSummary(studentMAP(r.psl, "truth")),
    "ΔmAP (truth)": signed(r.pslMinusWeak.truth) + (r.perSeed.length > 1 ? ` (${r.perSeed.map(signed).join(", ")})` : ""),
    "95% CI (truth)": r.ci95 ? r.ci95.truth.map(signed).join(" to ") : "none (curve points)",
    "ΔmAP (noisy)": signed(r.pslMinusWeak.noisy),
    "95% CI (noisy)": r.ci95 ? r.ci95.noisy.map(signed).join(" to ") : "none (curve points)",
  }));
}

/**
 * What the curves are, in one paragraph for a chart's caption: runs per group (seeds), widths, budgets, recipe, corpus,
 * teacher, selection, and that eval was scored for the curve only. `currentTeacherMAP` (the shipped teacher's eval mAP
 * today): when it differs from the one the file recorded, the caption says the curves were measured with an earlier one.
 */
export function stepCurvesCaption(file: StepCurvesFile, options: { currentTeacherMAP?: number | null; currentCorpusKey?: string | null } = {}): string {
  const groups = stepCurveGroups(file);
  const runs = groups
    .map((g) => `${g.student} at width ${g.widthMult}: ${g.seeds.length === 1 ? `ONE seed (${g.seeds[0]}; no seed range)` : `${g.seeds.length} seeds (${g.seeds.join(", ")})`}`)
    .join("; ");
  const budgets = [...new Set(groups.flatMap((g) => g.stepBudgets))].sort((a, b) => a - b).join("/");
  const unfinished = Object.values(file.students).filter((r) => lastStep(r) < r.stepBudget)
    .map((r) => `${r.student} at width ${r.widthMult} seed ${r.seed} at step ${lastStep(r)} of ${r.stepBudget}`);
  const severalSeeds = groups.some((g) => g.seeds.length > 1);
  const r = file.recipe;
  const c = file.corpus;
  const teacherMAP = file.teacher.eval.truthMAP;
  const current = options.currentTeacherMAP;
  const changed = current !== undefined && current !== null && teacherMAP !== null && Math.abs(current - teacherMAP) > 5e-4
    ? ` The shipped teacher has changed since (eval mAP now ${current.toFixed(3)}): these curves are of the earlier one; re-measure with scripts/student-step-curves.ts.`
    : "";
  // The corpus is named by its key in every caption; a reader comparing with this run's numbers needs to be told when
  // the key is not the current demo corpus' (its recordings and mixtures differ, so the curves are another measurement).
  const corpusNow = options.currentCorpusKey;
  const otherCorpus = corpusNow && c.key && corpusNow !== c.key
    ? ` Measured on another demo corpus than today's default one (${corpusNow}): these curves are of that earlier corpus and its teacher.`
    : "";
  return (
    `Runs: ${runs}; budgets ${budgets} steps. ` +
    (unfinished.length ? `NOT FINISHED (still being measured, or cut short): ${unfinished.join("; ")}. ` : "") +
    (severalSeeds ? "Lines: the mean over a group's seeds; bars: the lowest and highest seed. " : "") +
    `Batch ${r.batchSize}, learning rate ${r.learningRate}, validation every ${r.validateEverySteps} steps ` +
    `(default profile when measured: width ${r.defaultWidthMult}, ${r.defaultProfileSteps} steps); demo corpus "${c.profile}" ` +
    `(${c.key ?? "key not recorded"}: ${c.trainClips} training, ${c.validationClips} validation, ${c.evalClips} eval clips); ` +
    `teacher ${file.teacher.checkpoint} (eval mAP ${teacherMAP === null ? "not recorded" : teacherMAP.toFixed(3)}, true labels). ` +
    "Stars: the checkpoint each run's loop selects (best validation mAP, validation recordings). Eval mAP (true labels) was " +
    `scored at every validation point for the curve only, never for selection or tuning. Chance ${file.chanceMAP.truth.toFixed(3)}.` +
    changed +
    otherCorpus
  );
}
