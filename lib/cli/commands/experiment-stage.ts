/**
 * Shared implementation of `psl train-teacher | annotate | train-student | evaluate --config <file> [--set k=v …]
 * [--resume] [--strict]`: each runs the cached pipeline up to its stage (earlier stages re-use their artefacts) and prints where
 * the artefacts went and the metrics.
 */
import { parseCommandArgs } from "../args";
import type { Command } from "../command";
import { UserError } from "../../errors";
import type { EvalMetrics } from "../../evaluation";
import { loadConfig } from "../../psl/config";
import { demoDataset } from "../../demo/dataset";
import { runExperiment, skippedSummary, type Stage } from "../../psl/pipeline";

function usage(name: string, what: string): string {
  return `usage: psl ${name} --config <configs/….json> [--set key=value …] [--resume] [--strict] [--no-wait]

${what}
Earlier stages run first when their cached artefacts (under cacheDir, keyed by the parameters that matter) are missing.
  --config   experiment config (see configs/: weak-baseline, psl-10s/5s/2s, ts-10s/5s/2s, audioset-psl-2s)
  --set      override a field, dotted keys, repeatable (student.alpha=0.5, annotation.threshold=0.3, teacher.epochs=5)
  --resume   continue an interrupted training stage from its last checkpoint (default: start it over; annotation
             always keeps its finished shards)
  --strict   fail on the first missing or unreadable clip, or one whose manifest duration is off by more than
             data.durationTolerance (default: skip it and list the skipped clips at the end)
  --no-wait  when another process is computing a stage on the same cache (its lock is held), fail naming the lock
             (default: wait for it, then re-use its result)`;
}

function formatMetrics(label: string, m: EvalMetrics | undefined): string | undefined {
  if (!m) return undefined;
  const pct = (x: number) => (Number.isFinite(x) ? (100 * x).toFixed(2) : "n/a");
  return `${label}: mAP ${pct(m.mAP)}  meanAUC ${pct(m.meanAUC)}  d′ ${Number.isFinite(m.dPrime) ? m.dPrime.toFixed(3) : "n/a"}  Recall@0.2 ${pct(m.recallAt02)}  (${m.numClips} clips, ${m.numClassesEvaluated} classes)`;
}

export function experimentStageCommand(name: string, stage: Stage, summary: string, what: string): Command {
  const text = usage(name, what);
  return {
    name,
    summary,
    usage: text,
    async run(args) {
      const { values } = parseCommandArgs({ args, options: { config: { type: "string" }, set: { type: "string", multiple: true }, resume: { type: "boolean" }, strict: { type: "boolean" }, "no-wait": { type: "boolean" } }, strict: true }, text);
      if (!values.config) throw new UserError(`--config is required\n${text}`);
      const config = loadConfig(values.config, values.set ?? []);
      const result = await runExperiment(config, {
        resume: values.resume ?? false, until: stage, strict: values.strict ?? false, datasets: [demoDataset],
        waitForLocks: !values["no-wait"], inputs: [{ what: "--config file", path: values.config }], configSource: values.config,
      });
      const lines = [`experiment ${config.name}`];
      if (result.teacher) lines.push(`teacher: ${result.teacher.checkpoint}`);
      if (result.annotation) lines.push(`annotation: ${result.annotation.table} (${result.annotation.rows} chunks; readable: ${result.annotation.tsv})`);
      if (result.student) lines.push(`student: ${result.student.checkpoint}`);
      if (stage === "evaluate") lines.push(`metrics: ${result.reportDir}/{student,teacher}/metrics.json and per_class.csv`);
      for (const line of [formatMetrics("student (eval)", result.student?.metrics), formatMetrics("teacher (eval)", result.teacher?.metrics)]) if (line) lines.push(line);
      if (result.skipped.length) lines.push(skippedSummary(result.skipped));
      console.log(lines.join("\n"));
      return 0;
    },
  };
}
