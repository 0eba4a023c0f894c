/**
 * The same students trained from two (or more) teachers, judged on VALIDATION only (issue 13): why did the teacher with
 * the higher eval mAP give students with lower scores? For each teacher: each student's validation curve (default
 * profile: width, steps, batch, learning rates unchanged) and what the teacher hands the students — its probabilities
 * on the students' training chunks (the PSL table of the chunk size the student uses): the mean probability on the
 * clip's weak labels and on the other classes, the soft-label mass per chunk (sum over classes) and the share of
 * probabilities ≥ 0.5. No eval score is computed.
 *   nice -n 10 npx tsx scripts/student-by-teacher.ts --students psl-2s,psl-10s --seeds 42
 *     --teachers data-manifests/demo/teacher/teacher.safetensors,data-manifests/demo/teacher-augmented/teacher.safetensors
 * Default out: data-manifests/demo/curves/student-by-teacher.json (entries merged by teacher × student × targets × seed).
 */
import { existsSync } from "node:fs";
import { repoPath } from "../lib/io/repo-root";
import { UserError } from "../lib/errors";
import { readPslTable, type PslTable } from "../lib/psl/table";
import { labelsPerChunkCurve } from "../lib/analysis/chunk-scores";
import { arg, runScript } from "./script-args";
import { checkFileRecipe, defaultLearningRate, recordRun, round, trainOnValidation, validationContext } from "./student-validation-run";

const WHAT = "student-by-teacher check";

/** What the teacher hands the students: its probabilities on their training chunks, split by the clip's weak labels. */
function teacherOutputs(table: PslTable): Record<string, number> {
  const rows = table.filenames.length;
  const C = table.numClasses;
  let onWeak = 0, weakCount = 0, offWeak = 0, offCount = 0, maxOnWeak = 0;
  for (let r = 0; r < rows; r++) {
    const weak = new Set(table.weak[r]);
    let rowMax = 0;
    for (let c = 0; c < C; c++) {
      const p = table.probs[r * C + c];
      if (weak.has(c)) {
        onWeak += p;
        weakCount++;
        rowMax = Math.max(rowMax, p);
      } else {
        offWeak += p;
        offCount++;
      }
    }
    maxOnWeak += rowMax;
  }
  return {
    chunks: rows,
    meanProbabilityOnWeakLabels: round(onWeak / weakCount),
    meanMaxProbabilityOnWeakLabelsPerChunk: round(maxOnWeak / rows),
    meanProbabilityOffWeakLabels: round(offWeak / offCount),
    massOnWeakLabelsPerChunk: round(onWeak / rows),
    massOffWeakLabelsPerChunk: round(offWeak / rows),
    softLabelMassPerChunk: round((onWeak + offWeak) / rows),
    // What a hard target at 0.5 would hold: the analyses' own count (lib/analysis/chunk-scores.ts).
    probabilitiesAtLeastHalfPerChunk: round(labelsPerChunkCurve(table, [0.5])[0].labelsPerChunk),
  };
}

async function main(): Promise<void> {
  const students = arg("students").split(",");
  const seeds = arg("seeds", "42").split(",").map(Number);
  const teachers = arg("teachers").split(",");
  const target = arg("target", "soft");
  if (target !== "soft" && target !== "hard") throw new UserError(`--target: "soft" or "hard", got "${target}"`);
  const threshold = Number(arg("threshold", "0.5"));
  if (!(threshold > 0 && threshold < 1)) throw new UserError(`--threshold: a probability in (0, 1), got "${arg("threshold", "0.5")}"`);
  // Soft runs keep the keys they had before hard targets could be asked for.
  const targetsKey = target === "soft" ? "" : `/hard${threshold}`;
  const targetsArgs = target === "soft" ? "" : ` --target hard --threshold ${threshold}`;
  for (const teacher of teachers) if (!existsSync(repoPath(teacher))) throw new UserError(`--teachers: no file ${teacher}`);
  const out = arg("out", repoPath("data-manifests", "demo", "curves", "student-by-teacher.json"));
  checkFileRecipe(out, WHAT);
  const learningRates = new Map(students.map((student) => [student, defaultLearningRate(student)]));
  const contexts = new Map<string, Awaited<ReturnType<typeof validationContext>>>();
  for (const teacher of teachers) contexts.set(teacher, await validationContext({ teacherCheckpoint: teacher }));
  for (const seed of seeds) {
    for (const student of students) {
      for (const teacher of teachers) {
        const run = await trainOnValidation(contexts.get(teacher)!, {
          student, seed, learningRate: learningRates.get(student)!, augmentation: null,
          targets: { target, threshold }, log: (m) => console.error(`[by-teacher] ${m}`),
        });
        recordRun(out, WHAT,
          "The default profile's students trained from each teacher, scored on the VALIDATION split only; the teacher's " +
            "probabilities on the students' training chunks (the PSL table the student learns from). No eval score is computed here.",
          {
            key: `${teacher}/${student}${targetsKey}/seed${seed}`,
            entry: {
              teacher, ...run.entry,
              teacherOutputsOnTrainingChunks: run.pslTable ? teacherOutputs(readPslTable(run.pslTable)) : null,
              command: `npx tsx scripts/student-by-teacher.ts --students ${student} --seeds ${seed} --teachers ${teacher}${targetsArgs}`,
            },
            chanceValidationMAP: run.chanceValidationMAP,
          });
        console.error(`[by-teacher] ${teacher} → ${student} (${target}) seed ${seed}: best validation mAP ${run.entry.bestValidationMAP} at step ${run.entry.bestStep}; curve ${run.curve}`);
      }
    }
  }
}

runScript(main);
