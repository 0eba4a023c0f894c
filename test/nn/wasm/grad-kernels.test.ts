/**
 * The gradient kernels the engine registers for the wasm backend (Conv2DBackpropFilter,
 * DepthwiseConv2dNativeBackpropInput/Filter, transposed BatchMatMul) against float64 finite differences
 * and against the cpu backend, on tiny shapes covering strides, paddings, dilation and channel multipliers.
 */
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { assertClose, conv64, dot64, numericGradient, on, seeded, type ConvCase } from "../helpers";

const cases: (ConvCase & { name: string })[] = [
  { name: "dense 3x3 s2 torch-pad (stem)", x: [2, 7, 6, 1], filter: [3, 3, 1, 5], strides: 2, pad: [[0, 0], [1, 1], [1, 1], [0, 0]], depthwise: false },
  { name: "dense 3x3 s1 same, 3 in", x: [1, 5, 5, 3], filter: [3, 3, 3, 6], strides: 1, pad: "same", depthwise: false },
  { name: "dense 2x3 s(2,1) valid", x: [2, 6, 5, 2], filter: [2, 3, 2, 5], strides: [2, 1], pad: "valid", depthwise: false },
  { name: "depthwise 3x3 s1 pad1", x: [2, 5, 6, 6], filter: [3, 3, 6, 1], strides: 1, pad: 1, depthwise: true },
  { name: "depthwise 3x3 s2 torch-pad", x: [2, 8, 7, 5], filter: [3, 3, 5, 1], strides: 2, pad: [[0, 0], [1, 1], [1, 1], [0, 0]], depthwise: true },
  { name: "depthwise 3x3 s2 same", x: [1, 6, 6, 4], filter: [3, 3, 4, 1], strides: 2, pad: "same", depthwise: true },
  // (tfjs-core itself has no gradient for dilation > 1 on any backend, so dilation is not covered here.)
  { name: "depthwise 5x5 s1 same, 7 channels", x: [1, 6, 7, 7], filter: [5, 5, 7, 1], strides: 1, pad: "same", depthwise: true },
  // 16-channel register blocks + 4-channel vectors + scalar tail of the SIMD kernels.
  { name: "depthwise 3x3 s1 pad1, 23 channels", x: [2, 5, 4, 23], filter: [3, 3, 23, 1], strides: 1, pad: 1, depthwise: true },
  { name: "depthwise 3x3 s2 torch-pad, 36 channels", x: [1, 7, 6, 36], filter: [3, 3, 36, 1], strides: 2, pad: [[0, 0], [1, 1], [1, 1], [0, 0]], depthwise: true },
  { name: "dense 3x3 s1 same, 19 out channels", x: [1, 5, 4, 2], filter: [3, 3, 2, 19], strides: 1, pad: "same", depthwise: false },
  { name: "depthwise multiplier 2", x: [1, 5, 5, 3], filter: [3, 3, 3, 2], strides: 1, pad: "valid", depthwise: true },
];

function forward(c: ConvCase, x: tf.Tensor4D, w: tf.Tensor4D): tf.Tensor4D {
  return c.depthwise
    ? tf.depthwiseConv2d(x, w, c.strides, c.pad as never, "NHWC", c.dilations ?? 1)
    : tf.conv2d(x, w, c.strides, c.pad as never);
}

for (const c of cases) {
  test(`wasm conv gradients: ${c.name}`, async () => {
    const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
    const xv = seeded(size(c.x), 1), wv = seeded(size(c.filter), 2);
    const { shape: yShape } = conv64(c, Float64Array.from(xv), Float64Array.from(wv));
    const rv = seeded(size(yShape), 3);
    const grads = (backend: "wasm" | "cpu") =>
      on(backend, () => {
        const x = tf.tensor4d(xv, c.x), w = tf.tensor4d(wv, c.filter), r = tf.tensor(rv, yShape);
        return tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(forward(c, a as tf.Tensor4D, b as tf.Tensor4D), r)))([x, w]);
      });
    const [dxW, dwW] = await grads("wasm");
    const [dxC, dwC] = await grads("cpu");
    assertClose(dxW, dxC, 1e-4, 1e-5, `${c.name}: dx vs cpu`);
    assertClose(dwW, dwC, 1e-4, 1e-5, `${c.name}: dfilter vs cpu`);
    const x64 = Float64Array.from(xv), w64 = Float64Array.from(wv);
    const dxNum = numericGradient((p) => dot64(conv64(c, p, w64).y, rv), Float64Array.from(xv));
    const dwNum = numericGradient((p) => dot64(conv64(c, x64, p).y, rv), Float64Array.from(wv));
    assertClose(dxW, dxNum, 1e-4, 1e-5, `${c.name}: dx vs finite differences`);
    assertClose(dwW, dwNum, 1e-4, 1e-5, `${c.name}: dfilter vs finite differences`);
  });
}

test("wasm BatchMatMul: every transpose combination and batched operands match cpu and float64", async () => {
  const combos: [number[], number[], boolean, boolean][] = [
    [[7, 5], [5, 9], false, false],
    [[5, 7], [5, 9], true, false],
    [[7, 5], [9, 5], false, true],
    [[5, 7], [9, 5], true, true],
    [[3, 5, 7], [3, 5, 4], true, false],
    [[3, 7, 5], [3, 4, 5], false, true],
    [[37, 13], [37, 11], true, false], // odd sizes: vector bodies + scalar tails of gemm_tn
    [[4001, 6], [6, 19], false, false], // several row blocks of gemm_nn, panel + column tail
    [[29, 40], [21, 40], false, true],
    [[3000, 9], [3000, 17], true, false], // several row chunks of gemm_tn
  ];
  for (const [as, bs, ta, tb] of combos) {
    const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
    const av = seeded(size(as), 4), bv = seeded(size(bs), 5);
    const run = (backend: "wasm" | "cpu") => on(backend, () => tf.matMul(tf.tensor(av, as as number[]) as unknown as tf.Tensor2D, tf.tensor(bv, bs as number[]) as unknown as tf.Tensor2D, ta, tb));
    const [w] = await run("wasm");
    const [c] = await run("cpu");
    assertClose(w, c, 1e-4, 1e-4, `matMul ${as} x ${bs} tA=${ta} tB=${tb} vs cpu`);
    // float64 reference for the rank-2 cases
    if (as.length === 2) {
      const [m, k] = ta ? [as[1], as[0]] : as;
      const n = tb ? bs[0] : bs[1];
      const ref = new Float64Array(m * n);
      for (let i = 0; i < m; i++)
        for (let j = 0; j < n; j++)
          for (let q = 0; q < k; q++) ref[i * n + j] += av[ta ? q * m + i : i * k + q] * bv[tb ? j * k + q : q * n + j];
      assertClose(w, ref, 1e-4, 1e-4, `matMul ${as} x ${bs} tA=${ta} tB=${tb} vs float64`);
    }
  }
});
