/** `psl annotate`: see experiment-stage.ts. */
import { experimentStageCommand } from "./experiment-stage";

export const annotateCommand = experimentStageCommand("annotate", "annotate", "pseudo strong labels: the teacher labels every chunk (PSL table)", "Runs the teacher on every chunk of the student's training clips and writes the PSL table (Arrow) + a readable TSV.");
