/**
 * `psl` command-line entry point: dispatches to the sub-commands in ./commands.
 * User errors (UserError, BackendError) print one clear line and exit 2; anything else is a bug and keeps its stack.
 */
import { UserError } from "../errors";
import { BackendError } from "../nn/backend";
import type { Command } from "./command";
import { annotateCommand } from "./commands/annotate";
import { benchCommand } from "./commands/bench";
import { demoCorpusCommand } from "./commands/demo-corpus";
import { demoTeacherCommand } from "./commands/demo-teacher";
import { evaluateCommand } from "./commands/evaluate";
import { featuresCommand } from "./commands/features";
import { manifestCommand } from "./commands/manifest";
import { metricsCommand } from "./commands/metrics";
import { predictCommand } from "./commands/predict";
import { trainStudentCommand } from "./commands/train-student";
import { trainTeacherCommand } from "./commands/train-teacher";

// Each sub-command registers here, one line each (keep alphabetical).
const COMMANDS: Command[] = [
  annotateCommand,
  benchCommand,
  demoCorpusCommand,
  demoTeacherCommand,
  evaluateCommand,
  featuresCommand,
  manifestCommand,
  metricsCommand,
  predictCommand,
  trainStudentCommand,
  trainTeacherCommand,
];

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length), 8);
  return [
    "psl — PSL Lab: pseudo strong labels for weakly supervised audio tagging",
    "",
    "usage: psl <command> [options]   (psl <command> --help for details)",
    "",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
  ].join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    console.log(help());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    console.error(`psl: unknown command "${name}"\n\n${help()}`);
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    console.log(command.usage);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    if (error instanceof UserError || error instanceof BackendError) {
      console.error(`psl ${name}: ${error.message}`);
      return 2;
    }
    throw error;
  }
}
