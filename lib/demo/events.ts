/**
 * Reading a demo split's provenance file, `<split>/events.tsv` (written by corpus.ts: one row per event placement with
 * its `source_id`), for the checks that recordings are never shared between splits or corpora, and for what a model
 * trained on a split actually heard.
 */
import { readFileSync } from "node:fs";
import { UserError } from "../errors";
import { readSourceList, type DemoSource } from "./sources";

/** The recordings (`source_id`s) a split's events.tsv uses. */
export function eventRecordings(eventsPath: string): Set<string> {
  const lines = readFileSync(eventsPath, "utf8").trim().split("\n");
  const column = lines[0].split("\t").indexOf("source_id");
  if (column < 0) throw new UserError(`${eventsPath}: no source_id column`);
  return new Set(lines.slice(1).map((line) => line.split("\t")[column]));
}

/**
 * The source rows of the recordings a split's events.tsv uses: what a model trained on that split heard. A split draws
 * a subset of its role's recordings (the default corpus' `full` split uses 489 of the 648 training recordings: 45 of
 * Speech's 184), so counts per class from here, not from the whole source list, are the model's.
 */
export function sourcesOfSplit(eventsPath: string, sources: readonly DemoSource[] = readSourceList()): DemoSource[] {
  const used = eventRecordings(eventsPath);
  return sources.filter((source) => used.has(source.sourceId));
}
