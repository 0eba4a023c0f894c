/**
 * Adam exactly as torch.optim.Adam (PyTorch 1.13, single-tensor path), on plain Float32Arrays keyed by
 * variable name, plus optional torch.nn.utils.clip_grad_norm_ before the step.
 *
 * Every arithmetic step is float32, in the order PyTorch performs it, so a run follows PyTorch's parameter
 * trajectory to rounding (tested against a torch fixture). The element-wise update runs in the engine's SIMD
 * kernel (lib/nn/wasm/kernels.c adam_update) on a private WebAssembly memory holding the moments: over the
 * model's 2.9 M parameters a JavaScript loop cost ~10% of a training step.
 * Defaults are PyTorch's: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight_decay 0, amsgrad false.
 */
import { standaloneKernels } from "../nn/wasm/module";

const f = Math.fround;

export interface AdamOptions {
  learningRate?: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  weightDecay?: number;
  amsgrad?: boolean;
  /** Clip the global L2 norm of all gradients to this value before each step (clip_grad_norm_); off when absent. */
  maxGradNorm?: number;
}

/** Optimizer state for exact resume: step count + per-variable moment buffers (copies). */
export interface AdamState {
  step: number;
  options: Required<Omit<AdamOptions, "maxGradNorm">> & { maxGradNorm: number | null };
  expAvg: Record<string, Float32Array>;
  expAvgSq: Record<string, Float32Array>;
  /** Only with amsgrad. */
  maxExpAvgSq?: Record<string, Float32Array>;
}

export interface Adam {
  readonly options: AdamState["options"];
  /** Steps taken so far. */
  readonly stepCount: number;
  /**
   * One update: params[name] updated in place from grads[name] (gradients are not modified).
   * @returns the total gradient norm before clipping (float64), as clip_grad_norm_ returns it (NaN if not clipping).
   */
  step(params: Map<string, Float32Array>, grads: Map<string, Float32Array>): number;
  /**
   * The same with the gradient given as a weighted sum Σ weights[i]·gradSets[i] (data-parallel shards), each set
   * an array of gradients in this optimizer's variable order; summed in float32 in set order.
   */
  stepWeighted(params: Map<string, Float32Array>, gradSets: Float32Array[][], weights: number[]): number;
  stateDict(): AdamState;
  loadStateDict(state: AdamState): void;
  /** The learning rate of the following steps (torch: param_group["lr"] = lr); a schedule calls it before a step. */
  setLearningRate(learningRate: number): void;
}

/** L2 norm over all arrays (float64 accumulation). */
export function globalNorm(arrays: Iterable<Float32Array>): number {
  let sum = 0;
  for (const a of arrays) for (let i = 0; i < a.length; i++) sum += a[i] * a[i];
  return Math.sqrt(sum);
}

/** clip_grad_norm_'s factor: min(1, maxNorm / (norm + 1e-6)) in float32 (PyTorch multiplies even by 1, a no-op). */
function clipCoefficient(norm: number, maxNorm: number): number {
  return Math.min(f(maxNorm / f(norm + 1e-6)), 1);
}

/**
 * torch.nn.utils.clip_grad_norm_(params, maxNorm) on plain arrays: scales every gradient in place by
 * min(1, maxNorm / (norm + 1e-6)). Returns the norm before clipping.
 */
export function clipGradNorm(grads: Iterable<Float32Array>, maxNorm: number): number {
  const list = [...grads];
  const norm = globalNorm(list);
  const coef = clipCoefficient(norm, maxNorm);
  if (coef < 1) for (const g of list) for (let i = 0; i < g.length; i++) g[i] = f(g[i] * coef);
  return norm;
}

/** The options with PyTorch's defaults filled in, validated (shared with the GPU trainer's Adam). */
export function resolveAdamOptions(options: AdamOptions = {}): AdamState["options"] {
  const opts: AdamState["options"] = {
    learningRate: options.learningRate ?? 1e-3,
    beta1: options.beta1 ?? 0.9,
    beta2: options.beta2 ?? 0.999,
    epsilon: options.epsilon ?? 1e-8,
    weightDecay: options.weightDecay ?? 0,
    amsgrad: options.amsgrad ?? false,
    maxGradNorm: options.maxGradNorm ?? null,
  };
  for (const [k, v] of Object.entries(opts)) {
    if (typeof v === "number" && !(Number.isFinite(v) && v >= 0)) throw new Error(`Adam: option ${k} must be a finite number ≥ 0, got ${v}`);
  }
  return opts;
}

/** PyTorch's bias-corrected step size and √(1 − β2^step) for step `step` (1-based), as float32. */
export function adamStepScalars(opts: AdamState["options"], step: number): { stepSize: number; bc2Sqrt: number } {
  // Python floats (double) in PyTorch; they become float32 when combined with a float32 tensor.
  return { stepSize: f(opts.learningRate / (1 - opts.beta1 ** step)), bc2Sqrt: f(Math.sqrt(1 - opts.beta2 ** step)) };
}

export function createAdam(sizes: Map<string, number>, options: AdamOptions = {}): Adam {
  const opts = resolveAdamOptions(options);
  const names = [...sizes.keys()];
  // Layout in the private memory: regions P (params), G (gradient), M, V, [VMAX], S (staging for one tensor).
  const total = names.reduce((a, n) => a + sizes.get(n)!, 0);
  const largest = Math.max(0, ...sizes.values());
  const regions = opts.amsgrad ? 5 : 4;
  const { kernels, memory } = standaloneKernels(4 * (regions * total + largest) + 64);
  const region = (i: number) => new Float32Array(memory.buffer, 4 * i * total, total);
  const P = region(0), G = region(1), M = region(2), V = region(3), VMAX = opts.amsgrad ? region(4) : undefined;
  const stagingPtr = 4 * regions * total;
  const staging = new Float32Array(memory.buffer, stagingPtr, largest);
  const offsets = new Map<string, number>();
  let cursor = 0;
  for (const n of names) {
    offsets.set(n, cursor);
    cursor += sizes.get(n)!;
  }
  const view = (r: Float32Array, name: string) => r.subarray(offsets.get(name)!, offsets.get(name)! + sizes.get(name)!);
  let step = 0;

  const checkParams = (params: Map<string, Float32Array>) => {
    for (const n of names) {
      const p = params.get(n);
      if (!p) throw new Error(`Adam.step: missing parameter "${n}"`);
      if (p.length !== sizes.get(n)) throw new Error(`Adam.step: "${n}" has ${p.length} values, expected ${sizes.get(n)}`);
    }
  };

  /** Clipping (on G), the update on P/M/V, and P copied back out. */
  const update = (params: Map<string, Float32Array>): number => {
    let norm = NaN;
    if (opts.maxGradNorm !== null) {
      norm = globalNorm([G]);
      const coef = clipCoefficient(norm, opts.maxGradNorm);
      if (coef < 1) kernels.scale_add(4 * total, 4 * total, total, coef, 0);
    }
    step += 1;
    const { beta1, beta2, epsilon, weightDecay } = opts;
    const { stepSize, bc2Sqrt } = adamStepScalars(opts, step);
    for (const n of names) view(P, n).set(params.get(n)!);
    kernels.adam_update(0, 4 * total, 8 * total, 12 * total, VMAX ? 16 * total : 0, total,
      f(beta1), f(1 - beta1), f(beta2), f(1 - beta2), f(epsilon), f(weightDecay), f(-stepSize), bc2Sqrt);
    for (const n of names) params.get(n)!.set(view(P, n));
    return norm;
  };

  return {
    options: opts,
    get stepCount() {
      return step;
    },
    step(params, grads) {
      checkParams(params);
      for (const n of names) {
        const g = grads.get(n);
        if (!g || g.length !== sizes.get(n)) throw new Error(`Adam.step: gradient "${n}" missing or of the wrong size`);
        view(G, n).set(g);
      }
      return update(params);
    },
    stepWeighted(params, gradSets, weights) {
      checkParams(params);
      if (gradSets.length !== weights.length || gradSets.length === 0) throw new Error("Adam.stepWeighted: one weight per gradient set, at least one set");
      names.forEach((n, j) => {
        const size = sizes.get(n)!, offset = 4 * (total + offsets.get(n)!);
        gradSets.forEach((set, i) => {
          if (set[j]?.length !== size) throw new Error(`Adam.stepWeighted: set ${i} gradient "${n}" missing or of the wrong size`);
          staging.set(set[j]);
          kernels.scale_add(offset, stagingPtr, size, weights[i], i > 0 ? 1 : 0);
        });
      });
      return update(params);
    },
    stateDict() {
      const copy = (r: Float32Array) => Object.fromEntries(names.map((n) => [n, view(r, n).slice()]));
      return { step, options: { ...opts }, expAvg: copy(M), expAvgSq: copy(V), ...(VMAX ? { maxExpAvgSq: copy(VMAX) } : {}) };
    },
    loadStateDict(state) {
      if (Boolean(state.options?.amsgrad) !== opts.amsgrad) throw new Error(`Adam.loadStateDict: amsgrad ${state.options?.amsgrad} in the state, ${opts.amsgrad} in this optimizer`);
      for (const n of names) {
        const size = sizes.get(n)!;
        const m = state.expAvg[n], v = state.expAvgSq[n];
        if (!m || !v || m.length !== size || v.length !== size) throw new Error(`Adam.loadStateDict: state for "${n}" missing or of the wrong size`);
        view(M, n).set(m);
        view(V, n).set(v);
        if (VMAX) {
          const vm = state.maxExpAvgSq?.[n];
          if (!vm || vm.length !== size) throw new Error(`Adam.loadStateDict: amsgrad state for "${n}" missing`);
          view(VMAX, n).set(vm);
        }
      }
      step = state.step;
    },
    setLearningRate(learningRate) {
      opts.learningRate = checkedLearningRate(learningRate);
    },
  };
}

/** A learning rate a schedule may set: finite and ≥ 0 (resolveAdamOptions' rule). */
export function checkedLearningRate(learningRate: number): number {
  if (!(Number.isFinite(learningRate) && learningRate >= 0)) throw new Error(`Adam: learning rate must be a finite number ≥ 0, got ${learningRate}`);
  return learningRate;
}
