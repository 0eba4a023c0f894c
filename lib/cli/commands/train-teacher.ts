/** `psl train-teacher`: see experiment-stage.ts. */
import { experimentStageCommand } from "./experiment-stage";

export const trainTeacherCommand = experimentStageCommand("train-teacher", "teacher", "train (or load) the teacher on weak clip labels", "Trains the teacher on the teacher split's weak clip labels (or loads teacher.checkpoint).");
