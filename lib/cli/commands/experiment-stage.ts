/**
 * Shared implementation of `psl train-teacher | annotate | train-student | evaluate --config <file> [--set k=v …]
 * [--resume] [--strict]`: each runs the cached pipeline up to its stage (earlier stages re-use their artefacts) and prints where
 * the artefacts went and the metrics.
 */
import { parseCommandArgs, shardFlag } from "../args";
import type { Command } from "../command";
import { UserError } from "../../errors";
import type { EvalMetrics } from "../../evaluation";
import { loadConfig } from "../../psl/config";
import { demoDataset } from "../../demo/dataset";
import { runExperiment, skippedSummary, type Stage } from "../../psl/pipeline";

/** The annotation's scale-out flags (lib/psl/annotate.ts). */
const SCALE_OUT = `
  --shard i/n  annotate only job i's (0-based) contiguous share of the shards, in the shared cache folder; needs a
               finished teacher and complete features (psl features --config … [--shard i/n, --merge])
  --merge      once all n jobs finished: assemble their shards into the table a single run writes (bit-identical)`;

function usage(name: string, what: string, scaleOut: boolean): string {
  return `usage: psl ${name} --config <configs/….json> [--set key=value …] [--resume] [--strict] [--no-wait]${scaleOut ? " [--shard i/n | --merge]" : ""}

${what}
Earlier stages run first when their cached artefacts (under cacheDir, keyed by the parameters that matter) are missing.
  --config   experiment config (see configs/: weak-baseline, psl-10s/5s/2s, ts-10s/5s/2s, audioset-psl-2s)
  --set      override a field, dotted keys, repeatable (student.alpha=0.5, annotation.threshold=0.3, teacher.epochs=5)
  --resume   continue an interrupted training stage from its last checkpoint (default: start it over; annotation
             always keeps its finished shards); a larger teacher/student steps continues a finished cached run
  --strict   fail on the first missing or unreadable clip, or one whose manifest duration is off by more than
             data.durationTolerance (default: skip it and list the skipped clips at the end)
  --no-wait  when another process is computing a stage on the same cache (its lock is held), fail naming the lock
             (default: wait for it, then re-use its result)${scaleOut ? SCALE_OUT : ""}`;
}

function formatMetrics(label: string, m: EvalMetrics | undefined): string | undefined {
  if (!m) return undefined;
  const pct = (x: number) => (Number.isFinite(x) ? (100 * x).toFixed(2) : "n/a");
  return `${label}: mAP ${pct(m.mAP)}  meanAUC ${pct(m.meanAUC)}  d′ ${Number.isFinite(m.dPrime) ? m.dPrime.toFixed(3) : "n/a"}  Recall@0.2 ${pct(m.recallAt02)}  (${m.numClips} clips, ${m.numClassesEvaluated} classes)`;
}

export function experimentStageCommand(name: string, stage: Stage, summary: string, what: string): Command {
  const scaleOut = stage === "annotate";
  const text = usage(name, what, scaleOut);
  return {
    name,
    summary,
    usage: text,
    async run(args) {
      const options = {
        config: { type: "string" }, set: { type: "string", multiple: true }, resume: { type: "boolean" }, strict: { type: "boolean" }, "no-wait": { type: "boolean" },
        shard: { type: "string" }, merge: { type: "boolean" },
      } as const;
      const { values } = parseCommandArgs({ args, options, strict: true }, text);
      if (!values.config) throw new UserError(`--config is required\n${text}`);
      if (!scaleOut && (values.shard !== undefined || values.merge)) throw new UserError(`--shard / --merge belong to psl annotate (and psl features)\n${text}`);
      const config = loadConfig(values.config, values.set ?? []);
      const shard = shardFlag(values.shard);
      if (shard && values.merge) throw new UserError(`--shard and --merge are separate steps\n${text}`);
      const annotationJob = shard ? { slice: shard } : values.merge ? ({ merge: true } as const) : undefined;
      const result = await runExperiment(config, {
        resume: values.resume ?? false, until: stage, strict: values.strict ?? false, datasets: [demoDataset],
        waitForLocks: !values["no-wait"], inputs: [{ what: "--config file", path: values.config }], configSource: values.config, annotationJob,
      });
      const lines = [`experiment ${config.name}`];
      if (result.teacher) lines.push(`teacher: ${result.teacher.checkpoint}`);
      const job = result.annotation?.job;
      if (job && shard) lines.push(`annotation job ${shard.index}/${shard.count}: shards ${job.range.start}…${job.range.end - 1} of ${job.shards} (${job.computed} computed now) in ${result.annotation!.dir}; when all jobs are done: psl annotate --config … --merge`);
      else if (result.annotation) lines.push(`annotation: ${result.annotation.table} (${result.annotation.rows} chunks; readable: ${result.annotation.tsv})`);
      if (result.student) lines.push(`student: ${result.student.checkpoint}`);
      if (stage === "evaluate") lines.push(`metrics: ${result.reportDir}/{student,teacher}/metrics.json and per_class.csv`);
      for (const line of [formatMetrics("student (eval)", result.student?.metrics), formatMetrics("teacher (eval)", result.teacher?.metrics)]) if (line) lines.push(line);
      if (result.skipped.length) lines.push(skippedSummary(result.skipped));
      console.log(lines.join("\n"));
      return 0;
    },
  };
}
