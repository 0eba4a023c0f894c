/**
 * Split sizes of the demo corpus. The default is sized for the whole demo reproduction (teacher on `full`, several
 * students on `balanced`, evaluation on `eval` and `domain2`) to fit in about 30 minutes on a 2-core machine; `quick`
 * is a tenth of it for CI and smoke tests. See data-manifests/demo/README.md for the reasoning.
 */
import { UserError } from "../errors";

export interface DemoSizes {
  /** Teacher training clips (unbalanced class frequencies). */
  full: number;
  /** Student training clips (class-balanced, disjoint from full). */
  balanced: number;
  /** Held-out clips for early stopping (training sources, balanced). */
  val: number;
  /** Evaluation clips (evaluation sources; weak labels = truth). */
  eval: number;
  /** Second-domain isolated events (second-domain sources). */
  domain2: number;
}

export type DemoProfile = "quick" | "default";

export const PROFILES: Record<DemoProfile, DemoSizes> = {
  quick: { full: 120, balanced: 30, val: 10, eval: 30, domain2: 20 },
  default: { full: 4000, balanced: 500, val: 200, eval: 500, domain2: 300 },
};

export function resolveSizes(profile: DemoProfile = "default", overrides: Partial<DemoSizes> = {}): DemoSizes {
  if (!(profile in PROFILES)) throw new UserError(`demo corpus profile "${profile}" (quick or default)`);
  const sizes = { ...PROFILES[profile], ...overrides };
  for (const [split, n] of Object.entries(sizes)) {
    if (!Number.isInteger(n) || n < 1 || n > 1_000_000) throw new UserError(`demo corpus size of ${split} must be a positive integer, got ${n}`);
  }
  return sizes;
}
