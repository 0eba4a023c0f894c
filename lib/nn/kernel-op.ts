/**
 * A convolution run by one of the engine's kernels, differentiable through another: the shape shared by the wasm
 * depthwise op (lib/nn/ops.ts) and the webgpu stem convolution (lib/nn/webgpu/ops.ts).
 */
import * as tf from "@tensorflow/tfjs";

/**
 * forward: runKernel(`kernel`, {x, filter}, attrs); backward: `gradient(dy, x, filter)` → [dx, dfilter].
 * x and filter are saved for the backward pass (no copies: tfjs shares their buffers).
 */
export function kernelConv(x: tf.Tensor4D, filter: tf.Tensor4D, kernel: string, attrs: object, gradient: (dy: tf.Tensor, x: tf.Tensor, filter: tf.Tensor) => tf.Tensor[]): tf.Tensor4D {
  const op = tf.customGrad((...args: unknown[]) => {
    const [input, weights] = args as [tf.Tensor4D, tf.Tensor4D];
    const save = args[2] as tf.GradSaveFunc;
    save([input, weights]);
    return {
      value: tf.engine().runKernel(kernel, { x: input, filter: weights }, attrs as tf.NamedAttrMap) as tf.Tensor4D,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => gradient(dy, saved[0], saved[1]),
    };
  });
  return op(x, filter) as tf.Tensor4D;
}
