/**
 * What a PSL student reaches when its annotator is PERFECT (issue 13: the PSL-2s / weak ratio, the chunk-ordering and
 * the added-label precision targets are missed; is it the teacher?). The shipped teacher's PSL table of the students'
 * clips (2-s chunks for PSL-2s; `--student psl-5s|psl-10s` for the other chunk sizes) is kept row by row (the same
 * chunks), and its probabilities are replaced by each chunk's truth: 1 for every class with a true event overlapping
 * the chunk (lib/analysis chunkTruth, the chunk truth notebook 05 scores the teacher against), else 0. The default
 * profile's student (recipe, its learning rate, seeds) is trained on that table and, beside it, on the shipped
 * teacher's (the series' runs, cached); each kept checkpoint is selected on validation as always and then scored on the
 * eval split against the true labels. Those eval scores explain a missed target; nothing is chosen from them.
 * `--annotator coverage` gives the perfect annotator soft targets instead: the share of the chunk that events of the
 * class cover (lib/analysis/ideal-teacher.ts), so a 1-s event scores 0.5 in a 2-s chunk, as a mean-pooled perfect
 * frame detector would (is it the hard 0/1 that costs, or the truth itself?). `--learning-rate` trains both at another
 * rate than the student's default (PSL-5s's 8e-3 is too high for 0/1 targets: its runs at 4e-3 keep the chunk-size
 * comparison at one rate); such runs are keyed by their rate.
 *   nice -n 10 npx tsx scripts/psl-oracle-teacher.ts --seeds 42,43,44 [--student psl-2s|psl-5s|psl-10s] [--annotator truth|coverage] [--learning-rate R]
 * Default out: data-manifests/demo/curves/psl-oracle-teacher.json (entries merged by student × annotator × seed).
 */
import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { repoPath } from "../lib/io/repo-root";
import { UserError } from "../lib/errors";
import { readPslTable, type PslTable } from "../lib/psl/table";
import { trainStudent } from "../lib/psl/student";
import { isFinishedRun } from "../lib/psl/loop";
import { createTrainer } from "../lib/engine/trainer";
import { hopSecondsOf, minChunkSecondsOf } from "../lib/psl/config";
import { chunkTruth } from "../lib/analysis/missing-label-truth";
import { selectedPoint } from "../lib/analysis/step-curves";
import { coverageScores } from "../lib/analysis/ideal-teacher";
import { readJsonFile } from "../lib/io/json-file";
import type { EpochRecord } from "../lib/psl/loop";
import { arg, choiceArg, numbersArg, runScript } from "./script-args";
import { keptCheckpointOnEval } from "./kept-checkpoint-eval";
import { checkFileRecipe, defaultLearningRate, recordRun, round, trainOnValidation, validationContext } from "./student-validation-run";

const WHAT = "PSL from a perfect annotator";

/** The students a perfect annotator can stand in for: the PSL students of the three chunk sizes. */
const STUDENTS = ["psl-2s", "psl-5s", "psl-10s"] as const;

const DESCRIPTION =
  "The default profile's PSL students (2-s, 5-s and 10-s chunks) trained on the shipped teacher's PSL table and " +
  "on the same chunks with a perfect annotator's targets: the chunk truth (1 where a true event of the class " +
  "overlaps the chunk) or, for PSL-2s, the share of the chunk the class's true events cover. Each student at " +
  "its own learning rate; PSL-5s also at 4e-3, the rate of the other two, so that one rate runs through the " +
  "chunk sizes. Kept checkpoints selected on validation as always, then scored on eval against the true labels " +
  "to explain missed targets. Nothing is chosen from these eval scores.";

type Strong = Parameters<typeof chunkTruth>[1];

/** The perfect annotators: their name in the file and their targets for the table's chunks. */
const ANNOTATORS = {
  // 1 where a true event of the class overlaps the chunk.
  truth: { name: "perfect (chunk truth)", probs(table: PslTable, strong: Strong): Float32Array {
    const C = table.numClasses;
    const probs = new Float32Array(table.filenames.length * C);
    chunkTruth(table, strong).forEach((classes, row) => classes.forEach((c) => (probs[row * C + c] = 1)));
    return probs;
  } },
  // The share of the chunk that events of the class cover.
  coverage: { name: "perfect (event coverage)", probs: (table: PslTable, strong: Strong) => coverageScores(table, strong, table.numClasses) },
} as const;

async function main(): Promise<void> {
  const seeds = numbersArg("seeds", "42", Number.isInteger, "a whole number");
  const kind = choiceArg("annotator", "truth", ["truth", "coverage"] as const);
  const student = choiceArg("student", "psl-2s", STUDENTS);
  const annotator = ANNOTATORS[kind];
  const out = arg("out", repoPath("data-manifests", "demo", "curves", "psl-oracle-teacher.json"));
  checkFileRecipe(out, WHAT);
  const context = await validationContext();
  const { series } = context;
  if (series.strong.size === 0) throw new UserError("no strong labels: the perfect annotator needs the demo corpus' event lists");
  const strongEvents = [...series.strong.values()].flat();
  const defaultRate = defaultLearningRate(student);
  const [learningRate] = numbersArg("learning-rate", String(defaultRate), (r) => r > 0 && r < 1, "a learning rate in (0, 1)");
  const rateKey = learningRate === defaultRate ? "" : `lr${learningRate}/`;
  const rateFlag = learningRate === defaultRate ? "" : ` --learning-rate ${learningRate}`;
  for (const seed of seeds) {
    // The shipped teacher's students (the series' runs, cached) and the table they learn from.
    const fromTeacher = await trainOnValidation(context, { student, seed, learningRate, augmentation: null, log: (m) => console.error(`[oracle] ${m}`) });
    if (!fromTeacher.pslTable) throw new Error(`${student} seed ${seed}: the run named no PSL table`);
    const table = readPslTable(fromTeacher.pslTable);
    const oracle: PslTable = { ...table, probs: annotator.probs(table, strongEvents) };
    const config = fromTeacher.config; // the same student, only its targets change
    // Keyed by the oracle targets, the student's settings and seed: a changed recipe never reuses another run.
    const key = createHash("sha256").update(oracle.probs).update(JSON.stringify([config.student, seed, config.annotation.chunkSeconds])).digest("hex").slice(0, 16);
    const dir = join(config.cacheDir, "oracle-student", key); // the targets are in the key: each annotator its own runs
    if (!isFinishedRun(dir)) {
      mkdirSync(dir, { recursive: true });
      console.error(`[oracle] ${student} seed ${seed}: training on the ${annotator.name} targets in ${dir}`);
      await trainStudent({
        dir, settings: config.student, numClasses: config.numClasses, seed, train: series.data.studentTrain, validation: series.data.validation,
        chunkSeconds: config.annotation.chunkSeconds, hopSeconds: hopSecondsOf(config.annotation), minChunkSeconds: minChunkSecondsOf(config.annotation),
        teacher: { kind: "table", table: oracle }, targetOptions: config.annotation, features: series.data.features, createTrainer, resume: false,
        workers: config.workers, classNames: series.data.classNames,
      });
    }
    const history = readJsonFile(join(dir, "history.json"), "training history") as EpochRecord[];
    const best = selectedPoint(history);
    // Target mass per chunk (the count of labels for the 0/1 chunk truth).
    const oracleMassPerChunk = round(oracle.probs.reduce((a, v) => a + v, 0) / oracle.filenames.length);
    const runs = [
      { annotator: "shipped teacher", dir: join(repoPath(), fromTeacher.entry.runDir), bestValidationMAP: fromTeacher.entry.bestValidationMAP, bestStep: fromTeacher.entry.bestStep },
      { annotator: annotator.name, dir, bestValidationMAP: round(best.validationMAP), bestStep: best.step },
    ];
    for (const run of runs) {
      const metrics = await keptCheckpointOnEval(series, run.dir);
      recordRun(out, WHAT, DESCRIPTION,
        {
          key: `${student}/${rateKey}${run.annotator === "shipped teacher" ? "teacher" : kind === "truth" ? "oracle" : `oracle-${kind}`}/seed${seed}`,
          entry: {
            annotator: run.annotator, student, chunkSeconds: config.annotation.chunkSeconds, seed, learningRate, steps: config.student.steps,
            runDir: run.dir.replace(repoPath() + "/", ""),
            bestValidationMAP: run.bestValidationMAP, bestStep: run.bestStep, evalTrueLabels: metrics,
            ...(run.annotator === "shipped teacher" ? {} : { targetMassPerChunk: oracleMassPerChunk }),
            // The teacher's students are the same whichever annotator ran beside them.
            command: `npx tsx scripts/psl-oracle-teacher.ts --seeds ${seed}${student === "psl-2s" ? "" : ` --student ${student}`}${rateFlag}` +
              (run.annotator === "shipped teacher" || kind === "truth" ? "" : ` --annotator ${kind}`),
          },
          chanceValidationMAP: fromTeacher.chanceValidationMAP,
        });
      console.error(`[oracle] ${student} lr ${learningRate} ${run.annotator} seed ${seed}: eval mAP ${metrics.mAP}, mean AUC ${metrics.meanAUC}; best validation mAP ${run.bestValidationMAP}`);
    }
  }
}

runScript(main);
