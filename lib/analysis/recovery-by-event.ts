/**
 * Which dropped labels does the teacher get back? On the demo corpus every (clip, true class) pair comes with the
 * class's active time and level in the clip and whether the weak labels kept it (`clip_labels.tsv`). Missing labels are
 * mostly short or quiet events (the corpus's missing-label model, like AudioSet's raters), and short chunks are expected
 * to help exactly there: a 1-s event fills half of a 2-s chunk but a tenth of a 10-s clip. This module bins the pairs by
 * an attribute and reports, per bin, how many dropped labels the teacher recovers and how many kept labels it confirms.
 */
import { readFileSync } from "node:fs";
import { UserError } from "../errors";
import { clipMaxScores } from "./chunk-scores";
import { ratio } from "./threshold-counter";
import type { ChunkScores } from "./types";

export interface ClipLabelStat {
  filename: string;
  label: number;
  /** Union of the class's event intervals in the clip, seconds. */
  activeSeconds: number;
  /** Loudest placement of the class, dB relative to the source reference level. */
  levelDb: number;
  dropProbability: number;
  /** Whether the weak labels kept this true label. */
  kept: boolean;
}

/** Parses the demo's clip_labels.tsv (`filename label active_seconds level_db drop_probability kept`, tab-separated, header). */
export function parseClipLabelStats(text: string, source = "clip labels"): ClipLabelStat[] {
  const lines = text.split(/\r?\n/);
  const header = lines[0]?.split("\t") ?? [];
  const need = ["filename", "label", "active_seconds", "level_db", "drop_probability", "kept"];
  const column = new Map(header.map((name, i) => [name.trim(), i]));
  for (const name of need) if (!column.has(name)) throw new UserError(`${source}:1: missing column "${name}" (header: ${header.join(", ")})`);
  const out: ClipLabelStat[] = [];
  for (let i = 1; i < lines.length; i++) {
    if (lines[i].trim() === "") continue;
    const f = lines[i].split("\t");
    const get = (name: string) => f[column.get(name)!] ?? "";
    const number = (name: string) => {
      const v = Number(get(name));
      if (get(name).trim() === "" || !Number.isFinite(v)) throw new UserError(`${source}:${i + 1}: bad ${name} "${get(name)}"`);
      return v;
    };
    const label = number("label");
    if (!Number.isInteger(label) || label < 0) throw new UserError(`${source}:${i + 1}: bad label "${get("label")}"`);
    const kept = get("kept").trim();
    if (kept !== "0" && kept !== "1") throw new UserError(`${source}:${i + 1}: kept must be 0 or 1, got "${kept}"`);
    out.push({
      filename: get("filename"),
      label,
      activeSeconds: number("active_seconds"),
      levelDb: number("level_db"),
      dropProbability: number("drop_probability"),
      kept: kept === "1",
    });
  }
  return out;
}

export function readClipLabelStats(path: string): ClipLabelStat[] {
  return parseClipLabelStats(readFileSync(path, "utf8"), path);
}

export interface RecoveryBinRow {
  attribute: string;
  /** Bin [lo, hi); the last bin is closed on the right. */
  lo: number;
  hi: number;
  bin: string;
  /** True labels the weak labels dropped, and how many of them some chunk says (≥ threshold). */
  dropped: number;
  recovered: number;
  recoveryRate: number;
  /** True labels the weak labels kept, and how many some chunk confirms. */
  kept: number;
  confirmed: number;
  confirmRate: number;
}

/**
 * Per bin of `attribute` (edges ascending, e.g. activeSeconds [0, 0.5, 1, 2, 5, 10]): recovery of dropped labels and
 * confirmation of kept ones at `threshold`. Pairs outside the edges or for clips absent from the chunk table are left out.
 */
export function recoveryByEventAttribute(
  chunks: ChunkScores,
  stats: readonly ClipLabelStat[],
  options: { threshold: number; attribute: "activeSeconds" | "levelDb" | "dropProbability"; edges: readonly number[] },
): RecoveryBinRow[] {
  const { threshold, attribute, edges } = options;
  if (!(threshold >= 0 && threshold <= 1)) throw new UserError(`threshold must be in [0, 1], got ${threshold}`);
  if (edges.length < 2 || edges.some((e, i) => i > 0 && !(e > edges[i - 1]))) {
    throw new UserError(`edges must be at least two strictly ascending numbers, got ${edges.join(", ")}`);
  }
  const clipMax = clipMaxScores(chunks);
  const C = chunks.numClasses;
  const bins = edges.slice(0, -1).map(() => ({ dropped: 0, recovered: 0, kept: 0, confirmed: 0 }));
  for (const s of stats) {
    const clip = clipMax.position.get(s.filename);
    if (clip === undefined) continue;
    if (s.label >= C) throw new UserError(`clip labels: ${s.filename} has label ${s.label}, outside 0..${C - 1}`);
    const value = s[attribute];
    const last = edges.length - 1;
    if (value < edges[0] || value > edges[last]) continue;
    let b = 0;
    while (b < last - 1 && value >= edges[b + 1]) b++;
    const says = clipMax.maxProbs[clip * C + s.label] >= threshold;
    if (s.kept) {
      bins[b].kept++;
      if (says) bins[b].confirmed++;
    } else {
      bins[b].dropped++;
      if (says) bins[b].recovered++;
    }
  }
  return bins.map((x, b) => ({
    attribute,
    lo: edges[b],
    hi: edges[b + 1],
    bin: `[${edges[b]}, ${edges[b + 1]}${b === bins.length - 1 ? "]" : ")"}`,
    ...x,
    recoveryRate: ratio(x.recovered, x.dropped),
    confirmRate: ratio(x.confirmed, x.kept),
  }));
}
