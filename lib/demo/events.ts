/**
 * Reading a demo split's provenance file, `<split>/events.tsv` (written by corpus.ts: one row per event placement with
 * its `source_id`), for the checks that recordings are never shared between splits or corpora.
 */
import { readFileSync } from "node:fs";
import { UserError } from "../errors";

/** The recordings (`source_id`s) a split's events.tsv uses. */
export function eventRecordings(eventsPath: string): Set<string> {
  const lines = readFileSync(eventsPath, "utf8").trim().split("\n");
  const column = lines[0].split("\t").indexOf("source_id");
  if (column < 0) throw new UserError(`${eventsPath}: no source_id column`);
  return new Set(lines.slice(1).map((line) => line.split("\t")[column]));
}
