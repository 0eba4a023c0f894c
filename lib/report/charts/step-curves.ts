import type { Chart } from "./types";
import { colorOf, round } from "./types";
import { lineChart } from "./basic";

/**
 * One learning curve over optimizer steps: a run's, or the mean of a group of runs (seeds) with the seeds' range, and
 * the points its run(s) selected by validation.
 */
export interface StepCurve {
  name: string;
  steps: number[];
  values: number[];
  /** Per step the lowest and highest value over a group's seeds: drawn as error bars around `values` (its mean). */
  range?: ReadonlyArray<[number, number]>;
  /** The step the run's selection rule chose: drawn as a star on this curve. */
  selectedStep?: number;
  /**
   * The points several runs (seeds) selected, each at that run's own value — off the mean curve, so they are drawn as
   * stars at their own height, the seed and value on hover.
   */
  selectedPoints?: ReadonlyArray<{ seed: number; step: number; value: number }>;
  /** Plotly dash ("dot", "dash") — e.g. a validation curve beside the eval curve it explains. */
  style?: string;
  color?: string;
}

export interface StepCurveOptions {
  title?: string;
  yTitle?: string;
  yRange?: [number, number];
  /** The chance level of the metric, drawn as a dashed horizontal line. */
  chance?: { value: number; label: string };
  /** A step budget (e.g. a profile's `studentSteps`), drawn as a dotted vertical line. */
  budget?: { steps: number; label: string };
}

/**
 * A metric over optimizer steps for several runs or groups of runs (a student's learning curve): lines, the seeds'
 * range as error bars, a star at each selected step, the chance level and a step budget. Curves of one run or group can
 * share a colour (`color`) and differ by `style`.
 */
export function stepCurveChart(curves: readonly StepCurve[], options: StepCurveOptions = {}): Chart {
  const colors = curves.map((c, i) => c.color ?? colorOf(i));
  const selected = curves.flatMap((c, i) => {
    const stars = { color: colors[i], marker: { symbol: "star", size: 16 } };
    const marks = [];
    if (c.selectedStep !== undefined) {
      const at = c.steps.indexOf(c.selectedStep);
      if (at < 0) throw new TypeError(`stepCurveChart: "${c.name}" has no point at its selected step ${c.selectedStep}`);
      marks.push({ name: `${c.name}: selected (step ${c.selectedStep})`, x: [c.selectedStep], y: [c.values[at]], mode: "markers+text" as const,
        text: [round(c.values[at], 3).toFixed(3)], ...stars });
    }
    if (c.selectedPoints && c.selectedPoints.length > 0) {
      const points = c.selectedPoints;
      marks.push({ name: `${c.name}: selected per seed`, x: points.map((p) => p.step), y: points.map((p) => p.value), mode: "markers" as const,
        text: points.map((p) => `seed ${p.seed}: step ${p.step}, ${round(p.value, 3).toFixed(3)}`), ...stars });
    }
    return marks;
  });
  const lines = curves.map((c, i) => {
    if (c.range && c.range.length !== c.values.length) throw new TypeError(`stepCurveChart: "${c.name}" has ${c.values.length} values and ${c.range.length} ranges`);
    return { name: c.name, x: c.steps.slice(), y: c.values.slice(), color: colors[i], style: c.style, ...(c.range ? { interval: c.range.map((r) => [r[0], r[1]] as [number, number]) } : {}) };
  });
  return lineChart([...lines, ...selected], {
    title: options.title,
    xTitle: "optimizer steps",
    yTitle: options.yTitle,
    yRange: options.yRange,
    referenceLines: options.chance ? [{ y: options.chance.value, label: options.chance.label }] : [],
    verticalLines: options.budget ? [{ x: options.budget.steps, label: options.budget.label }] : [],
  });
}

/** A metric over steps across the seeds of a group (structurally lib/analysis's SeedBand). */
interface Band {
  mean: number[];
  min: number[];
  max: number[];
}

/** What the group chart reads of a group of runs (structurally lib/analysis's StepCurveGroup). */
export interface SeedGroupCurves {
  student: string;
  widthMult: number;
  /** Named in the legend when given (groups of files measured at different rates in one chart). */
  learningRate?: number;
  /** Appended to the legend name when given (e.g. which corpus a file was measured on). */
  note?: string;
  seeds: number[];
  steps: number[];
  bands: { evalMAPTruth: Band; validationMAP: Band };
  /** Each seed's selected point, in seed order. */
  selected: ReadonlyArray<{ step: number; evalMAP: { truth: number } }>;
}

/**
 * Groups of runs (a student at a width over its seeds) over optimizer steps: per group the mean eval mAP (true labels)
 * with the seeds' lowest and highest as error bars, a star at each seed's selected point, and the mean validation mAP
 * dotted in the same colour; a group of one seed is that run's curve (no bars).
 */
export function seedGroupStepChart(groups: readonly SeedGroupCurves[], options: StepCurveOptions = {}): Chart {
  const curves = groups.flatMap((g, i): StepCurve[] => {
    const seeds = g.seeds.length === 1 ? `seed ${g.seeds[0]}` : `mean of ${g.seeds.length} seeds`;
    const name = `${g.student} w${g.widthMult}${g.learningRate === undefined ? "" : `, lr ${g.learningRate}`}${g.note ? `, ${g.note}` : ""}`;
    const band = g.bands.evalMAPTruth;
    return [
      {
        name: `${name} (eval, true labels; ${seeds})`, color: colorOf(i), steps: g.steps, values: band.mean,
        range: g.seeds.length > 1 ? band.min.map((low, k) => [low, band.max[k]] as [number, number]) : undefined,
        selectedPoints: g.selected.map((p, k) => ({ seed: g.seeds[k], step: p.step, value: p.evalMAP.truth })),
      },
      { name: `${name} (validation; ${seeds})`, color: colorOf(i), steps: g.steps, values: g.bands.validationMAP.mean, style: "dot" },
    ];
  });
  return stepCurveChart(curves, { yTitle: "mAP", ...options });
}
