/**
 * The standard normal CDF Φ and its inverse Φ⁻¹, accurate to ~1e-14, for d′ = √2·Φ⁻¹(AUC).
 *
 * Hand-written because JavaScript has no erf/erfc and no normal quantile, and none of the kit's dependencies provides
 * one (pulling a statistics package for two functions is not worth it). Checked against scipy.stats.norm.ppf to 1e-9 in
 * test/evaluation/metrics.test.ts (fixtures from scripts/fixtures/make_metrics_fixtures.py).
 */

const SQRT_PI = Math.sqrt(Math.PI);
const SQRT_2PI = Math.sqrt(2 * Math.PI);

/**
 * erfc(z) for z ≥ 0 with full double relative accuracy in practice.
 * - z < 2: erf from the all-positive series erf(z) = 2/√π·e^{−z²}·Σ 2ⁿz^{2n+1}/(1·3·…·(2n+1)) (no cancellation),
 *   then 1 − erf; erfc(2) ≈ 0.0047, so the subtraction costs at most ~2 digits.
 * - z ≥ 2: the Laplace continued fraction erfc(z) = e^{−z²}/√π / (z + (1/2)/(z + 1/(z + (3/2)/(z + …)))),
 *   evaluated with the modified Lentz method; it converges quickly there and keeps relative accuracy in the far tail.
 */
function erfcNonNegative(z: number): number {
  if (z < 2) {
    let term = z;
    let sum = z;
    for (let n = 1; n < 200; n += 1) {
      term *= (2 * z * z) / (2 * n + 1);
      sum += term;
      if (term < sum * 1e-17) break;
    }
    return 1 - (2 / SQRT_PI) * Math.exp(-z * z) * sum;
  }
  const tiny = 1e-300;
  let f = z;
  let c = z;
  let d = 0;
  for (let n = 1; n < 500; n += 1) {
    const a = n / 2;
    d = z + a * d;
    d = Math.abs(d) < tiny ? tiny : d;
    c = z + a / c;
    c = Math.abs(c) < tiny ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-z * z) / SQRT_PI / f;
}

/** Upper tail Q(x) = 1 − Φ(x), accurate in relative terms for large x. */
export function normalSf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  return x >= 0 ? 0.5 * erfcNonNegative(x / Math.SQRT2) : 1 - 0.5 * erfcNonNegative(-x / Math.SQRT2);
}

/** Φ(x), the standard normal CDF, accurate in relative terms for very negative x. */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  return x <= 0 ? 0.5 * erfcNonNegative(-x / Math.SQRT2) : 1 - 0.5 * erfcNonNegative(x / Math.SQRT2);
}

// Acklam's rational approximation of Φ⁻¹ (relative error < 1.15e-9), refined below by one Halley step.
const A = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
const B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const C = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
const P_LOW = 0.02425;

function acklamTail(q: number): number {
  return (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1);
}

/**
 * Φ⁻¹(p), the standard normal quantile (scipy.stats.norm.ppf). Returns −∞ at 0, +∞ at 1, NaN outside [0, 1].
 * One Halley step on Acklam's estimate; for p > 0.5 the residual is formed from 1 − p (exact in floating point for
 * p ≥ 0.5) against the upper tail, so quantiles close to 1 keep their accuracy.
 */
export function normalQuantile(p: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1) return NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  let x: number;
  if (p < P_LOW) {
    x = acklamTail(Math.sqrt(-2 * Math.log(p)));
  } else if (p <= 1 - P_LOW) {
    const q = p - 0.5;
    const r = q * q;
    x = ((((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q) /
      (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1);
  } else {
    x = -acklamTail(Math.sqrt(-2 * Math.log(1 - p)));
  }
  // Halley step on f(x) = Φ(x) − p; f' = φ(x), f''/f' = −x.
  const residual = p > 0.5 ? 1 - p - normalSf(x) : normalCdf(x) - p;
  const u = residual * SQRT_2PI * Math.exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
}
