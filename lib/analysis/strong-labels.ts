/**
 * Reader for strong-label TSVs (`filename<TAB>onset<TAB>offset<TAB>label-index`, seconds), the demo corpus's event truth.
 * A header line whose second field is not a number is skipped; blank lines are ignored.
 */
import { readFileSync } from "node:fs";
import { UserError } from "../errors";
import type { StrongEvent } from "./types";

export function parseStrongLabels(text: string, source = "strong labels"): StrongEvent[] {
  const events: StrongEvent[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    if (line.trim() === "") return;
    const fields = line.split("\t");
    if (i === 0 && fields.length >= 2 && Number.isNaN(Number(fields[1]))) return; // header
    if (fields.length !== 4) throw new UserError(`${source}:${i + 1}: expected 4 tab-separated fields, got ${fields.length}`);
    const [filename, onsetText, offsetText, labelText] = fields;
    const onset = Number(onsetText);
    const offset = Number(offsetText);
    const label = Number(labelText);
    if (filename === "") throw new UserError(`${source}:${i + 1}: empty filename`);
    if (!Number.isFinite(onset) || onset < 0) throw new UserError(`${source}:${i + 1}: bad onset "${onsetText}"`);
    if (!Number.isFinite(offset) || offset <= onset) throw new UserError(`${source}:${i + 1}: bad offset "${offsetText}" (onset ${onset})`);
    if (!Number.isInteger(label) || label < 0 || labelText.trim() === "") throw new UserError(`${source}:${i + 1}: bad label index "${labelText}"`);
    events.push({ filename, onset, offset, label });
  });
  return events;
}

export function readStrongLabels(path: string): StrongEvent[] {
  return parseStrongLabels(readFileSync(path, "utf8"), path);
}
