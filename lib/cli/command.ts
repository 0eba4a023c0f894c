/** One `psl <name>` sub-command. Each lives in its own file under lib/cli/commands/. */
export interface Command {
  name: string;
  /** One line for `psl --help`. */
  summary: string;
  /** Full usage text for `psl <name> --help`. */
  usage: string;
  /** Runs with the arguments after the command name; resolves to the process exit code. */
  run(args: string[]): Promise<number>;
}
