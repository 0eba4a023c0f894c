/** The arithmetic mean, once for the kit (seed means, curve bands, ratios of means; it was a one-line copy per module). */

/** Sum of `values` left to right divided by their count; NaN when empty. */
export function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}
