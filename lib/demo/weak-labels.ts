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
  base: 0.05,
  short: 0.3,
  shortSeconds: 2,
  quiet: 0.5,
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
