/**
 * Adam exactly as torch.optim.Adam (PyTorch 1.13, single-tensor path), on plain Float32Arrays keyed by
 * variable name, plus optional torch.nn.utils.clip_grad_norm_ before the step.
 *
 * Every arithmetic step is rounded to float32 (Math.fround) in the order PyTorch performs it, so a run
 * reproduces PyTorch's parameter trajectory to the last bit or close to it (tested against a torch fixture).
 * Defaults are PyTorch's: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight_decay 0, amsgrad false.
 */
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
   * One update: params[name] -= ... in place. Gradients are read, and scaled in place when clipping.
   * @returns the total gradient norm before clipping (float64), as clip_grad_norm_ returns it (NaN if not computed).
   */
  step(params: Map<string, Float32Array>, grads: Map<string, Float32Array>): number;
  stateDict(): AdamState;
  loadStateDict(state: AdamState): void;
}

/** L2 norm over all arrays (float64 accumulation). */
export function globalNorm(arrays: Iterable<Float32Array>): number {
  let sum = 0;
  for (const a of arrays) for (let i = 0; i < a.length; i++) sum += a[i] * a[i];
  return Math.sqrt(sum);
}

/**
 * torch.nn.utils.clip_grad_norm_(params, maxNorm): scale every gradient by min(1, maxNorm / (norm + 1e-6)).
 * PyTorch multiplies even when the factor is 1 (a no-op). Returns the norm before clipping.
 */
export function clipGradNorm(grads: Iterable<Float32Array>, maxNorm: number): number {
  const list = [...grads];
  const norm = globalNorm(list);
  const coef = Math.min(f(maxNorm / f(norm + 1e-6)), 1);
  if (coef < 1) for (const g of list) for (let i = 0; i < g.length; i++) g[i] = f(g[i] * coef);
  return norm;
}

export function createAdam(sizes: Map<string, number>, options: AdamOptions = {}): Adam {
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
  let step = 0;
  const expAvg = new Map<string, Float32Array>();
  const expAvgSq = new Map<string, Float32Array>();
  const maxExpAvgSq = new Map<string, Float32Array>();
  for (const [name, n] of sizes) {
    expAvg.set(name, new Float32Array(n));
    expAvgSq.set(name, new Float32Array(n));
    if (opts.amsgrad) maxExpAvgSq.set(name, new Float32Array(n));
  }

  return {
    options: opts,
    get stepCount() {
      return step;
    },
    step(params, grads) {
      for (const name of sizes.keys()) {
        if (!params.has(name) || !grads.has(name)) throw new Error(`Adam.step: missing parameter or gradient "${name}"`);
      }
      const norm = opts.maxGradNorm !== null ? clipGradNorm([...sizes.keys()].map((k) => grads.get(k)!), opts.maxGradNorm) : NaN;
      step += 1;
      const { beta1, beta2, epsilon, weightDecay, learningRate, amsgrad } = opts;
      // Python floats (double) in PyTorch; they become float32 when combined with a float32 tensor.
      const biasCorrection1 = 1 - beta1 ** step;
      const biasCorrection2 = 1 - beta2 ** step;
      const stepSize = f(learningRate / biasCorrection1);
      const bc2Sqrt = f(Math.sqrt(biasCorrection2));
      const b1 = f(beta1), oneMinusB1 = f(1 - beta1), b2 = f(beta2), oneMinusB2 = f(1 - beta2), eps = f(epsilon), wd = f(weightDecay);
      for (const name of sizes.keys()) {
        const p = params.get(name)!, g = grads.get(name)!;
        const m = expAvg.get(name)!, v = expAvgSq.get(name)!, vmax = maxExpAvgSq.get(name);
        if (p.length !== m.length || g.length !== m.length) throw new Error(`Adam.step: "${name}" has ${p.length} values and ${g.length} gradients, expected ${m.length}`);
        for (let i = 0; i < p.length; i++) {
          const gi = weightDecay !== 0 ? f(g[i] + f(wd * p[i])) : g[i];
          m[i] = f(f(m[i] * b1) + f(gi * oneMinusB1)); // exp_avg.mul_(beta1).add_(grad, alpha=1-beta1)
          v[i] = f(f(v[i] * b2) + f(f(gi * gi) * oneMinusB2)); // exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1-beta2)
          let second = v[i];
          if (vmax) {
            vmax[i] = Math.max(vmax[i], v[i]);
            second = vmax[i];
          }
          const denom = f(f(f(Math.sqrt(second)) / bc2Sqrt) + eps);
          p[i] = f(p[i] + f(-stepSize * f(m[i] / denom))); // param.addcdiv_(exp_avg, denom, value=-step_size)
        }
      }
      return norm;
    },
    stateDict() {
      const copy = (src: Map<string, Float32Array>) => Object.fromEntries([...src].map(([k, a]) => [k, a.slice()]));
      return { step, options: { ...opts }, expAvg: copy(expAvg), expAvgSq: copy(expAvgSq), ...(opts.amsgrad ? { maxExpAvgSq: copy(maxExpAvgSq) } : {}) };
    },
    loadStateDict(state) {
      if (Boolean(state.options?.amsgrad) !== opts.amsgrad) throw new Error(`Adam.loadStateDict: amsgrad ${state.options?.amsgrad} in the state, ${opts.amsgrad} in this optimizer`);
      for (const [name, n] of sizes) {
        const m = state.expAvg[name], v = state.expAvgSq[name];
        if (!m || !v || m.length !== n || v.length !== n) throw new Error(`Adam.loadStateDict: state for "${name}" missing or of the wrong size`);
        expAvg.get(name)!.set(m);
        expAvgSq.get(name)!.set(v);
        if (opts.amsgrad) {
          const vm = state.maxExpAvgSq?.[name];
          if (!vm || vm.length !== n) throw new Error(`Adam.loadStateDict: amsgrad state for "${name}" missing`);
          maxExpAvgSq.get(name)!.set(vm);
        }
      }
      step = state.step;
    },
  };
}
