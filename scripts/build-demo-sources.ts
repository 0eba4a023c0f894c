// Rebuilds data-manifests/demo/sources.csv: keeps the hand-curated rows (files measured and listened to, see the
// README there), gives some of them the `val` role, and appends the GENERATED rows that give the corpus its acoustic
// variety — soundfont renders over fonts × programs × registers × articulations × velocities, drum kits, more voice
// packs and the spoken descriptions of tuxpaint in many languages.
//
// Split rule for renders (why: a small soundfont reuses one sample for several programs, so two programs of ONE font
// can be the same recording): the ROLE FOLLOWS THE FONT —
//   MuseScore_General_Lite, TimGM6mb → train;  sf_GMbank (csound) → val;  FluidR3Mono → eval (and domain2, as before).
// So a model is always scored on instruments rendered from samples it never heard.
// Speech from tuxpaint: the role follows the language (one speaker per language); hedgewars: the voice pack.
// Thin classes (< 4 training recordings): real recordings extracted from 0ad-data, supertuxkart-data and
// wesnoth-1.16-data by scripts/setup-demo-sources.sh, and lomiri-sounds; each measured and its spectrogram looked at, and
// checked against the class's other sources for the same recording (survey: team note thin-class-sources.md, summary in
// data-manifests/demo/README.md). Several cuts of ONE recording session are one FAMILY: source ids
// "<family>#<cut>", always one role (tested), counted as one training recording.
//
// Deterministic (seeded PRNG, sorted file lists): the same packages give the same CSV. Run:
//   npx tsx scripts/build-demo-sources.ts            (rewrites the CSV; prints counts per class and role)
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join, basename } from "node:path";
import { mulberry32 } from "../lib/data/random";
import { recordingOf } from "../lib/analysis/recordings-per-class";

const REPO = join(__dirname, "..");
const CSV = join(REPO, "data-manifests", "demo", "sources.csv");
const GENERATED = /^(gm|tuxspeech|hwvoice|0ad|stk|wesnoth|lomiri):/;

const FONTS = {
  msg: { path: "/usr/share/sounds/sf3/MuseScore_General_Lite.sf3", pkg: "musescore-general-soundfont-small", licence: "MIT", role: "train", perProgram: 4 },
  tim: { path: "/usr/share/sounds/sf2/TimGM6mb.sf2", pkg: "timgm6mb-soundfont", licence: "GPL-2", role: "train", perProgram: 4 },
  csd: { path: "/usr/share/sounds/sf2/sf_GMbank.sf2", pkg: "csound-soundfont", licence: "LGPL-2.1+", role: "val", perProgram: 2 },
  fm: { path: "/usr/share/sounds/sf3/FluidR3Mono_GM.sf3", pkg: "fluidr3mono-gm-soundfont", licence: "MIT", role: "eval", perProgram: 3 },
};

// AudioSet class → GM programs (melodic) with a central MIDI note for the instrument's register.
const INSTRUMENTS = [
  { index: 153, programs: [0, 1, 2, 3], centre: 60 },
  { index: 155, programs: [16, 17, 18, 19, 20], centre: 60 },
  { index: 160, programs: [6], centre: 62 },
  { index: 140, programs: [24, 25, 26, 27, 28, 29], centre: 55 },
  { index: 180, programs: [12, 13], centre: 72 },
  { index: 187, programs: [56, 59], centre: 65 },
  { index: 191, programs: [40, 110], centre: 72 },
  { index: 193, programs: [42], centre: 48 },
  { index: 196, programs: [73], centre: 76 },
  { index: 28, programs: [52, 53], centre: 62 },
  { index: 200, programs: [14, 112], centre: 70 },
];
// AudioSet class → GM percussion notes (channel 10), over the kits present in every font.
const DRUMS = [
  { index: 168, notes: [35, 36] },
  { index: 165, notes: [38, 40] },
  { index: 172, notes: [42, 44, 46] },
  { index: 171, notes: [49, 51, 52, 55, 57] },
  { index: 92, notes: [56] },
  { index: 63, notes: [39] },
];
const KITS = [0, 8, 16, 24, 25, 32, 40, 48];
// GM sound effects (program 120-127 of bank 0) → AudioSet class.
const EFFECTS = [
  { index: 295, program: 122, hold: 4.5 },
  { index: 112, program: 123, hold: 1.5 },
  { index: 390, program: 124, hold: 2.0 },
  { index: 339, program: 125, hold: 4.0 },
  { index: 67, program: 126, hold: 3.5 },
  { index: 427, program: 127, hold: 0.4 },
];

// tuxpaint spoken descriptions: role by language (one speaker per language, as far as we can tell).
const SPEECH_LANGUAGES = { fr: "train", ru: "train", ca: "train", es: "train", bg: "train", be: "val", ro: "eval", el: "eval", da: "eval", nl: "eval" };
const SPEECH_PER_LANGUAGE = 24;
// hedgewars voice packs not yet used for speech → role; words per pack.
const VOICE_PACKS = { Default_es: "train", Default_pl: "train", Robot: "train", Russian: "train", Singer: "val", HillBilly: "val", Default_ru: "eval", Default_uk: "eval" };
const VOICE_WORDS = ["Amazing", "Brilliant", "Byebye", "Coward", "Enemydown", "Firstblood", "Gonnagetyou", "Hurry", "Illgetyou", "Justyouwait", "Leavemealone", "Missed", "Ohdear", "Reinforcements", "Revenge", "Runaway", "Sameteam", "Solong", "Thisoneismine", "Traitor", "Victory", "Watchit", "Watchthis", "Youllregretthat"];
const MORE_WORDS_PER_PACK = 10;

const rng = mulberry32(13);
const pick = <T>(list: readonly T[]): T => list[Math.floor(rng() * list.length)];
const between = (lo: number, hi: number): number => lo + (hi - lo) * rng();
const round = (x: number, d = 2): number => Math.round(x * 10 ** d) / 10 ** d;

function parseCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') (cur += '"'), i++;
      else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") out.push(cur), (cur = "");
    else cur += ch;
  }
  out.push(cur);
  return out;
}
const field = (v: string): string => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

const lines = readFileSync(CSV, "utf8").split("\n").filter((l) => l !== "");
const header = lines[0];
const curated = lines.slice(1).map(parseCsvLine).filter((r) => !GENERATED.test(r[0]));
const classOf = new Map<number, { mid: string; name: string }>();
for (const r of curated) classOf.set(Number(r[4]), { mid: r[5], name: r[6] });
const classesCsv = readFileSync(join(REPO, "data-manifests", "audioset", "class_labels_indices.csv"), "utf8").split("\n").slice(1).filter(Boolean).map(parseCsvLine);
for (const [index, mid, name] of classesCsv) if (!classOf.has(Number(index))) classOf.set(Number(index), { mid, name });

// Curated rows: TimGM6mb renders follow the font rule (train); every 4th curated training recording of a class with
// at least 4 becomes a validation recording (the class keeps 3 of 4 for training). A recording is a family: the cuts
// "<family>#<cut>" of one session move together (each other curated row is its own recording).
const perClassTrain = new Map<string, Map<string, string[][]>>();
for (const r of curated) {
  if (r[0].startsWith("timgm6mb:")) r[8] = "train";
  // (val counts as train here, so re-running the script on its own output changes nothing)
  if ((r[8] !== "train" && r[8] !== "val") || r[9] !== "event" || r[3] !== "") continue;
  r[8] = "train";
  const families = perClassTrain.get(r[4]) ?? new Map<string, string[][]>();
  families.set(recordingOf(r[0]), [...(families.get(recordingOf(r[0])) ?? []), r]);
  perClassTrain.set(r[4], families);
}
for (const families of perClassTrain.values()) {
  if (families.size >= 4) [...families.values()].forEach((cuts, i) => i % 4 === 3 && cuts.forEach((r) => (r[8] = "val")));
}

const rows: string[][] = [];
const add = (id: string, pkg: string, path: string, render: string, index: number, licence: string, role: string): void => {
  const c = classOf.get(index)!;
  rows.push([id, pkg, path, render, String(index), c.mid, c.name, licence, role, "event"]);
};
const recipe = (font: string, bank: number, program: number, notes: number[], step: number, hold: number, tail: number, drums: boolean, velocity: number): string =>
  `fluidsynth;font=${font};bank=${bank};program=${program};notes=${notes.join("+")};step=${step};hold=${hold};tail=${tail};drums=${drums ? 1 : 0};velocity=${velocity}`;

const SCALES = [[0, 2, 4, 5, 7, 9, 11, 12], [0, 2, 3, 5, 7, 8, 10, 12], [0, 3, 5, 7, 10, 12], [0, 4, 7, 12]];
for (const [fontName, font] of Object.entries(FONTS)) {
  for (const inst of INSTRUMENTS) {
    for (const program of inst.programs) {
      for (let k = 0; k < font.perProgram; k++) {
        const articulation = ["melody", "held", "staccato", "arpeggio"][k % 4];
        const root = inst.centre + pick([-12, -7, -5, 0, 0, 5, 7, 12]);
        const scale = pick(SCALES);
        const velocity = Math.round(between(55, 120));
        let notes: number[];
        let step: number;
        let hold: number;
        if (articulation === "held") {
          notes = [root, root + pick([3, 4]), root + 7].slice(0, 1 + Math.floor(rng() * 3));
          step = 0;
          hold = round(between(1.2, 2.5));
        } else {
          const count = articulation === "staccato" ? 5 + Math.floor(rng() * 4) : 3 + Math.floor(rng() * 4);
          notes = Array.from({ length: count }, () => root + pick(scale));
          step = round(articulation === "staccato" ? between(0.12, 0.22) : between(0.25, 0.55));
          hold = round(articulation === "staccato" ? step * 0.5 : step * 0.92);
        }
        const id = `gm:${fontName}/${inst.index}/p${program}/${k}`;
        add(id, font.pkg, "", recipe(font.path, 0, program, notes, step, hold, 0.8, false, velocity), inst.index, font.licence, font.role);
      }
    }
  }
  for (const drum of DRUMS) {
    for (const kit of KITS) {
      const note = pick(drum.notes);
      const hits = 1 + Math.floor(rng() * 4);
      const step = round(between(0.18, 0.5));
      const velocity = Math.round(between(60, 125));
      const id = `gm:${fontName}/${drum.index}/kit${kit}`;
      add(id, font.pkg, "", recipe(font.path, 128, kit, Array(hits).fill(note), step, 0.15, 0.8, true, velocity), drum.index, font.licence, font.role);
    }
  }
  for (const fx of EFFECTS) {
    for (let k = 0; k < 2; k++) {
      const note = pick([48, 55, 60, 64, 67, 72]);
      const repeats = fx.hold < 1 ? 1 + Math.floor(rng() * 3) : 1;
      const step = fx.hold < 1 ? round(between(0.4, 0.9)) : fx.hold;
      const id = `gm:${fontName}/${fx.index}/fx${fx.program}/${k}`;
      add(id, font.pkg, "", recipe(font.path, 0, fx.program, Array(repeats).fill(note), step, fx.hold, 0.8, false, Math.round(between(70, 120))), fx.index, font.licence, font.role);
    }
  }
}

function walk(dir: string, out: string[]): string[] {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else out.push(path);
  }
  return out;
}
const TUX = "/usr/share/tuxpaint/stamps";
if (existsSync(TUX)) {
  const files = walk(TUX, []);
  for (const [lang, role] of Object.entries(SPEECH_LANGUAGES)) {
    const mine = files.filter((f) => f.endsWith(`_desc_${lang}.ogg`));
    const stride = Math.max(1, Math.floor(mine.length / SPEECH_PER_LANGUAGE));
    for (let i = 0; i < mine.length && i / stride < SPEECH_PER_LANGUAGE; i += stride) {
      const rel = mine[i].slice(TUX.length + 1).replace(/\.ogg$/, "");
      add(`tuxspeech:${rel}`, "tuxpaint-stamps-default", mine[i], "", 0, "GPL-2", role);
    }
  }
}
const HW = "/usr/share/games/hedgewars/Data/Sounds/voices";
const curatedIds = new Set(curated.map((r) => r[0]));
for (const [pack, role] of Object.entries(VOICE_PACKS)) {
  let added = 0;
  for (const word of VOICE_WORDS) {
    const path = `${HW}/${pack}/${word}.ogg`;
    if (added >= MORE_WORDS_PER_PACK || curatedIds.has(`hedgewars:voices/${pack}/${word}`) || !existsSync(path)) continue;
    add(`hwvoice:${pack}/${word}`, "hedgewars-data", path, "", 0, "GFDL-1.3", role);
    added++;
  }
}

// Thin classes: real recordings from packages whose members the setup script extracts (0ad-data, supertuxkart-data,
// wesnoth-1.16-data → /usr/share/psl-lab-demo/<package>/<member>) or that it installs (lomiri-sounds). One entry per
// recording FAMILY (all its cuts take its role). Roles: more training recordings first; eval keeps at least one
// recording training never heard (a new one where eval had only a render); val only for Music (9 training tracks).
// Duration / RMS below are of the file as shipped (sox, 16 kHz mono).
const EXTRACTED = "/usr/share/psl-lab-demo";
interface ThinFamily {
  family: string;
  pkg: "0ad-data" | "supertuxkart-data" | "wesnoth-1.16-data" | "lomiri-sounds";
  files: string[];
  index: number;
  licence: string;
  role: "train" | "val" | "eval";
  usage?: "event" | "bed";
}
const PACKAGE_ROOT: Record<ThinFamily["pkg"], string> = {
  "0ad-data": `${EXTRACTED}/0ad-data`, // members of public.zip
  "supertuxkart-data": `${EXTRACTED}/supertuxkart-data`, // below /usr/share/games/supertuxkart/data
  "wesnoth-1.16-data": `${EXTRACTED}/wesnoth-1.16-data`, // below /usr/share/games/wesnoth/1.16/data/core/sounds
  "lomiri-sounds": "/usr/share/sounds/lomiri",
};
const OAD = "CC-BY-SA-3.0"; // Wildfire Games (audio/LICENSE.txt of 0ad-data)
const FAUNA = "audio/actor/fauna/animal";
const THIN_FAMILIES: ThinFamily[] = [
  // Dog: one bark, 1.0 s, RMS 0.029 (civ_dog_move, 0.4 s, is a yelp of the same session: left out).
  { family: "0ad:dog-bark", pkg: "0ad-data", files: ["audio/voice/global/civ_dog_bark.ogg"], index: 74, licence: OAD, role: "train" },
  // Cattle: cattle_01..07 are moos of ONE session (same noise floor, band limit, mastering): one family, 3 cuts
  // (2.1–2.7 s, RMS 0.06–0.12). supertuxkart's black_forest/cow.ogg is tuxpaint's cow_white (eval), rejected.
  { family: "0ad:cattle-session", pkg: "0ad-data", files: [`${FAUNA}/cattle_02.ogg`, `${FAUNA}/cattle_05.ogg`, `${FAUNA}/cattle_06.ogg`], index: 90, licence: OAD, role: "train" },
  // Pig: grunts (pig_10 = pig_12 sample for sample; 1.3 s) and a squeal (pig_death 1.7 s; pig_squeal_move is a cut of it).
  { family: "0ad:pig-grunt", pkg: "0ad-data", files: [`${FAUNA}/pig_10.ogg`], index: 93, licence: OAD, role: "train" },
  { family: "0ad:pig-squeal", pkg: "0ad-data", files: [`${FAUNA}/pig_death.ogg`], index: 93, licence: OAD, role: "eval" },
  // Sheep: one bleat, 1.1 s (sheep_11 is the same bleat pitch-shifted); supertuxkart's field recording, 18 s, 5 bleats.
  { family: "0ad:sheep-bleat", pkg: "0ad-data", files: [`${FAUNA}/sheep_10.ogg`], index: 97, licence: OAD, role: "train" },
  { family: "stk:sheep", pkg: "supertuxkart-data", files: ["tracks/scotland/sheep.ogg"], index: 97, licence: "GPL-3+", role: "train" },
  // Chicken: clucking series of one session (chicken_10 is near silent, RMS 0.004: left out).
  { family: "0ad:hen-session", pkg: "0ad-data", files: [`${FAUNA}/chicken_11.ogg`, `${FAUNA}/chicken_13.ogg`], index: 99, licence: OAD, role: "train" },
  // Roaring cats: lion growls/roars (lion_attack2 is an edit of the same material).
  { family: "0ad:lion-session", pkg: "0ad-data", files: [`${FAUNA}/lion_attack1.ogg`, `${FAUNA}/lion_select1.ogg`], index: 109, licence: OAD, role: "train" },
  // Thunder: 0ad's two storm recordings (12–13 s, quiet: RMS 0.02) as one family; supertuxkart's strike (2.4 s, CC-BY-3.0
  // Mike Koenig); wesnoth's lightning spell, a thunder clap (3.5 s).
  { family: "0ad:thunder-session", pkg: "0ad-data", files: ["audio/ambient/weather/thunder_10.ogg", "audio/ambient/weather/thunder_11.ogg"], index: 287, licence: OAD, role: "train" },
  { family: "stk:thunder", pkg: "supertuxkart-data", files: ["sfx/thunder.ogg"], index: 287, licence: "CC-BY-3.0", role: "train" },
  { family: "wesnoth:lightning", pkg: "wesnoth-1.16-data", files: ["lightning.ogg"], index: 287, licence: "GPL-2+", role: "train" },
  // Camera: shutter clicks, 0.3 s (camera_focus is a synthetic focus beep: left out).
  { family: "lomiri:camera-click", pkg: "lomiri-sounds", files: ["camera/click/camera_click.ogg"], index: 416, licence: "CC0-1.0", role: "train" },
  // Explosion: eval had only a GS render; supertuxkart's (CC0) becomes its real eval recording, wesnoth's trains.
  { family: "wesnoth:explosion", pkg: "wesnoth-1.16-data", files: ["explosion.ogg"], index: 426, licence: "GPL-2+", role: "train" },
  { family: "stk:explosion", pkg: "supertuxkart-data", files: ["sfx/explosion.ogg"], index: 426, licence: "CC0", role: "eval" },
  // Splash: replaces hedgewars planewater (a 1.8-s drone) and rubberduck_water (two rubber-duck squeaks), which were no
  // splashes. supertuxkart's splash (CC-BY-SA-4.0) is the eval recording; wesnoth's water blast trains (label doubtful).
  { family: "wesnoth:water-blast", pkg: "wesnoth-1.16-data", files: ["water-blast.wav"], index: 445, licence: "GPL-2+", role: "train" },
  { family: "stk:splash", pkg: "supertuxkart-data", files: ["sfx/splash.ogg"], index: 445, licence: "CC-BY-SA-4.0", role: "eval" },
  // Music beds: 8 of 0ad's 62 tracks, 54–106 s (each its own recording; Taiko_1 left out: drums only).
  ...["0_8Bit_Bonus_Track", "Alba_Longa_Burns", "Dried_Tears", "From_Every_Corner", "Karmic_Confluence", "The_Governor"].map(
    (track): ThinFamily => ({ family: `0ad:music/${track}`, pkg: "0ad-data", files: [`audio/music/${track}.ogg`], index: 137, licence: OAD, role: "train", usage: "bed" }),
  ),
  { family: "0ad:music/Harvest_Moon", pkg: "0ad-data", files: ["audio/music/Harvest_Moon.ogg"], index: 137, licence: OAD, role: "val", usage: "bed" },
  { family: "0ad:music/Roman_Ingenuity", pkg: "0ad-data", files: ["audio/music/Roman_Ingenuity.ogg"], index: 137, licence: OAD, role: "eval", usage: "bed" },
];
for (const f of THIN_FAMILIES) {
  for (const file of f.files) {
    const id = f.files.length > 1 ? `${f.family}#${basename(file).replace(/\.[a-z]+$/, "")}` : f.family;
    const c = classOf.get(f.index)!;
    rows.push([id, f.pkg, `${PACKAGE_ROOT[f.pkg]}/${file}`, "", String(f.index), c.mid, c.name, f.licence, f.role, f.usage ?? "event"]);
  }
}

const all = [...curated, ...rows];
writeFileSync(CSV, [header, ...all.map((r) => r.map(field).join(","))].join("\n") + "\n");
const counts = new Map<string, Record<string, number>>();
for (const r of all) {
  const key = `${r[4].padStart(3)} ${r[6]}`;
  const c = counts.get(key) ?? { train: 0, val: 0, eval: 0, domain2: 0 };
  c[r[8]] += 1;
  counts.set(key, c);
}
for (const [key, c] of [...counts].sort()) console.log(`${key.padEnd(50)} train ${String(c.train).padStart(3)}  val ${String(c.val).padStart(3)}  eval ${String(c.eval).padStart(3)}  domain2 ${String(c.domain2).padStart(3)}`);
console.log(`${all.length} rows (${rows.length} generated) → ${basename(CSV)}`);
