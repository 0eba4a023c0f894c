/**
 * Seeded, backend-independent weight initialisation, matching the reference's init scheme:
 * xavier-uniform convolutions, N(0, 0.01) linear weights, zero biases, BN γ=1 β=0, running mean 0 / var 1.
 *
 * Values are drawn in JS from a small counter-free PRNG (not tf.random*) so that a seed gives the same weights on
 * every tfjs backend and every tfjs version.
 */
import { mulberry32 } from "../data/random";
import type { TensorSpec } from "./config";

/** Weight-init stream: mulberry32 with the seed mixed by the golden ratio (so seed 0 is not the zero state). */
function createUniform(seed: number): () => number {
  return mulberry32((Math.trunc(seed) ^ 0x9e3779b9) >>> 0);
}

/**
 * PyTorch's fan computation (torch.nn.init._calculate_fan_in_and_fan_out) on the PyTorch shape:
 * fan_in = size(1) · receptive field, fan_out = size(0) · receptive field. For a depthwise conv size(1) = 1
 * (cin / groups), so fan_in = 9 and fan_out = 9·C — not the 9·C / 9·C a naive [kh,kw,C,1] reading would give.
 */
export function torchFans(torchShape: number[]): { fanIn: number; fanOut: number } {
  const receptive = torchShape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: torchShape[1] * receptive, fanOut: torchShape[0] * receptive };
}

/** Initial values (kit layout) for every tensor of `specs`, deterministic in `seed`. */
export function initialValues(specs: TensorSpec[], seed: number): Map<string, Float32Array> {
  const uniform = createUniform(seed);
  const out = new Map<string, Float32Array>();
  for (const spec of specs) {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    switch (spec.role) {
      case "conv": {
        const { fanIn, fanOut } = torchFans(spec.torchShape);
        const bound = Math.sqrt(6 / (fanIn + fanOut));
        for (let i = 0; i < size; i++) values[i] = (2 * uniform() - 1) * bound;
        break;
      }
      case "linear-weight":
        // Box–Muller; 1 - u keeps the log argument in (0, 1].
        for (let i = 0; i < size; i += 2) {
          const r = Math.sqrt(-2 * Math.log(1 - uniform()));
          const theta = 2 * Math.PI * uniform();
          values[i] = 0.01 * r * Math.cos(theta);
          if (i + 1 < size) values[i + 1] = 0.01 * r * Math.sin(theta);
        }
        break;
      case "bn-weight":
      case "bn-running-var":
        values.fill(1);
        break;
      default:
        break; // biases, BN β and running means start at 0
    }
    out.set(spec.key, values);
  }
  return out;
}
