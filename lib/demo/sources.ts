/**
 * The curated source list of the demo corpus (data-manifests/demo/sources.csv): one row per source recording —
 * a file shipped by a Debian package, or a deterministic render recipe (fluidsynth soundfont preset, espeak-ng voice).
 * Each row carries its true AudioSet class and the split family it may feed, so that no recording is ever shared
 * between training splits and evaluation (the disjointness the corpus tests check).
 */
import { UserError } from "../errors";
import { parseCsv } from "../data/csv";
import { repoPath } from "../io/repo-root";
import { readTextFile } from "../io/text-file";

/**
 * Split families: `train` feeds full and balanced (teacher and student training), `val` the validation split (its own
 * held-out recordings), `eval` the eval split, `domain2` the second (FSD-like) domain.
 */
export type SourceRole = "train" | "val" | "eval" | "domain2";
/** `event`: a foreground sound event; `bed`: a long background music bed (labelled, usually quiet). */
export type SourceUsage = "event" | "bed";

export interface FluidsynthRecipe {
  kind: "fluidsynth";
  font: string;
  bank: number;
  program: number;
  /** MIDI notes played one after another, `step` seconds apart, each held `hold` seconds. */
  notes: number[];
  step: number;
  hold: number;
  /** Seconds rendered after the last note-off (release and reverb tails). */
  tail: number;
  /** Percussion channel (MIDI channel 10): `program` selects the kit, notes select the instrument. */
  drums: boolean;
  /** MIDI note-on velocity (1–127; default 100). */
  velocity: number;
}

export interface EspeakRecipe {
  kind: "espeak";
  voice: string;
  speed: number;
  pitch: number;
  text: string;
}

export type RenderRecipe = FluidsynthRecipe | EspeakRecipe;

export interface DemoSource {
  sourceId: string;
  /** Debian package that provides the file or the soundfont/voice. */
  package: string;
  /** Absolute path of the file in the installed package ("" for espeak renders). */
  path: string;
  render: RenderRecipe | null;
  classIndex: number;
  mid: string;
  displayName: string;
  licence: string;
  role: SourceRole;
  usage: SourceUsage;
}

export const SOURCE_COLUMNS = [
  "source_id",
  "package",
  "path",
  "render",
  "audioset_index",
  "mid",
  "display_name",
  "licence",
  "role",
  "usage",
] as const;

/** The committed source list in the repository (data-manifests/demo/sources.csv). */
export function defaultSourceListPath(): string {
  return repoPath("data-manifests", "demo", "sources.csv");
}

function parseRecipe(text: string, where: string): RenderRecipe | null {
  if (text === "") return null;
  const [kind, ...parts] = text.split(";");
  const fields = new Map<string, string>();
  for (const part of parts) {
    const eq = part.indexOf("=");
    if (eq <= 0) throw new UserError(`${where}: render recipe part "${part}" is not key=value`);
    fields.set(part.slice(0, eq), part.slice(eq + 1));
  }
  const get = (key: string): string => {
    const value = fields.get(key);
    if (value === undefined || value === "") throw new UserError(`${where}: render recipe lacks "${key}"`);
    return value;
  };
  const num = (key: string): number => {
    const value = Number(get(key));
    if (!Number.isFinite(value)) throw new UserError(`${where}: render recipe "${key}" is not a number`);
    return value;
  };
  if (kind === "fluidsynth") {
    const notes = get("notes").split("+").map(Number);
    if (notes.some((n) => !Number.isInteger(n) || n < 0 || n > 127)) throw new UserError(`${where}: bad MIDI notes "${get("notes")}"`);
    if (fields.has("velocity") && !(Number.isInteger(num("velocity")) && num("velocity") >= 1 && num("velocity") <= 127)) throw new UserError(`${where}: velocity must be an integer 1–127`);
    return {
      kind,
      font: get("font"),
      bank: num("bank"),
      program: num("program"),
      notes,
      step: num("step"),
      hold: num("hold"),
      tail: num("tail"),
      drums: get("drums") === "1",
      velocity: fields.has("velocity") ? num("velocity") : 100,
    };
  }
  if (kind === "espeak") {
    return { kind, voice: get("voice"), speed: num("speed"), pitch: num("pitch"), text: get("text") };
  }
  throw new UserError(`${where}: unknown render kind "${kind}" (fluidsynth or espeak)`);
}

/** Parses and validates a source list; errors name the file, line and field. */
export function parseSourceList(text: string, nameForErrors: string): DemoSource[] {
  const records = parseCsv(text, nameForErrors);
  if (records.length === 0) throw new UserError(`${nameForErrors}: empty source list`);
  const header = records[0].fields;
  if (header.join(",") !== SOURCE_COLUMNS.join(",")) {
    throw new UserError(`${nameForErrors}: header must be ${SOURCE_COLUMNS.join(",")}, got ${header.join(",")}`);
  }
  const seen = new Set<string>();
  const sources: DemoSource[] = [];
  records.slice(1).forEach((record) => {
    const row = record.fields;
    const where = `${nameForErrors}: line ${record.line}`;
    if (row.length !== SOURCE_COLUMNS.length) throw new UserError(`${where}: expected ${SOURCE_COLUMNS.length} fields, got ${row.length}`);
    const [sourceId, pkg, path, render, index, mid, displayName, licence, role, usage] = row;
    if (sourceId === "") throw new UserError(`${where}: empty source_id`);
    if (seen.has(sourceId)) throw new UserError(`${where}: duplicate source_id "${sourceId}"`);
    seen.add(sourceId);
    const classIndex = Number(index);
    if (!Number.isInteger(classIndex) || classIndex < 0) throw new UserError(`${where}: audioset_index "${index}" is not a class index`);
    if (!/^\/[mgt]\//.test(mid)) throw new UserError(`${where}: mid "${mid}" is not an AudioSet mid`);
    if (role !== "train" && role !== "val" && role !== "eval" && role !== "domain2") throw new UserError(`${where}: role "${role}" (train, val, eval or domain2)`);
    if (usage !== "event" && usage !== "bed") throw new UserError(`${where}: usage "${usage}" (event or bed)`);
    const recipe = parseRecipe(render, where);
    if (recipe === null && path === "") throw new UserError(`${where}: neither a path nor a render recipe`);
    if (recipe !== null && path !== "") throw new UserError(`${where}: both a path and a render recipe`);
    sources.push({ sourceId, package: pkg, path, render: recipe, classIndex, mid, displayName, licence, role, usage });
  });
  return sources;
}

export function readSourceList(path: string = defaultSourceListPath()): DemoSource[] {
  return parseSourceList(readTextFile(path, "demo source list"), path);
}
