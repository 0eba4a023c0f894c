/**
 * Reading a text file the user gave (a metadata CSV, a manifest, a config): a file that cannot be read is a UserError
 * naming the file and the reason, never a bare ENOENT without the context of what was being read. JSON files go
 * through here too (./json-file.ts), so every reader says it the same way.
 */
import { readFileSync } from "node:fs";
import { UserError } from "../errors";

/**
 * The UTF-8 text of the file at `path`. `what` says what the file is ("config", "ontology") and leads the message:
 * "cannot read config <path>: file not found", or the system's reason for anything else (a folder, no permission).
 */
export function readTextFile(path: string, what?: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // ENOENT's own message repeats the path inside "open '…'"; say it plainly instead.
    const reason = code === "ENOENT" ? "file not found" : (error as Error).message;
    throw new UserError(`cannot read ${what ? `${what} ` : ""}${path}: ${reason}`);
  }
}
