/**
 * `psl metrics --targets t.npy --scores s.npy [--json]`: the paper's evaluation metrics for any score matrix
 * (rows = clips, columns = classes), e.g. one exported from another toolkit.
 */
import { parseCommandArgs } from "../args";
import type { Command } from "../command";
import { UserError } from "../../errors";
import { readNpy } from "../../io/npy";
import { refuseOutputsOverInputs, type NamedPath } from "../../io/same-file";
import { evaluateScores, metricsSummary, writeMetricsJson, writePerClassCsv } from "../../evaluation";

const usage = `usage: psl metrics --targets <targets.npy> --scores <scores.npy> [--json] [--out <metrics.json>] [--per-class <per_class.csv>]

Evaluates a score matrix against binary targets, both [clips, classes] .npy arrays (any numeric dtype; targets 0/1).
Prints mAP, mean ROC-AUC, d′ = √2·Φ⁻¹(mean AUC), Recall@0.2 and the class counts (sklearn definitions: AP over classes
with ≥ 1 positive, AUC over classes with ≥ 1 positive and ≥ 1 negative).
  --json        print exactly one JSON object on stdout (fractions in [0, 1]; d′ null when infinite)
  --out         also write the JSON summary with per-class AP/AUC to this file
  --per-class   also write the per-class CSV (index,name,ap,auc,positives) to this file`;

function matrix(path: string, what: string): { data: ArrayLike<number>; rows: number; cols: number } {
  const array = readNpy(path);
  if (array.shape.length !== 2) throw new UserError(`${path}: ${what} must be a 2-D [clips, classes] array, got shape (${array.shape.join(", ")})`);
  return { data: array.data, rows: array.shape[0], cols: array.shape[1] };
}

export const metricsCommand: Command = {
  name: "metrics",
  summary: "mAP / mean AUC / d′ / Recall@0.2 of a score matrix (.npy) against targets (.npy)",
  usage,
  async run(args) {
    const { values } = parseCommandArgs({
      args,
      options: { targets: { type: "string" }, scores: { type: "string" }, json: { type: "boolean" }, out: { type: "string" }, "per-class": { type: "string" } },
      strict: true,
    }, usage);
    if (!values.targets || !values.scores) throw new UserError(`--targets and --scores are required\n${usage}`);
    const outputs: NamedPath[] = [];
    if (values.out) outputs.push({ what: "--out", path: values.out });
    if (values["per-class"]) outputs.push({ what: "--per-class", path: values["per-class"] });
    refuseOutputsOverInputs([{ what: "--targets file", path: values.targets }, { what: "--scores file", path: values.scores }], outputs);
    const targets = matrix(values.targets, "targets");
    const scores = matrix(values.scores, "scores");
    if (targets.rows !== scores.rows || targets.cols !== scores.cols) {
      throw new UserError(`targets are ${targets.rows}×${targets.cols} but scores are ${scores.rows}×${scores.cols}`);
    }
    const metrics = evaluateScores(targets.data, scores.data, targets.cols);
    if (values.out) writeMetricsJson(values.out, metrics, { perClass: true });
    if (values["per-class"]) writePerClassCsv(values["per-class"], metrics);
    if (values.json) {
      process.stdout.write(`${JSON.stringify(metricsSummary(metrics))}\n`);
    } else {
      const pct = (x: number) => (Number.isFinite(x) ? (100 * x).toFixed(2) : "n/a");
      console.log(`clips ${metrics.numClips}, classes evaluated ${metrics.numClassesEvaluated} (AUC: ${metrics.numClassesWithAUC}) of ${targets.cols}`);
      console.log(`mAP ${pct(metrics.mAP)}  meanAUC ${pct(metrics.meanAUC)}  d′ ${Number.isFinite(metrics.dPrime) ? metrics.dPrime.toFixed(3) : "n/a"}  Recall@0.2 ${pct(metrics.recallAt02)}`);
    }
    return 0;
  },
};
