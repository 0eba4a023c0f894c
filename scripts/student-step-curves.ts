/**
 * Student learning curves over optimizer steps (issue 13, round 2): trains one student of the series (the default
 * profile's recipe, shipped demo teacher) through the kit's own pipeline (lib/series → runExperiment) with a larger
 * step budget, and at every validation point of the loop ALSO scores that point's checkpoint on the eval split
 * (true and noisy eval labels), for the curve only.
 *
 * Eval is never used for selection or tuning here: the training loop selects by validation mAP (held-out validation
 * recordings) exactly as in every other run; the eval numbers are read from the `last.safetensors` the loop writes at
 * each validation point and only recorded.
 *
 * Usage (one run per call: a student at a width and a seed; the runs of several calls accumulate in one JSON, one entry
 * per student × width × seed, keyed "weak/w0.25/seed42"; calls that run at once need different --out files, merged by hand):
 *   nice -n 10 npx tsx scripts/student-step-curves.ts --student weak   --steps 2000 [--every 100] [--seed 42] [--width W] [--lr R] [--out FILE] [--note TEXT]
 *   nice -n 10 npx tsx scripts/student-step-curves.ts --student psl-2s --steps 2000
 *   nice -n 10 npx tsx scripts/student-step-curves.ts --compare [--out FILE]
 * --width: the student width (default: the default profile's); --note: how the machine was loaded, kept with the run.
 * --lr: Adam's learning rate (default: the reference's 1e-3, the rate of the committed student-steps.json; the default
 * profile's chosen rates are in lib/series/settings.ts). One file holds one rate: a run at another rate than the file's
 * is refused, so curves at another rate go to their own --out file.
 * --compare: per width with weak and PSL-2s runs on the same seeds, scores the checkpoint each loop SELECTED (best
 * validation mAP) and its last one on eval, and writes the paired difference PSL-2s − weak with a 95 % interval over
 * seeds × eval clips (one seed: eval clips only), keyed by width; plus, where the runs went past the default profile's
 * budget, the comparison at that budget read off the curve points (no checkpoint there, so no interval).
 * Default out: data-manifests/demo/curves/student-steps.json. Cached corpus, features and PSL tables are reused
 * (.cache/psl/series-demo-default); a finished run is found in the cache and only re-scored.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { cpus, loadavg } from "node:os";
import { runExperiment } from "../lib/psl/pipeline";
import type { EpochRecord } from "../lib/psl/loop";
import { loadCheckpoint, loadModel } from "../lib/model/checkpoint";
import { scoreClips, clipTargets } from "../lib/psl/evaluate";
import { evaluateScores } from "../lib/evaluation";
import { writeJsonAtomic } from "../lib/io/atomic";
import { readJsonFile } from "../lib/io/json-file";
import { repoPath } from "../lib/io/repo-root";
import { pairedSeedDifference } from "../lib/analysis/seed-intervals";
// The file's shape: lib/analysis/step-curves.ts reads and checks it (notebook 04 draws it).
import { checkStepCurves, stepCurvesPath, stepCurveRunKey, studentScores, widthKey, type SeedScores, type StepCurvePoint, type StepCurveRun, type StudentScores } from "../lib/analysis/step-curves";
import { BASELINE_STUDENT, COMPARED_STUDENT, budgetComparison, pairedRuns } from "../lib/analysis/step-curve-groups";
import { UserError } from "../lib/errors";
import { arg, runScript } from "./script-args";
import { initBackend } from "../lib/nn/backend";
import { loadSeriesData, seriesConfig, stepCurveConfig, stepCurveParams, studentRecipe, trainTeacher, resolveSeries, chanceMAP, noisyEvalRows, scoreCheckpoint, shippedTeacherEval, REFERENCE_LEARNING_RATE } from "../lib/series";

const round = (v: number) => Number(v.toFixed(4));

/** What the seconds of a point mean, in the file's description (runs measured before the split keep the old field). */
const SECONDS_NOTE =
  "trainingSeconds: wall seconds of a validation period's training steps and validation; scoringSeconds: scoring that point on eval " +
  "(it blocks the training loop, so it is taken out of the period it ran in). Runs with periodSeconds instead were measured before " +
  "that split: their periodSeconds (and secondsPerStep) INCLUDE the eval scoring of the point before, so they are not a training-speed figure.";

/** One seed's checkpoint scored on eval: the matrix (for the paired interval) and its metrics. */
interface ScoredCheckpoint {
  scores: Float32Array;
  seed: SeedScores;
}

/**
 * --compare: per width with weak and PSL-2s runs on common seeds, each run's selected (best.safetensors) and last
 * checkpoint scored on eval, and PSL-2s − weak over those seeds × the eval clips (pairedSeedDifference, seeds paired by
 * seed), on the true and the noisy eval labels. Where the runs went past the default profile's budget, also what a
 * default run would see at that budget — read off the curve points, because no checkpoint of those steps is kept.
 */
async function compare(out: string): Promise<void> {
  const raw = readJsonFile(out, "step curves") as Record<string, unknown>;
  const file = checkStepCurves(raw, out);
  const paired = pairedRuns(file);
  if (paired.length === 0) throw new UserError(`${out}: no width has both weak and psl-2s runs on a common seed; nothing to compare`);
  // The kit's engine (wasm SIMD kernels, or what PSL_BACKEND names): scoring never goes through runExperiment here,
  // which would pick it, and tfjs' own default backend scores the eval clips many times slower.
  await initBackend({ quiet: true });
  const budget = file.recipe.defaultProfileSteps;
  const steps = Math.max(...Object.values(file.students).map((r) => r.stepBudget));
  const series = await loadSeriesData({ profile: "default", steps, seeds: 1 });
  const C = series.config.numClasses;
  const truthRows = series.data.eval;
  const targets = { truth: clipTargets(truthRows, C), noisy: clipTargets(noisyEvalRows(series, truthRows), C) };
  const pair = (value: (l: "truth" | "noisy") => number) => ({ truth: round(value("truth")), noisy: round(value("noisy")) });

  const scoreRun = async (run: StepCurveRun, which: "best" | "last"): Promise<ScoredCheckpoint> => {
    const key = stepCurveRunKey(run.student, run.widthMult, run.seed);
    if (!run.runDir) throw new UserError(`${out}: students.${key}.runDir is missing: its checkpoints cannot be found`);
    const path = repoPath(run.runDir, `${which}.safetensors`);
    if (!existsSync(path)) throw new UserError(`${out}: students.${key}: ${path} does not exist (the run's cache folder was removed? re-run it)`);
    const step = (loadCheckpoint(path).meta.loop as { globalStep: number }).globalStep;
    const scores = await scoreCheckpoint(series, path, truthRows);
    const m = { truth: evaluateScores(targets.truth, scores, C), noisy: evaluateScores(targets.noisy, scores, C) };
    return { scores, seed: { seed: run.seed, step, evalMAP: pair((l) => m[l].mAP), evalMeanAUC: pair((l) => m[l].meanAUC) } };
  };
  // The file's means are rounded like its other metrics (the per-seed values already are).
  const rounded = (s: StudentScores) => ({ evalMAP: pair((l) => s.evalMAP[l]), evalMeanAUC: pair((l) => s.evalMeanAUC[l]), perSeed: s.perSeed });
  const checkpointScores = (scored: ScoredCheckpoint[]) => rounded(studentScores(scored.map((s) => s.seed)));

  const widths: Record<string, unknown> = {};
  for (const p of paired) {
    if (p.leftOut.length) console.error(`[curves] width ${p.widthMult}: ${p.leftOut.join(", ")} left out (the other student has no run of that seed)`);
    const block: Record<string, unknown> = { widthMult: p.widthMult, seeds: p.seeds, ...(p.leftOut.length ? { leftOut: p.leftOut } : {}) };
    for (const which of ["best", "last"] as const) {
      const weak: ScoredCheckpoint[] = [];
      const psl: ScoredCheckpoint[] = [];
      for (const run of p.baseline) weak.push(await scoreRun(run, which));
      for (const run of p.compared) psl.push(await scoreRun(run, which));
      // Both lists are in the order of p.seeds, so pairedSeedDifference pairs seed i of weak with seed i of PSL-2s.
      const diff = (t: Float32Array) => {
        const d = pairedSeedDifference(t, weak.map((s) => s.scores), psl.map((s) => s.scores), C, { resamples: 1000, seed: 2 });
        return { mAP: round(d.mAP), ci95: d.ci95.map(round), probabilityBetter: round(d.probabilityBetter), resamples: d.resamples };
      };
      block[which] = { students: { [BASELINE_STUDENT]: checkpointScores(weak), [COMPARED_STUDENT]: checkpointScores(psl) }, pslMinusWeak: { truth: diff(targets.truth), noisy: diff(targets.noisy) } };
      console.error(`[curves] width ${p.widthMult} ${which}: ${JSON.stringify(block[which])}`);
    }
    const atBudget = budgetComparison(p, budget);
    if (atBudget) {
      block.atBudget = {
        steps: budget,
        students: Object.fromEntries(Object.entries(atBudget.students).map(([name, s]) => [name, rounded(s)])),
        pslMinusWeak: Object.fromEntries((["truth", "noisy"] as const).map((l) => [l, { mAP: round(atBudget.pslMinusWeak[l].mAP), perSeed: atBudget.pslMinusWeak[l].perSeed.map(round) }])),
      };
    }
    widths[widthKey(p.widthMult)] = block;
  }
  const seedCounts = [...new Set(paired.map((p) => p.seeds.length))].join("/");
  writeJsonAtomic(out, {
    ...raw,
    comparison: {
      note: "best = the checkpoint each run's loop selected by validation mAP (what the series evaluates); last = the end of its budget. " +
        `Interval: seeds (${seedCounts} per width, paired by seed) × the ${truthRows.length} eval clips, 1,000 resamples, bias-corrected` +
        (paired.some((p) => p.seeds.length === 1) ? " - with one seed it holds NO seed variance" : "") + ". " +
        `atBudget (where the runs went past the default profile's ${budget} steps): what a run of ${budget} steps selects, read off the curve points ` +
        "(eval scored at each validation point for the curve only); no checkpoint of those steps is kept, so it has per-seed differences and no interval. " +
        "Only best and last are checkpoint-based with an interval.",
      widths,
    },
  });
}

async function main(): Promise<void> {
  if (process.argv.includes("--compare")) return compare(arg("out", stepCurvesPath()));
  const name = arg("student");
  const steps = Number(arg("steps"));
  const every = Number(arg("every", "100"));
  const seed = Number(arg("seed", "42"));
  const out = arg("out", stepCurvesPath());
  const profileWidth = resolveSeries({ profile: "default" }).widthMult;
  const widthMult = Number(arg("width", String(profileWidth)));
  const note = arg("note", "2-core machine; see the session note for its load");
  const learningRate = Number(arg("lr", String(REFERENCE_LEARNING_RATE)));
  if (!(learningRate > 0 && learningRate < 1)) throw new UserError(`--lr: a learning rate in (0, 1), got ${arg("lr")}`);
  const fileRate = existsSync(out) ? ((readJsonFile(out, "step curves") as { recipe?: { learningRate?: number } }).recipe?.learningRate ?? null) : null;
  if (fileRate !== null && fileRate !== learningRate) throw new UserError(`${out} holds curves at learning rate ${fileRate}, not --lr ${learningRate}: give another --out`);
  const params = stepCurveParams({ steps, widthMult });
  const s = resolveSeries(params);
  // scorePoint takes last.safetensors as the checkpoint of the newest validation point. The loop writes it at each
  // validation and also every checkpointEverySteps steps INSIDE a period (lib/psl/loop.ts: only at a step count below the
  // period's length), which would overwrite it before the poll scores it. With the series' students (checkpointEverySteps
  // 200, DEFAULT_CONFIG; seriesConfig keeps it) and --every up to 200 that never happens; a larger --every is refused before any work.
  const checkpointEverySteps = seriesConfig(params).student.checkpointEverySteps;
  if (checkpointEverySteps > 0 && checkpointEverySteps < every) throw new UserError(`--every ${every}: the loop would also save last.safetensors every ${checkpointEverySteps} steps inside a validation period, before its point is scored; use --every ${checkpointEverySteps} or less`);
  const runKey = stepCurveRunKey(name, widthMult, seed);
  const series = await loadSeriesData(params);
  const teacher = await trainTeacher(params);
  const recipe = studentRecipe(name);
  // The default profile's student with this budget, width and rate, validated every `every` steps (lib/series/settings.ts).
  const config = stepCurveConfig({ name, steps, every, seed, widthMult, learningRate, teacherCheckpoint: teacher.checkpoint });

  const shippedEval = shippedTeacherEval();
  const teacherEval = { truthMAP: shippedEval?.truth.mAP ?? null, noisyMAP: shippedEval?.noisy.mAP ?? null };
  const C = config.numClasses;
  const truthRows = series.data.eval;
  const noisyRows = noisyEvalRows(series, truthRows);
  const truthTargets = clipTargets(truthRows, C);
  const noisyTargets = clipTargets(noisyRows, C);
  const points: StepCurvePoint[] = [];
  // Scoring a point blocks the training loop, and it runs inside the NEXT period's clock (the poll fires between that
  // period's steps; the loop starts its clock before it first yields), so the loop's seconds for period e + 1 hold
  // the scoring of point e: it is taken out of that period's trainingSeconds and recorded as the point's scoringSeconds.
  let blockedPeriod: { epoch: number; seconds: number } | undefined;
  const scorePoint = (dir: string, record: EpochRecord) => {
    const scoringStarted = performance.now();
    const path = join(dir, "last.safetensors");
    const step = (loadCheckpoint(path).meta.loop as { globalStep?: number } | undefined)?.globalStep;
    if (step !== record.step) throw new Error(`${path} holds step ${step}, the validation record step ${record.step}`);
    const model = loadModel(path);
    try {
      const scores = scoreClips(model, truthRows, series.data.features);
      const truth = evaluateScores(truthTargets, scores, C);
      const noisy = evaluateScores(noisyTargets, scores, C);
      const scoringSeconds = (performance.now() - scoringStarted) / 1000;
      const scoredInside = blockedPeriod?.epoch === record.epoch ? blockedPeriod.seconds : 0;
      points.push({
        step: record.step!, meanLoss: round(record.meanLoss), validationMAP: round(record.validationMAP), validationAUC: round(record.validationAUC),
        evalMAP: { truth: round(truth.mAP), noisy: round(noisy.mAP) }, evalMeanAUC: { truth: round(truth.meanAUC), noisy: round(noisy.meanAUC) },
        trainingSeconds: round(record.seconds - scoredInside), scoringSeconds: round(scoringSeconds),
      });
      console.error(`[curves] ${runKey} step ${record.step}: val mAP ${record.validationMAP.toFixed(4)}, eval mAP ${truth.mAP.toFixed(4)} (noisy ${noisy.mAP.toFixed(4)}), AUC ${truth.meanAUC.toFixed(4)}`);
      save();
    } finally {
      model.dispose();
      blockedPeriod = { epoch: record.epoch + 1, seconds: (performance.now() - scoringStarted) / 1000 };
    }
  };

  let trainingDir: string | undefined;
  const save = () => {
    const file = existsSync(out) ? (JSON.parse(readFileSync(out, "utf8")) as Record<string, unknown>) : {};
    const students = (file.students ?? {}) as Record<string, unknown>;
    const secondsPerStep = points.length ? points.reduce((a, p) => a + p.trainingSeconds!, 0) / points[points.length - 1].step : null;
    students[runKey] = {
      student: name, widthMult,
      label: recipe.label, alpha: recipe.alpha, chunkSeconds: recipe.chunkSeconds, seed, stepBudget: steps,
      runDir: trainingDir?.replace(repoPath() + "/", ""),
      secondsPerStep: secondsPerStep === null ? null : round(secondsPerStep),
      machine: { cores: cpus().length, loadAverage1mAtEnd: round(loadavg()[0]), note },
      command: `npx tsx scripts/student-step-curves.ts --student ${name} --steps ${steps} --every ${every} --seed ${seed} --width ${widthMult}` +
        (learningRate === REFERENCE_LEARNING_RATE ? "" : ` --lr ${learningRate} --out ${out.replace(repoPath() + "/", "")}`),
      points,
    };
    writeJsonAtomic(out, {
      ...file,
      description: "Student learning curves over optimizer steps on the default demo corpus (scripts/student-step-curves.ts). " +
        "validationMAP: held-out validation recordings (what the loop selects on). evalMAP / evalMeanAUC: eval split (held-out eval recordings), " +
        "scored at the same steps FOR THE CURVE ONLY - never used for selection or tuning. " +
        SECONDS_NOTE,
      corpus: { profile: s.demoProfile, key: series.corpus ? series.corpus.root.split("/").pop() : null, evalClips: truthRows.length, validationClips: series.data.validation.length, trainClips: series.data.studentTrain.length },
      teacher: { checkpoint: "data-manifests/demo/teacher/teacher.safetensors", eval: teacherEval },
      recipe: { defaultWidthMult: profileWidth, batchSize: config.student.batchSize, learningRate: config.student.learningRate, validateEverySteps: every, defaultProfileSteps: resolveSeries({ profile: "default" }).studentSteps },
      chanceMAP: { truth: round(chanceMAP(truthRows, C)), noisy: round(chanceMAP(noisyRows, C)), validation: round(chanceMAP(series.data.validation, C)) },
      chanceAUC: 0.5,
      students,
    });
  };

  // The loop runs in this process and writes history.json after each validation (last.safetensors just before it):
  // a poll between training steps sees each new record once and scores that point's checkpoint.
  let seen = 0;
  let busy = false;
  const poll = () => {
    if (!trainingDir || busy) return;
    const historyPath = join(trainingDir, "history.json");
    if (!existsSync(historyPath)) return;
    let history: EpochRecord[];
    try {
      history = JSON.parse(readFileSync(historyPath, "utf8")) as EpochRecord[];
    } catch {
      return;
    }
    if (history.length <= seen) return;
    if (history.length > seen + 1) console.error(`[curves] WARNING: ${history.length - seen - 1} validation point(s) passed unscored (eval curve has gaps)`);
    busy = true;
    try {
      scorePoint(trainingDir, history[history.length - 1]);
    } finally {
      seen = history.length;
      busy = false;
    }
  };
  const timer = setInterval(poll, 500);
  try {
    const result = await runExperiment(config, {
      until: "student",
      data: series.data,
      onProgress(message) {
        const match = /^student: (?:training in|cached) (\S+)/.exec(message);
        if (match) trainingDir = match[1];
      },
    });
    trainingDir = result.student?.dir;
    poll();
    if (seen === 0 && trainingDir) console.error(`[curves] ${name}: run was cached; only its final point can be scored (delete ${trainingDir} to re-measure)`);
  } finally {
    clearInterval(timer);
  }
}

runScript(main);
