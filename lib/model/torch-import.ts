/**
 * Import of PyTorch checkpoints of the reference model (e.g. the authors' released teacher) without Python: the file
 * is read by lib/io/torch-file.ts (zip or legacy torch.save format, plain state_dict or the usual wrappers); this
 * module maps its tensors onto the kit's MobileNetV2.
 * `front_end.*` buffers (the reference's mel filterbank/window) and `num_batches_tracked` are ignored; every model key
 * must be present with the right shape, otherwise a UserError lists what is missing/unexpected/mis-shaped — never a
 * model that silently keeps random weights; a NaN/Inf value or a negative BatchNorm variance is a UserError naming the
 * tensor (./check-weights.ts). numClasses and widthMult are inferred from the tensor shapes.
 */
import { readFileSync } from "node:fs";
import { UserError } from "../errors";
import { extractStateDict, readTorchFile, type TorchTensor } from "../io/torch-file";
import { INVERTED_RESIDUAL_SETTINGS, modelPlan, tensorSpecs, type ModelConfig } from "./config";
import { torchToKit } from "./layout";
import { createMobileNetV2FromWeights, type MobileNetV2 } from "./mobilenetv2";
import { checkModelValues } from "./check-weights";

/** numClasses and widthMult that reproduce the state dict's shapes (UserError when none does). */
export function inferModelConfig(stateDict: Map<string, TorchTensor>, name: string): ModelConfig {
  const bias = stateDict.get("classifier.1.bias");
  const stem = stateDict.get("features.0.0.weight");
  if (!bias || !stem) {
    const missing = ["classifier.1.bias", "features.0.0.weight"].filter((k) => !stateDict.has(k));
    throw new UserError(`${name}: not a PSL MobileNetV2 state_dict (missing ${missing.join(", ")}; keys start with ${[...stateDict.keys()].slice(0, 5).join(", ")})`);
  }
  const numClasses = bias.shape[0];
  // Each width-scaled layer with observed channels o constrains widthMult to [o/c, (o+1)/c) (int() truncation).
  const interval = (constraints: [number, number | undefined][]): [number, number] => {
    let lo = 0;
    let hi = Infinity;
    for (const [base, observed] of constraints) {
      if (observed === undefined) continue;
      lo = Math.max(lo, observed / base);
      hi = Math.min(hi, (observed + 1) / base);
    }
    return [lo, hi];
  };
  const stemOnly: [number, number | undefined][] = [[32, stem.shape[0]]];
  const all = [...stemOnly];
  let block = 1;
  for (const [, c, n] of INVERTED_RESIDUAL_SETTINGS) {
    all.push([c, stateDict.get(`features.${block + n - 1}.conv.${c === 16 ? 2 : 3}.weight`)?.shape[0]]);
    block += n;
  }
  // A single mis-shaped tensor must not hide the config (the caller then reports exactly that tensor), so fall back
  // to the stem alone when the stages disagree, and among the candidates keep the one matching the most shapes.
  let best: { config: ModelConfig; mismatches: number } | undefined;
  for (const [lo, hi] of [interval(all), interval(stemOnly)]) {
    for (const widthMult of widthCandidates(lo, hi)) {
      try {
        const config = { numClasses, widthMult };
        const mismatches = tensorSpecs(modelPlan(config)).filter((s) => !stateDict.has(s.key) || !sameShape(stateDict.get(s.key)!.shape, s.torchShape)).length;
        if (!best || mismatches < best.mismatches) best = { config, mismatches };
      } catch {
        // invalid candidate (e.g. 0 channels): try the next
      }
    }
    if (best) break;
  }
  if (!best) throw new UserError(`${name}: the tensor shapes match no MobileNetV2 width (stem has ${stem.shape[0]} channels)`);
  return best.config;
}

/** Width multipliers in [lo, hi): the usual published values first, then the shortest decimals. */
function widthCandidates(lo: number, hi: number): number[] {
  if (!(lo < hi)) return [];
  const common = [1.0, 0.5, 0.75, 0.25, 0.35, 1.25, 1.3, 1.4, 1.5, 2.0, 0.1, 0.2, 0.3, 0.4, 0.6, 0.7, 0.8, 0.9];
  const out = common.filter((w) => w >= lo && w < hi);
  for (let digits = 1; digits <= 6; digits++) {
    const scale = 10 ** digits;
    const first = Math.ceil(lo * scale);
    for (let v = first; v / scale < hi && v <= first + 2; v++) if (!out.includes(v / scale)) out.push(v / scale);
  }
  return out;
}

function sameShape(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

const IGNORED = (key: string) => key.startsWith("front_end.") || key.endsWith(".num_batches_tracked");

/** Validates a state dict against the model and converts it to kit-layout weights. */
export function stateDictToWeights(stateDict: Map<string, TorchTensor>, name: string): { config: ModelConfig; values: Map<string, Float32Array> } {
  const config = inferModelConfig(stateDict, name);
  const specs = tensorSpecs(config);
  const expected = new Set(specs.map((s) => s.key));
  const missing = specs.filter((s) => !stateDict.has(s.key)).map((s) => s.key);
  const unexpected = [...stateDict.keys()].filter((k) => !expected.has(k) && !IGNORED(k));
  const misshaped = specs
    .filter((s) => stateDict.has(s.key) && !sameShape(stateDict.get(s.key)!.shape, s.torchShape))
    .map((s) => `${s.key} [${stateDict.get(s.key)!.shape}] ≠ expected [${s.torchShape}]`);
  if (missing.length || unexpected.length || misshaped.length) {
    const list = (label: string, items: string[]) => (items.length ? `\n  ${label} (${items.length}): ${items.slice(0, 10).join(", ")}${items.length > 10 ? ", …" : ""}` : "");
    throw new UserError(
      `${name}: state_dict does not match MobileNetV2 ${JSON.stringify(config)}` +
        list("missing", missing) +
        list("unexpected", unexpected) +
        list("wrong shape", misshaped),
    );
  }
  const values = new Map<string, Float32Array>();
  for (const spec of specs) {
    const tensor = stateDict.get(spec.key)!;
    if (!(tensor.data instanceof Float32Array)) throw new UserError(`${name}: tensor "${spec.key}" has dtype ${tensor.dtype}, expected a float type`);
    values.set(spec.key, torchToKit(spec, tensor.data));
  }
  checkModelValues(name, values);
  return { config, values };
}

/** Builds a kit model from a PyTorch checkpoint file of the reference model. */
export function importTorchCheckpoint(path: string): MobileNetV2 {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new UserError(`cannot read ${path}: ${(error as Error).message}`);
  }
  const { config, values } = stateDictToWeights(extractStateDict(readTorchFile(bytes, path), path), path);
  return createMobileNetV2FromWeights(config, values);
}
