/**
 * Per-split clip plans and their labels. Everything here is drawn from seeded generators only (no audio needed), so
 * labels, strong labels and manifests can be rebuilt exactly without rendering.
 */
import { createRng, type Rng } from "../data/random";
import { UserError } from "../errors";
import { SAMPLE_RATE } from "../audio/frontend";
import { CLIP_SECONDS, drawEventCount, placeBed, placeEvent, uniform, type ClipPlan, type EventPlacement, type NoiseColour, type SourceInfo } from "./mix";
import { dropProbability, drawWrongLabel, type LabelNoiseModel } from "./weak-labels";

export type SplitName = "full" | "balanced" | "val" | "eval" | "domain2";
export const SPLITS: SplitName[] = ["full", "balanced", "val", "eval", "domain2"];

export interface ClassLabelStat {
  classIndex: number;
  /** Union of the class's event intervals in the clip (s). */
  activeSeconds: number;
  /** Loudest placement of the class, dB relative to the normalised source level. */
  levelDb: number;
  dropProbability: number;
  /** In the weak labels? */
  kept: boolean;
}

export interface ClipRecord {
  /** Relative to the split folder (the manifest's folder). */
  filename: string;
  /** FSD-style id (domain2 only), else "". */
  fname: string;
  plan: ClipPlan;
  trueLabels: number[];
  /** AudioSet-like noisy labels: true labels minus the dropped ones, plus `wrongLabels`. */
  weakLabels: number[];
  /** Labels in `weakLabels` that are not in the clip (wrong labels). */
  wrongLabels: number[];
  stats: ClassLabelStat[];
}

export interface SourcePool {
  /** Event sources by class index. */
  events: Map<number, SourceInfo[]>;
  /** Music beds (labelled with their class). */
  beds: SourceInfo[];
}

const NOISES: NoiseColour[] = ["white", "pink", "brown", "room"];
/** Share of training/eval clips with a quiet music bed under the events (background music is common in AudioSet). */
const BED_PROBABILITY = 0.3;
/** Share of clips recorded "in a room": their events get reverberation (the rest are dry, like close-miked sources). */
const REVERB_PROBABILITY = 0.5;

function unionSeconds(intervals: [number, number][]): number {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  let total = 0;
  let curStart = -1;
  let curEnd = -1;
  for (const [s, e] of sorted) {
    if (s > curEnd) {
      if (curEnd > curStart) total += curEnd - curStart;
      curStart = s;
      curEnd = e;
    } else curEnd = Math.max(curEnd, e);
  }
  if (curEnd > curStart) total += curEnd - curStart;
  return total;
}

/**
 * True labels from the plan; weak labels degraded by `noise` — salience-dependent missing labels, then possibly one
 * wrong label from `classes` (equal to the truth when `noise` is null).
 */
export function labelClip(plan: ClipPlan, rng: Rng, noise: LabelNoiseModel | null, classes: readonly number[] = []): Pick<ClipRecord, "trueLabels" | "weakLabels" | "wrongLabels" | "stats"> {
  const byClass = new Map<number, EventPlacement[]>();
  for (const event of plan.events) {
    const list = byClass.get(event.classIndex) ?? [];
    list.push(event);
    byClass.set(event.classIndex, list);
  }
  const trueLabels = [...byClass.keys()].sort((a, b) => a - b);
  const stats: ClassLabelStat[] = trueLabels.map((classIndex) => {
    const events = byClass.get(classIndex)!;
    const activeSeconds = Math.round(unionSeconds(events.map((e) => [e.onset, e.offset])) * 100) / 100;
    const levelDb = Math.round(Math.max(...events.map((e) => e.gainDb)) * 10) / 10;
    const p = noise === null ? 0 : dropProbability(activeSeconds, levelDb, noise.missing);
    return { classIndex, activeSeconds, levelDb, dropProbability: Math.round(p * 1000) / 1000, kept: rng.next() >= p };
  });
  // Every AudioSet clip carries at least one label: if all were dropped, keep the most salient (least likely dropped).
  if (stats.length > 0 && !stats.some((s) => s.kept)) {
    stats.reduce((best, s) => (s.dropProbability < best.dropProbability ? s : best)).kept = true;
  }
  const wrong = noise === null ? null : drawWrongLabel(trueLabels, classes, noise.wrong, () => rng.next());
  const wrongLabels = wrong === null ? [] : [wrong];
  const weakLabels = [...stats.filter((s) => s.kept).map((s) => s.classIndex), ...wrongLabels].sort((a, b) => a - b);
  return { trueLabels, weakLabels, wrongLabels, stats };
}

/** Zipf-like class weights over a seeded random class order: w ∝ 1/rank^exponent (AudioSet's full set is long-tailed). */
export function zipfWeights(classes: number[], rng: Rng, exponent: number): Map<number, number> {
  const order = rng.shuffle([...classes]);
  return new Map(order.map((c, rank) => [c, 1 / (rank + 1) ** exponent]));
}

function drawWeighted(rng: Rng, weights: Map<number, number>, exclude: Set<number>): number {
  let total = 0;
  for (const [c, w] of weights) if (!exclude.has(c)) total += w;
  let u = rng.next() * total;
  let last = -1;
  for (const [c, w] of weights) {
    if (exclude.has(c)) continue;
    last = c;
    u -= w;
    if (u < 0) return c;
  }
  return last;
}

export interface MixedSplitOptions {
  split: "full" | "balanced" | "val" | "eval";
  count: number;
  pool: SourcePool;
  /** "zipf": unbalanced class frequencies; "balanced": every class leads the same number of clips (±1). */
  classDistribution: { kind: "zipf"; exponent: number } | { kind: "balanced" };
  /** Degrades `weakLabels` (for eval: the noisy copy; its manifest keeps the truth). */
  labelNoise: LabelNoiseModel | null;
  /** Every class the corpus scores (candidates for wrong labels). */
  classes: readonly number[];
  seed: number;
}

/** Plans `count` 10-s clips of 1–4 event classes over a background, with labels. */
export function planMixedSplit(options: MixedSplitOptions): ClipRecord[] {
  const { pool, count, split } = options;
  const classes = [...pool.events.keys()].sort((a, b) => a - b);
  if (classes.length === 0) throw new UserError(`demo corpus: no event sources available for split ${split}`);
  const rng = createRng(options.seed);
  const weights =
    options.classDistribution.kind === "zipf" ? zipfWeights(classes, rng.fork(), options.classDistribution.exponent) : new Map(classes.map((c) => [c, 1]));
  let cycle: number[] = [];
  const records: ClipRecord[] = [];
  for (let i = 0; i < count; i++) {
    const clipRng = rng.fork();
    const chosen = new Set<number>();
    const k = Math.min(drawEventCount(clipRng), classes.length);
    if (options.classDistribution.kind === "balanced") {
      if (cycle.length === 0) cycle = clipRng.shuffle([...classes]);
      chosen.add(cycle.pop()!);
    }
    while (chosen.size < k) chosen.add(drawWeighted(clipRng, weights, chosen));
    const events: EventPlacement[] = [];
    const beds = pool.beds;
    if (beds.length > 0 && clipRng.next() < BED_PROBABILITY) {
      events.push(placeBed(clipRng, beds[clipRng.int(beds.length)], CLIP_SECONDS, uniform(clipRng, -28, -14)));
    }
    [...chosen].forEach((classIndex, slot) => {
      const sources = pool.events.get(classIndex)!;
      // The first slot is the clip's prominent sound; the others range down to faint background events.
      const gainDb = slot === 0 ? uniform(clipRng, -6, 0) : uniform(clipRng, -24, 0);
      events.push(...placeEvent(clipRng, sources[clipRng.int(sources.length)], CLIP_SECONDS, Math.round(gainDb * 10) / 10));
    });
    const plan: ClipPlan = {
      seconds: CLIP_SECONDS,
      noise: { colour: NOISES[clipRng.int(NOISES.length)], levelDb: Math.round(uniform(clipRng, -55, -35)), seed: clipRng.int(2 ** 31) },
      events,
    };
    if (clipRng.next() < REVERB_PROBABILITY) {
      plan.reverb = { wetDb: Math.round(uniform(clipRng, -18, -4) * 10) / 10, decaySeconds: Math.round(uniform(clipRng, 0.2, 1.2) * 100) / 100 };
    }
    records.push({
      filename: `audio/${split}_${String(i).padStart(5, "0")}.wav`,
      fname: "",
      plan,
      ...labelClip(plan, clipRng, options.labelNoise, options.classes),
    });
  }
  return records;
}

/** Isolated events of 0.3–30 s (log-uniform), FSD50K-like: one class per clip, the source repeated with gaps to length. */
export function planDomain2(pool: SourcePool, count: number, seed: number): ClipRecord[] {
  const classes = [...pool.events.keys()].sort((a, b) => a - b);
  if (classes.length === 0) throw new UserError("demo corpus: no second-domain sources available");
  const rng = createRng(seed);
  let cycle: number[] = [];
  const records: ClipRecord[] = [];
  for (let i = 0; i < count; i++) {
    const clipRng = rng.fork();
    if (cycle.length === 0) cycle = clipRng.shuffle([...classes]);
    const classIndex = cycle.pop()!;
    const sources = pool.events.get(classIndex)!;
    const source = sources[clipRng.int(sources.length)];
    const seconds = Math.round(Math.exp(uniform(clipRng, Math.log(0.3), Math.log(30))) * 100) / 100;
    const gainDb = Math.round(uniform(clipRng, -6, 0) * 10) / 10;
    const speed = uniform(clipRng, 0.97, 1.03);
    const pieceSeconds = source.length / SAMPLE_RATE / speed;
    const events: EventPlacement[] = [];
    let t = 0;
    while (t < seconds - 0.05) {
      const offset = Math.min(seconds, Math.round((t + pieceSeconds) * 100) / 100);
      events.push({ sourceId: source.sourceId, classIndex, onset: t, offset, sourceStart: 0, speed, gainDb });
      t = Math.round((offset + uniform(clipRng, 0.1, 1)) * 100) / 100;
    }
    const plan: ClipPlan = {
      seconds,
      noise: { colour: clipRng.next() < 0.5 ? "white" : "pink", levelDb: Math.round(uniform(clipRng, -65, -50)), seed: clipRng.int(2 ** 31) },
      events,
    };
    const fname = String(100000 + i);
    records.push({ filename: `audio/${fname}.wav`, fname, plan, ...labelClip(plan, clipRng, null) });
  }
  return records;
}
