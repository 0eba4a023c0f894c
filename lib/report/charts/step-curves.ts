import type { Chart } from "./types";
import { colorOf, round } from "./types";
import { lineChart } from "./basic";

/** One learning curve over optimizer steps, with the step its run selected (by validation) when there is one. */
export interface StepCurve {
  name: string;
  steps: number[];
  values: number[];
  /** The step the run's selection rule chose: drawn as a star on this curve. */
  selectedStep?: number;
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
 * A metric over optimizer steps for several runs (a student's learning curve): lines, a star at each run's selected
 * step, the chance level and a step budget. Curves of one run can share a colour (`color`) and differ by `style`.
 */
export function stepCurveChart(curves: readonly StepCurve[], options: StepCurveOptions = {}): Chart {
  const colors = curves.map((c, i) => c.color ?? colorOf(i));
  const selected = curves.flatMap((c, i) => {
    if (c.selectedStep === undefined) return [];
    const at = c.steps.indexOf(c.selectedStep);
    if (at < 0) throw new TypeError(`stepCurveChart: "${c.name}" has no point at its selected step ${c.selectedStep}`);
    return [{ name: `${c.name}: selected (step ${c.selectedStep})`, x: [c.selectedStep], y: [c.values[at]], color: colors[i], mode: "markers+text" as const,
      marker: { symbol: "star", size: 16 }, text: [round(c.values[at], 3).toFixed(3)] }];
  });
  return lineChart(
    [...curves.map((c, i) => ({ name: c.name, x: c.steps.slice(), y: c.values.slice(), color: colors[i], style: c.style })), ...selected],
    {
      title: options.title,
      xTitle: "optimizer steps",
      yTitle: options.yTitle,
      yRange: options.yRange,
      referenceLines: options.chance ? [{ y: options.chance.value, label: options.chance.label }] : [],
      verticalLines: options.budget ? [{ x: options.budget.steps, label: options.budget.label }] : [],
    },
  );
}
