/** `psl evaluate`: see experiment-stage.ts. */
import { experimentStageCommand } from "./experiment-stage";

export const evaluateCommand = experimentStageCommand("evaluate", "evaluate", "evaluate teacher and student on full eval clips (mAP, d′, …)", "Evaluates student and teacher on the full eval clips; writes metrics JSON + per-class CSV.");
