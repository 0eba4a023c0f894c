/**
 * The same students trained from two (or more) teachers, judged on VALIDATION only (issue 13): why did the teacher with
 * the higher eval mAP give students with lower scores? For each teacher: each student's validation curve (default
 * profile: width, steps, batch, learning rates unchanged) and what the teacher hands the students — its probabilities
 * on the students' training chunks (the PSL table of the chunk size the student uses): the mean probability on the
 * clip's weak labels and on the other classes, the soft-label mass per chunk (sum over classes) and the share of
 * probabilities ≥ 0.5. No eval score is computed.
 *   nice -n 10 npx tsx scripts/student-by-teacher.ts --students psl-2s,psl-10s --seeds 42
 *     --teachers data-manifests/demo/teacher/teacher.safetensors,data-manifests/demo/teacher-augmented/teacher.safetensors
 * Default out: data-manifests/demo/curves/student-by-teacher.json (entries merged by teacher × student × seed).
 */
import { existsSync } from "node:fs";
import { writeJsonAtomic } from "../lib/io/atomic";
import { readJsonFile } from "../lib/io/json-file";
import { repoPath } from "../lib/io/repo-root";
import { UserError } from "../lib/errors";
import { readPslTable, type PslTable } from "../lib/psl/table";
import { resolveSeries } from "../lib/series";
import { arg, runScript } from "./script-args";
import { defaultStudentRecipe, round, trainOnValidation } from "./student-validation-run";

/** What the teacher hands the students: its probabilities on their training chunks, split by the clip's weak labels. */
export function teacherOutputs(table: PslTable): Record<string, number> {
  const rows = table.filenames.length;
  const C = table.numClasses;
  let onWeak = 0, weakCount = 0, offWeak = 0, offCount = 0, mass = 0, atLeastHalf = 0, maxOnWeak = 0;
  for (let r = 0; r < rows; r++) {
    const weak = new Set(table.weak[r]);
    let rowMax = 0;
    for (let c = 0; c < C; c++) {
      const p = table.probs[r * C + c];
      mass += p;
      if (p >= 0.5) atLeastHalf++;
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
    softLabelMassPerChunk: round(mass / rows),
    probabilitiesAtLeastHalfPerChunk: round(atLeastHalf / rows),
  };
}

async function main(): Promise<void> {
  const students = arg("students").split(",");
  const seeds = arg("seeds", "42").split(",").map(Number);
  const teachers = arg("teachers").split(",");
  for (const teacher of teachers) if (!existsSync(repoPath(teacher))) throw new UserError(`--teachers: no file ${teacher}`);
  const out = arg("out", repoPath("data-manifests", "demo", "curves", "student-by-teacher.json"));
  const rates = resolveSeries({ profile: "default" }).studentLearningRates as Record<string, number | undefined>;
  for (const seed of seeds) {
    for (const student of students) {
      const learningRate = rates[student];
      if (learningRate === undefined) throw new UserError(`--students: no default learning rate for "${student}" (known: ${Object.keys(rates).join(", ")})`);
      for (const teacher of teachers) {
        const run = await trainOnValidation({ student, seed, learningRate, augmentation: null, teacherCheckpoint: teacher, log: (m) => console.error(`[by-teacher] ${m}`) });
        const file = existsSync(out) ? (readJsonFile(out, "student-by-teacher check") as Record<string, unknown>) : {};
        const runs = (file.runs ?? {}) as Record<string, unknown>;
        runs[`${teacher}/${student}/seed${seed}`] = {
          teacher, ...run.entry,
          teacherOutputsOnTrainingChunks: run.pslTable ? teacherOutputs(readPslTable(run.pslTable)) : null,
          command: `npx tsx scripts/student-by-teacher.ts --students ${student} --seeds ${seed} --teachers ${teacher}`,
        };
        writeJsonAtomic(out, {
          ...file,
          description: "The default profile's students trained from each teacher, scored on the VALIDATION split only; the teacher's " +
            "probabilities on the students' training chunks (the PSL table the student learns from). No eval score is computed here.",
          recipe: defaultStudentRecipe(),
          chanceValidationMAP: run.chanceValidationMAP,
          runs,
        });
        console.error(`[by-teacher] ${teacher} → ${student} seed ${seed}: best validation mAP ${run.entry.bestValidationMAP} at step ${run.entry.bestStep}; curve ${run.curve}`);
      }
    }
  }
}

// Run only as a script: importing it (for teacherOutputs) runs nothing.
if (process.argv[1]?.endsWith("student-by-teacher.ts")) runScript(main);
