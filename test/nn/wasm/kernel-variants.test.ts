/**
 * Both builds of kernels.c — plain WebAssembly SIMD and relaxed SIMD (multiply-adds as f32x4.relaxed_madd) — against
 * float64 references on shapes with vector tails, and against each other; the relaxed build really fuses where the
 * CPU has FMA, the plain one never does. The tfjs-level tests (engine/*) run whichever build the process chose.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { kernelVariant, relaxedSimdSupported, standaloneKernels, type KernelExports, type KernelVariant } from "../../../lib/nn/wasm/module";
import { seeded } from "../helpers";

const VARIANTS: KernelVariant[] = ["simd", ...(relaxedSimdSupported() ? (["relaxed-simd"] as const) : [])];

/** A bump allocator on a private kernel memory. */
function arena(variant: KernelVariant) {
  const { kernels, memory } = standaloneKernels(64 << 20, variant);
  let top = 4096;
  const alloc = (values: ArrayLike<number> | number, type: "f32" | "f64" | "i32" = "f32") => {
    const n = typeof values === "number" ? values : values.length;
    const ptr = top;
    top += Math.ceil((n * (type === "f64" ? 8 : 4)) / 16) * 16 + 16;
    if (typeof values !== "number") (type === "i32" ? new Int32Array(memory.buffer, ptr, n) : new Float32Array(memory.buffer, ptr, n)).set(values);
    return ptr;
  };
  const read = (ptr: number, n: number) => new Float32Array(memory.buffer, ptr, n).slice();
  return { k: kernels as KernelExports, alloc, read };
}

function close(actual: Float32Array, expected: ArrayLike<number>, what: string, tol = 1e-5): void {
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(actual[i] - expected[i]) <= tol * (1 + scale))) assert.fail(`${what}: element ${i}: ${actual[i]} vs ${expected[i]}`);
  }
}

/** Every kernel output of one build on fixed inputs, checked against float64 references; returned for cross-checks. */
function runAll(variant: KernelVariant): Map<string, Float32Array> {
  const { k, alloc, read } = arena(variant);
  const out = new Map<string, Float32Array>();
  // GEMMs with M, K, N off the 4x8 blocking.
  for (const [M, K, N] of [[37, 13, 29], [64, 96, 16], [5, 3, 7]]) {
    const A = seeded(M * K, M), B = seeded(K * N, N), D = seeded(M * N, K);
    const BT = new Float32Array(N * K);
    for (let kk = 0; kk < K; kk++) for (let n = 0; n < N; n++) BT[n * K + kk] = B[kk * N + n];
    const BIAS = seeded(N, 77).map((v) => 3 * v);
    const a = alloc(A), b = alloc(B), bt = alloc(BT), d = alloc(D), bias = alloc(BIAS), o = alloc(M * N), ont = alloc(M * N), oact = alloc(M * N);
    const otn = alloc(K * N), packed = alloc(K * 8 * Math.ceil(N / 8));
    k.gemm_nn(a, b, o, M, K, N, packed, 0, 0, 0);
    k.gemm_nn(a, bt, ont, M, K, N, packed, 1, 0, 0);
    k.gemm_nn(a, b, oact, M, K, N, packed, 0, bias, 1);
    k.gemm_tn(a, d, otn, M, K, N);
    const nn = new Float64Array(M * N), tn = new Float64Array(K * N);
    for (let m = 0; m < M; m++) for (let kk = 0; kk < K; kk++) for (let n = 0; n < N; n++) {
      nn[m * N + n] += A[m * K + kk] * B[kk * N + n];
      tn[kk * N + n] += A[m * K + kk] * D[m * N + n];
    }
    close(read(o, M * N), nn, `${variant} gemm_nn ${M}x${K}x${N}`);
    assert.deepEqual(read(ont, M * N), read(o, M * N), `${variant} gemm_nn with B given transposed`);
    close(read(oact, M * N), nn.map((v, i) => Math.min(6, Math.max(0, v + BIAS[i % N]))), `${variant} gemm_nn + bias + ReLU6 ${M}x${K}x${N}`);
    close(read(otn, K * N), tn, `${variant} gemm_tn ${M}x${K}x${N}`);
    out.set(`nn${M}`, read(o, M * N)).set(`tn${M}`, read(otn, K * N));
  }
  // BatchNorm(+ReLU6) forward and backward, C = 22 (vector body + tail).
  const M = 150, C = 22;
  const X = seeded(M * C, 1).map((v, i) => 3 * v + (i % C)), G = seeded(M * C, 2);
  const x = alloc(X), dy = alloc(G), y = alloc(M * C), dx = alloc(M * C);
  const mean = alloc(C), variance = alloc(C), part = alloc(2 * C), acc = alloc(2 * C, "f64");
  k.bn_stats(x, M, C, mean, variance, part, acc);
  const m64 = new Float64Array(C), v64 = new Float64Array(C);
  for (let r = 0; r < M; r++) for (let c = 0; c < C; c++) m64[c] += X[r * C + c] / M;
  for (let r = 0; r < M; r++) for (let c = 0; c < C; c++) v64[c] += (X[r * C + c] - m64[c]) ** 2 / M;
  close(read(mean, C), m64, `${variant} bn_stats mean`);
  close(read(variance, C), v64, `${variant} bn_stats variance`);
  const scale = seeded(C, 3), shift = seeded(C, 4).map((v) => 3 + 3 * v), xa = seeded(C, 5), xb = seeded(C, 6);
  const kg = seeded(C, 7), kx = seeded(C, 8), kc = seeded(C, 9);
  const [sp, hp, xap, xbp, kgp, kxp, kcp] = [scale, shift, xa, xb, kg, kx, kc].map((v) => alloc(v));
  const sg = alloc(C), sgx = alloc(C), p1 = alloc(C), p2 = alloc(C), a1 = alloc(C, "f64"), a2 = alloc(C, "f64");
  k.affine_act(x, y, M, C, sp, hp, 1);
  k.bn_act_grad_sums(dy, x, M, C, sp, hp, 1, xap, xbp, sg, sgx, p1, p2, a1, a2);
  k.bn_act_grad_input(dy, x, dx, M, C, sp, hp, 1, xap, xbp, kgp, kxp, kcp);
  const yRef = new Float64Array(M * C), dxRef = new Float64Array(M * C), sgRef = new Float64Array(C), sgxRef = new Float64Array(C);
  for (let r = 0; r < M; r++) for (let c = 0; c < C; c++) {
    const i = r * C + c, z = X[i] * scale[c] + shift[c], live = z > 0 && z < 6, g = live ? G[i] : 0, xhat = X[i] * xa[c] + xb[c];
    yRef[i] = Math.min(6, Math.max(0, z));
    sgRef[c] += g;
    sgxRef[c] += g * xhat;
    dxRef[i] = kc[c] + kx[c] * xhat + kg[c] * g;
  }
  close(read(y, M * C), yRef, `${variant} affine_act`);
  close(read(sg, C), sgRef, `${variant} bn_act_grad_sums Σg`);
  close(read(sgx, C), sgxRef, `${variant} bn_act_grad_sums Σg·x̂`);
  close(read(dx, M * C), dxRef, `${variant} bn_act_grad_input`);
  out.set("bn_y", read(y, M * C)).set("bn_dx", read(dx, M * C));
  // Depthwise 3x3 stride 2, 19 channels, forward and both gradients.
  const [N, H, W, CH] = [2, 7, 9, 19], OH = 4, OW = 5;
  const geometryBlock = alloc([N, H, W, CH, OH, OW, 3, 3, 2, 2, 1, 1, 1, 1], "i32");
  const XI = seeded(N * H * W * CH, 11), WF = seeded(9 * CH, 12), DY = seeded(N * OH * OW * CH, 13);
  const xi = alloc(XI), wf = alloc(WF), dyo = alloc(DY), yo = alloc(N * OH * OW * CH), dxi = alloc(XI.length), dwf = alloc(9 * CH);
  k.dw_forward(xi, wf, 0, yo, geometryBlock, 0);
  k.dw_backward(xi, wf, dyo, dxi, dwf, geometryBlock, alloc(9 * CH), alloc(9 * CH, "f64"));
  const yr = new Float64Array(N * OH * OW * CH), dxr = new Float64Array(XI.length), dwr = new Float64Array(9 * CH);
  for (let n = 0; n < N; n++) for (let oh = 0; oh < OH; oh++) for (let ow = 0; ow < OW; ow++) for (let kh = 0; kh < 3; kh++) for (let kw = 0; kw < 3; kw++) {
    const ih = 2 * oh - 1 + kh, iw = 2 * ow - 1 + kw;
    if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
    for (let c = 0; c < CH; c++) {
      const xiI = ((n * H + ih) * W + iw) * CH + c, oI = ((n * OH + oh) * OW + ow) * CH + c, wI = (kh * 3 + kw) * CH + c;
      yr[oI] += XI[xiI] * WF[wI];
      dxr[xiI] += DY[oI] * WF[wI];
      dwr[wI] += DY[oI] * XI[xiI];
    }
  }
  close(read(yo, yr.length), yr, `${variant} dw_forward`);
  close(read(dxi, dxr.length), dxr, `${variant} dw_backward dx`);
  close(read(dwf, dwr.length), dwr, `${variant} dw_backward dfilter`);
  out.set("dw_y", read(yo, yr.length)).set("dw_dx", read(dxi, dxr.length));
  return out;
}

for (const variant of VARIANTS) {
  test(`${variant} build: GEMMs, BatchNorm forward/backward and depthwise kernels match float64 references`, () => {
    runAll(variant);
  });
}

test("the two builds agree to float rounding; only the relaxed one fuses multiply-adds (where the CPU has FMA)", (t) => {
  if (VARIANTS.length < 2) {
    t.skip("this runtime has no relaxed SIMD: only the plain build runs");
    return;
  }
  const plain = runAll("simd"), relaxed = runAll("relaxed-simd");
  for (const [key, v] of plain) close(relaxed.get(key)!, v, `relaxed vs plain ${key}`, 1e-5);
  // acc = -(1+2^-11); acc + (1+2^-12)^2 is 2^-24 when fused, 0 with a rounded product.
  const fusedResult = (variant: KernelVariant) => {
    const { k, alloc, read } = arena(variant);
    // One row of A times an 8-column panel of B (the vector path; column 0 holds the case).
    const o = alloc(8);
    const b = new Float32Array(16);
    b[0] = 1;
    b[8] = 1 + 2 ** -12;
    k.gemm_nn(alloc([-(1 + 2 ** -11), 1 + 2 ** -12]), alloc(b), o, 1, 2, 8, alloc(16), 0, 0, 0);
    return read(o, 1)[0];
  };
  assert.equal(fusedResult("simd"), 0, "plain SIMD rounds the product");
  const cpuHasFma = process.arch === "x64" && /\bfma\b/.test(readFileSync("/proc/cpuinfo", "utf8"));
  if (cpuHasFma) assert.equal(fusedResult("relaxed-simd"), 2 ** -24, "relaxed SIMD fuses on a CPU with FMA");
  assert.equal(kernelVariant(), process.env.PSL_WASM_SIMD === "plain" ? "simd" : "relaxed-simd", "the process uses the relaxed build where it can");
});
