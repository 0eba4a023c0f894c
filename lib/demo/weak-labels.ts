/**
 * AudioSet-like degradation of the true clip labels into weak labels.
 *
 * AudioSet's clip labels are incomplete: raters confirmed candidate labels proposed by other systems, so sounds that are
 * short, quiet or in the background were often never labelled (Gemmeke et al., ICASSP 2017, §quality assessment;
 * Fonseca et al., "Addressing missing labels in large-scale sound event recognition", arXiv 2005.00878; Hershey et al.,
 * "The benefit of temporally-strong labels", arXiv 2105.07031, whose strong re-annotation finds many events absent from the
 * weak labels). The PSL paper's missing-label analysis rests on this. No single published rate fits every class, so the
 * model below is a documented, configurable choice: a base rate plus terms that grow as an event gets shorter and quieter,
 * which with the corpus's level/duration distributions drops roughly a quarter to a third of the true labels of the
 * training splits (measured and printed in corpus.json as `missingLabelRate`).
 */

export interface MissingLabelModel {
  /** Drop probability of a long, loud event. */
  base: number;
  /** Added for an event of (almost) zero length, falling linearly to 0 at `shortSeconds` of active time. */
  short: number;
  shortSeconds: number;
  /** Added, linearly from 0 at `quietDb` to `quiet` at `quietDb − quietRangeDb` (level relative to the source reference). */
  quiet: number;
  quietDb: number;
  quietRangeDb: number;
  /** Upper bound, so even a faint blip is labelled sometimes (raters do hear some). */
  max: number;
}

export const DEFAULT_MISSING_LABEL_MODEL: MissingLabelModel = {
  base: 0.1,
  short: 0.25,
  shortSeconds: 2,
  quiet: 0.4,
  quietDb: -6,
  quietRangeDb: 18,
  max: 0.85,
};

/** Probability that a present class is missing from the weak labels, given its total active time and loudest level. */
export function dropProbability(activeSeconds: number, levelDb: number, model: MissingLabelModel = DEFAULT_MISSING_LABEL_MODEL): number {
  const shortness = Math.max(0, 1 - activeSeconds / model.shortSeconds);
  const quietness = Math.min(1, Math.max(0, (model.quietDb - levelDb) / model.quietRangeDb));
  return Math.min(model.max, model.base + model.short * shortness + model.quiet * quietness);
}

/**
 * Wrong weak labels. AudioSet's labels are not only incomplete but sometimes wrong: raters confirmed candidate labels
 * proposed by other systems, and a confirmed candidate is often a *related* sound (Gemmeke et al. 2017 report per-class
 * rater agreement well below 100 % for many classes). Model: with probability `rate` a clip gets one extra weak label
 * of a class that is not in it; with probability `sameCategory` that class comes from the top-level ontology category
 * (human / animal / music / natural / things) of one of the clip's true classes (a plausible confusion), otherwise
 * from all classes. The same model degrades the noisy copy of the eval labels.
 */
export interface WrongLabelModel {
  /** Probability that a clip gets one wrong (absent) label. */
  rate: number;
  /** Probability that the wrong class shares a top-level category with a true class of the clip. */
  sameCategory: number;
}

export const DEFAULT_WRONG_LABEL_MODEL: WrongLabelModel = { rate: 0.2, sameCategory: 0.7 };

/** The demo's label noise: missing labels (salience-dependent) and wrong labels. */
export interface LabelNoiseModel {
  missing: MissingLabelModel;
  wrong: WrongLabelModel;
}

/**
 * Top-level AudioSet category of a class index: AudioSet's class list is ordered by the ontology, so index ranges
 * give it (human sounds 0–71, animal 72–136, music 137–282, natural sounds 283–299, sounds of things 300+).
 */
export function topCategory(classIndex: number): "human" | "animal" | "music" | "natural" | "things" {
  if (classIndex <= 71) return "human";
  if (classIndex <= 136) return "animal";
  if (classIndex <= 282) return "music";
  if (classIndex <= 299) return "natural";
  return "things";
}

/** Draws the wrong label of a clip (or null: none this time, or no candidate class). `next()` is a uniform [0, 1) draw. */
export function drawWrongLabel(trueLabels: readonly number[], classes: readonly number[], model: WrongLabelModel, next: () => number): number | null {
  if (next() >= model.rate) return null;
  const absent = classes.filter((c) => !trueLabels.includes(c));
  if (absent.length === 0) return null;
  const categories = new Set(trueLabels.map(topCategory));
  const related = absent.filter((c) => categories.has(topCategory(c)));
  const pool = related.length > 0 && next() < model.sameCategory ? related : absent;
  return pool[Math.floor(next() * pool.length)];
}
