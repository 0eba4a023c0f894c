/**
 * Deterministic renders of the source recipes that are not plain files: fluidsynth (GM/GS soundfont presets, via a
 * tiny MIDI file written here) and espeak-ng (speech). Renders are cached (speech by a hash of the recipe, soundfont
 * renders by batch, see renderFluidsynthBatches); every file is written under a temp name and renamed (or written
 * atomically), so an interrupted run never leaves a torn file behind.
 *
 * fluidsynth runs with reverb and chorus off and float output: its integer output paths add random dither, which would
 * make the corpus differ between runs.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { UserError } from "../errors";
import { SAMPLE_RATE } from "../audio/frontend";
import { tempPathFor } from "../io/atomic";
import type { DemoSource, EspeakRecipe, FluidsynthRecipe, RenderRecipe } from "./sources";

const FLUIDSYNTH_ARGS = ["-n", "-i", "-q", "-R", "0", "-C", "0", "-g", "0.6", "-r", String(SAMPLE_RATE), "-T", "wav", "-O", "float"];
const TICKS_PER_SECOND = 960; // 480 ticks per quarter note at the default 120 bpm

function variableLength(value: number): number[] {
  const bytes = [value & 0x7f];
  let rest = value >>> 7;
  while (rest > 0) {
    bytes.unshift((rest & 0x7f) | 0x80);
    rest >>>= 7;
  }
  return bytes;
}

interface TimedEvent {
  tick: number;
  bytes: number[];
}

/** The recipe's MIDI events starting at `startTick`; returns them and the tick where the recipe's audio ends. */
function recipeEvents(recipe: FluidsynthRecipe, startTick: number): { events: TimedEvent[]; endTick: number } {
  const channel = recipe.drums ? 9 : 0;
  const events: TimedEvent[] = [];
  // GS bank select: CC0 carries the bank (fluidsynth's default `synth.midi-bank-select=gs`); drums use channel 10's kits.
  if (!recipe.drums) events.push({ tick: startTick, bytes: [0xb0 | channel, 0, recipe.bank] }, { tick: startTick, bytes: [0xb0 | channel, 32, 0] });
  events.push({ tick: startTick, bytes: [0xc0 | channel, recipe.program] });
  let lastOff = startTick;
  recipe.notes.forEach((note, i) => {
    const on = startTick + Math.round(i * recipe.step * TICKS_PER_SECOND);
    const off = on + Math.round(recipe.hold * TICKS_PER_SECOND);
    lastOff = Math.max(lastOff, off);
    events.push({ tick: on, bytes: [0x90 | channel, note, recipe.velocity] }, { tick: off, bytes: [0x80 | channel, note, 0] });
  });
  return { events, endTick: lastOff + Math.round(recipe.tail * TICKS_PER_SECOND) };
}

function midiFile(events: TimedEvent[], endTick: number): Uint8Array {
  const timed = [...events, { tick: endTick, bytes: [0xff, 0x2f, 0x00] }];
  timed.sort((a, b) => a.tick - b.tick); // stable: same-tick events keep their insertion order
  const track: number[] = [];
  let previous = 0;
  for (const event of timed) {
    track.push(...variableLength(event.tick - previous), ...event.bytes);
    previous = event.tick;
  }
  const header = [0x4d, 0x54, 0x68, 0x64, 0, 0, 0, 6, 0, 0, 0, 1, 0x01, 0xe0];
  const len = track.length;
  const trackHeader = [0x4d, 0x54, 0x72, 0x6b, (len >>> 24) & 0xff, (len >>> 16) & 0xff, (len >>> 8) & 0xff, len & 0xff];
  return Uint8Array.from([...header, ...trackHeader, ...track]);
}

/** A one-track Standard MIDI File playing the recipe's notes on one channel. */
export function recipeToMidi(recipe: FluidsynthRecipe): Uint8Array {
  const { events, endTick } = recipeEvents(recipe, 0);
  return midiFile(events, endTick);
}

export function recipeKey(recipe: RenderRecipe): string {
  return createHash("sha1").update(JSON.stringify(recipe)).digest("hex").slice(0, 16);
}

function hasTool(tool: string): boolean {
  try {
    execFileSync(tool, ["--version"], { stdio: "ignore" });
    return true;
  } catch (error) {
    // fluidsynth --version exits 0; a missing binary throws ENOENT.
    return (error as NodeJS.ErrnoException).code !== "ENOENT";
  }
}

const toolChecks = new Map<string, boolean>();
function requireTool(tool: string, pkg: string, source: DemoSource): void {
  if (!toolChecks.has(tool)) toolChecks.set(tool, hasTool(tool));
  if (!toolChecks.get(tool)) {
    throw new UserError(
      `demo source ${source.sourceId}: "${tool}" is not installed (Debian package ${pkg}); run scripts/setup-demo-sources.sh`,
    );
  }
}

function renderEspeak(recipe: EspeakRecipe, source: DemoSource, out: string): void {
  requireTool("espeak-ng", "espeak-ng", source);
  execFileSync("espeak-ng", ["-v", recipe.voice, "-s", String(recipe.speed), "-p", String(recipe.pitch), "-w", out, recipe.text], {
    stdio: ["ignore", "ignore", "pipe"],
  });
}

/** Renders (or reuses) an espeak-ng recipe under `cacheDir`; returns the WAV path. (fluidsynth: renderFluidsynthBatches.) */
export function renderSpeech(source: DemoSource, cacheDir: string): string {
  if (source.render === null || source.render.kind !== "espeak") throw new Error(`renderSpeech: ${source.sourceId} is not an espeak recipe`);
  const path = join(cacheDir, `${recipeKey(source.render)}.wav`);
  if (existsSync(path)) return path;
  mkdirSync(cacheDir, { recursive: true });
  const temp = tempPathFor(path);
  try {
    renderEspeak(source.render, source, temp);
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    if (error instanceof UserError) throw error;
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    throw new UserError(`demo source ${source.sourceId}: render failed (${stderr || (error as Error).message})`);
  }
  return path;
}

/** Section starts are multiples of 0.1 s (1600 samples = 25 fluidsynth blocks of 64). */
const SECTION_TICKS = TICKS_PER_SECOND / 10;
const SECTION_GAP_SECONDS = 1;

/**
 * Renders the fluidsynth recipes of the given sources, one fluidsynth run per soundfont (one long MIDI file, the
 * recipes one after another with silent gaps), sliced into one WAV per recipe. Loading a compressed .sf3 font costs
 * fluidsynth several seconds per start, which would otherwise dominate a cold generation.
 *
 * fluidsynth's output for a recipe depends slightly (≤ 1 % of full scale) on where in the file it sits, so a whole
 * batch is one cache unit: `<cacheDir>/<hash of font + all its recipes in order>/<recipe>.wav`. The same source list
 * therefore always yields the same audio, whatever else was rendered before. Returns sourceId → rendered WAV path.
 */
export async function renderFluidsynthBatches(
  sources: DemoSource[],
  cacheDir: string,
  decode: (path: string) => Promise<Float32Array>,
  write: (path: string, samples: Float32Array) => void,
): Promise<Map<string, string>> {
  const byFont = new Map<string, DemoSource[]>();
  for (const source of sources) {
    const recipe = source.render;
    if (recipe === null || recipe.kind !== "fluidsynth") continue;
    byFont.set(recipe.font, [...(byFont.get(recipe.font) ?? []), source]);
  }
  const paths = new Map<string, string>();
  for (const [font, group] of byFont) {
    const batchKey = createHash("sha1")
      .update(JSON.stringify([font, ...group.map((s) => s.render)]))
      .digest("hex")
      .slice(0, 16);
    const batchDir = join(cacheDir, batchKey);
    const pathOf = (source: DemoSource) => join(batchDir, `${recipeKey(source.render!)}.wav`);
    for (const source of group) paths.set(source.sourceId, pathOf(source));
    if (group.every((source) => existsSync(pathOf(source)))) continue;
    const events: TimedEvent[] = [];
    const sections: { source: DemoSource; start: number; end: number }[] = [];
    let tick = 0;
    for (const source of group) {
      const { events: ev, endTick } = recipeEvents(source.render as FluidsynthRecipe, tick);
      events.push(...ev);
      sections.push({ source, start: tick, end: endTick });
      tick = Math.ceil((endTick + SECTION_GAP_SECONDS * TICKS_PER_SECOND) / SECTION_TICKS) * SECTION_TICKS;
    }
    mkdirSync(batchDir, { recursive: true });
    const out = tempPathFor(join(batchDir, "batch.wav"));
    const midi = tempPathFor(join(batchDir, "batch.mid"));
    try {
      requireTool("fluidsynth", "fluidsynth", group[0]);
      if (!existsSync(font)) {
        throw new UserError(`demo source ${group[0].sourceId}: soundfont ${font} is missing (Debian package ${group[0].package}); run scripts/setup-demo-sources.sh`);
      }
      writeFileSync(midi, midiFile(events, tick));
      try {
        execFileSync("fluidsynth", [...FLUIDSYNTH_ARGS, "-F", out, font, midi], { stdio: ["ignore", "ignore", "pipe"] });
      } catch (error) {
        const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
        throw new UserError(`demo sources on ${font}: fluidsynth failed (${stderr || (error as Error).message})`);
      }
      const all = await decode(out);
      for (const { source, start, end } of sections) {
        const from = Math.round((start / TICKS_PER_SECOND) * SAMPLE_RATE);
        const to = Math.min(all.length, Math.round((end / TICKS_PER_SECOND) * SAMPLE_RATE));
        write(pathOf(source), all.slice(from, to));
      }
    } finally {
      rmSync(midi, { force: true });
      rmSync(out, { force: true });
    }
  }
  return paths;
}
