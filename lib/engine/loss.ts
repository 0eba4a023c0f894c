/**
 * Binary cross-entropy on clip probabilities with SOFT targets, exactly as torch.nn.BCELoss (reduction "mean"):
 *
 *   loss = mean over batch and classes of -(t·log p + (1 − t)·log(1 − p)), each log clamped at −100
 *   d loss / d p = (p − t) / max(p·(1 − p), 1e-12) / (N·C)
 *
 * (PyTorch clamps the logs, not the probabilities, and its backward uses the 1e-12 floor above rather than the
 * derivative of the clamped logs; both are reproduced so losses and gradients match a PyTorch run.)
 *
 * The PSL student loss α·BCE(p, teacher) + (1 − α)·BCE(p, weak) equals BCE(p, α·teacher + (1 − α)·weak)
 * because BCE is linear in its target: use `mixTargets` once and train on one soft target.
 */
import * as tf from "@tensorflow/tfjs";
import { GPU_BCE_GRAD_KERNEL, GPU_BCE_KERNEL } from "../nn/webgpu/loss";
import { gpuKernelsActive } from "../nn/webgpu/ops";

/** torch.nn.BCELoss clamps each log term at this value. */
export const BCE_LOG_CLAMP = -100;
/** torch's BCELoss backward divides by max(p(1-p), this). */
export const BCE_GRAD_EPSILON = 1e-12;

/** Mean BCE of probabilities `probs` [N, C] against soft targets [N, C] in [0, 1] (differentiable in `probs`). */
export function bceLoss(probs: tf.Tensor2D, targets: tf.Tensor2D): tf.Scalar {
  if (probs.shape.join() !== targets.shape.join()) {
    throw new Error(`bceLoss: probabilities [${probs.shape}] and targets [${targets.shape}] differ in shape`);
  }
  if (gpuKernelsActive()) return gpuBceLoss(probs, targets);
  const op = tf.customGrad((...args: unknown[]) => {
    const [p, t] = args as [tf.Tensor2D, tf.Tensor2D];
    const save = args[2] as tf.GradSaveFunc;
    save([p, t]);
    const logP = tf.maximum(tf.log(p), BCE_LOG_CLAMP);
    const log1mP = tf.maximum(tf.log(tf.sub(1, p)), BCE_LOG_CLAMP);
    const value = tf.neg(tf.mean(tf.add(tf.mul(t, logP), tf.mul(tf.sub(1, t), log1mP)))) as tf.Scalar;
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sp, st] = saved;
        const denom = tf.maximum(tf.mul(sp, tf.sub(1, sp)), BCE_GRAD_EPSILON);
        const dp = tf.mul(tf.div(tf.sub(sp, st), denom), tf.div(dy, sp.size));
        // Targets are data: their gradient is never used, but customGrad wants one per input.
        return [dp, tf.zerosLike(st)];
      },
    };
  });
  return op(probs, targets) as tf.Scalar;
}

/** The same loss as two WGSL dispatches (value, gradient) on the webgpu backend (lib/nn/webgpu/loss.ts). */
function gpuBceLoss(probs: tf.Tensor2D, targets: tf.Tensor2D): tf.Scalar {
  const op = tf.customGrad((...args: unknown[]) => {
    const [p, t] = args as [tf.Tensor2D, tf.Tensor2D];
    const save = args[2] as tf.GradSaveFunc;
    save([p, t]);
    return {
      value: tf.engine().runKernel(GPU_BCE_KERNEL, { probs: p, targets: t }, { logClamp: BCE_LOG_CLAMP }) as tf.Scalar,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [
        tf.engine().runKernel(GPU_BCE_GRAD_KERNEL, { probs: saved[0], targets: saved[1], dy }, { epsilon: BCE_GRAD_EPSILON }) as tf.Tensor,
        // Targets are data: zeros held on the CPU, never uploaded.
        tf.zeros(saved[1].shape),
      ],
    };
  });
  return op(probs, targets) as tf.Scalar;
}

/** Plain-array BCE (float64) with the same clamping, for checks and for evaluation code without tensors. */
export function bceLossArrays(probs: ArrayLike<number>, targets: ArrayLike<number>): number {
  if (probs.length !== targets.length) throw new Error(`bceLossArrays: ${probs.length} probabilities vs ${targets.length} targets`);
  let sum = 0;
  for (let i = 0; i < probs.length; i++) {
    const p = probs[i], t = targets[i];
    sum -= t * Math.max(Math.log(p), BCE_LOG_CLAMP) + (1 - t) * Math.max(Math.log(1 - p), BCE_LOG_CLAMP);
  }
  return sum / probs.length;
}

/**
 * The single soft target equivalent to the PSL student loss α·BCE(p, teacher) + (1 − α)·BCE(p, weak):
 * α·teacher + (1 − α)·weak, element-wise (α = 1: teacher only, the PSL configs; α = 0.5: teacher-student configs).
 */
export function mixTargets(teacher: Float32Array, weak: Float32Array, alpha: number): Float32Array {
  if (teacher.length !== weak.length) throw new Error(`mixTargets: ${teacher.length} teacher vs ${weak.length} weak targets`);
  if (!(alpha >= 0 && alpha <= 1)) throw new Error(`mixTargets: alpha must be in [0, 1], got ${alpha}`);
  const out = new Float32Array(teacher.length);
  for (let i = 0; i < out.length; i++) out[i] = alpha * teacher[i] + (1 - alpha) * weak[i];
  return out;
}
