/** `psl train-student`: see experiment-stage.ts. */
import { experimentStageCommand } from "./experiment-stage";

export const trainStudentCommand = experimentStageCommand("train-student", "student", "train the student on chunks (PSL / teacher-student / weak)", "Trains the student on chunks with target = alpha·teacher + (1 − alpha)·weak labels.");
