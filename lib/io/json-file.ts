/**
 * Reading a JSON file the user gave (a config, an ontology, a results fragment): a file that cannot be read or does
 * not parse is a UserError naming the file and the reason, never a bare SyntaxError without a path.
 */
import { UserError } from "../errors";
import { readTextFile } from "./text-file";

/**
 * Parses JSON text that came from `name` (a path, or a label for text from elsewhere). Invalid JSON is a UserError
 * "`what` `name`: not valid JSON (the parser's message)"; the parser's message gives the position.
 */
export function parseJsonText(text: string, name: string, what?: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UserError(`${what ? `${what} ` : ""}${name}: not valid JSON (${(error as Error).message})`);
  }
}

/**
 * Reads and parses the JSON file at `path`. `what` says what the file is ("config", "ontology") and leads the error
 * messages: "cannot read config <path>: <reason>" (./text-file.ts: missing, a folder, no permission), "config <path>: not
 * valid JSON (…)". The value is unchecked (`unknown`): the caller validates its shape and names the field that is wrong.
 */
export function readJsonFile(path: string, what?: string): unknown {
  return parseJsonText(readTextFile(path, what), path, what);
}
