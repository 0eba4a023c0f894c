/*
 * Hand-written WebAssembly SIMD kernels for the training hot loops that tfjs-backend-wasm lacks or runs slowly
 * (see README.md next to this file for why each exists and how it is built).
 *
 * The module IMPORTS tfjs-backend-wasm's own linear memory, so every pointer below is a tfjs tensor's
 * `memoryOffset` (or scratch from tfjs's malloc): kernels read and write tensors in place, no copies.
 * Rules that make that safe: no static data (no data segment would be written at instantiation),
 * no stack use (the build script fails if __stack_pointer is referenced), no libc.
 *
 * Layouts: activations are NHWC / row-major [rows, channels]; channel counts need not be multiples of 4
 * (vector body + scalar tail everywhere).
 */
#include <wasm_simd128.h>

typedef float f32;
typedef double f64;

#define EXPORT(name) __attribute__((export_name(#name))) 

static inline v128_t ld(const f32 *p) { return wasm_v128_load(p); }
static inline void st(f32 *p, v128_t v) { wasm_v128_store(p, v); }
#ifdef PSL_RELAXED_SIMD
/* acc + a*b as relaxed-SIMD f32x4.relaxed_madd: one fused multiply-add where the CPU has FMA (V8 then rounds once),
 * mul + add otherwise. Built into kernels-relaxed.wasm; module.ts uses it where the runtime validates it. */
typedef float f32x4 __attribute__((vector_size(16)));
static inline v128_t madd(v128_t acc, v128_t a, v128_t b) {
  return (v128_t)__builtin_wasm_relaxed_madd_f32x4((f32x4)a, (f32x4)b, (f32x4)acc);
}
#else
static inline v128_t madd(v128_t acc, v128_t a, v128_t b) { return wasm_f32x4_add(acc, wasm_f32x4_mul(a, b)); }
#endif

static void zero_f32(f32 *p, int n) {
  int i = 0;
  for (; i + 4 <= n; i += 4) st(p + i, wasm_f32x4_splat(0.f));
  for (; i < n; i++) p[i] = 0.f;
}
static void zero_f64(f64 *p, int n) { for (int i = 0; i < n; i++) p[i] = 0.0; }
static void flush(f64 *acc, f32 *part, int n) {
  for (int i = 0; i < n; i++) { acc[i] += (f64)part[i]; part[i] = 0.f; }
}

/* Rows per float32 partial sum before it is added into the float64 accumulator: keeps sums over ~10^5 rows accurate. */
#define BLOCK_ROWS 64

/*
 * Per-channel mean and biased variance of x [M, C] in ONE pass over x: sums of d = x - K and d*d with the
 * shift K = the first row (shifted-data algorithm: K lies within the data's spread, so
 * var = E[d^2] - E[d]^2 does not cancel catastrophically), float32 partials over BLOCK_ROWS rows added into
 * float64 accumulators. Scratch: part f32[2C], acc f64[2C].
 */
EXPORT(bn_stats)
void bn_stats(const f32 *x, int M, int C, f32 *mean, f32 *var, f32 *part, f64 *acc) {
  f32 *p1 = part, *p2 = part + C;
  f64 *s1 = acc, *s2 = acc + C;
  const f32 *K = x; /* shift: the first row */
  zero_f64(acc, 2 * C); zero_f32(part, 2 * C);
  for (int r = 0; r < M; r++) {
    const f32 *row = x + (long)r * C;
    int c = 0;
    for (; c + 4 <= C; c += 4) {
      const v128_t d = wasm_f32x4_sub(ld(row + c), ld(K + c));
      st(p1 + c, wasm_f32x4_add(ld(p1 + c), d));
      st(p2 + c, madd(ld(p2 + c), d, d));
    }
    for (; c < C; c++) { const f32 d = row[c] - K[c]; p1[c] += d; p2[c] += d * d; }
    if ((r + 1) % BLOCK_ROWS == 0 || r == M - 1) flush(acc, part, 2 * C);
  }
  for (int c = 0; c < C; c++) {
    const f64 m1 = s1[c] / M;
    f64 v = s2[c] / M - m1 * m1;
    mean[c] = (f32)((f64)K[c] + m1);
    var[c] = (f32)(v > 0 ? v : 0);
  }
}

/* y = act(x * scale[c] + shift[c]); act = ReLU6 when relu6 != 0, identity otherwise. In-place (y == x) allowed. */
EXPORT(affine_act)
void affine_act(const f32 *x, f32 *y, int M, int C, const f32 *scale, const f32 *shift, int relu6) {
  const v128_t zero = wasm_f32x4_splat(0.f), six = wasm_f32x4_splat(6.f);
  for (int r = 0; r < M; r++) {
    const f32 *xr = x + (long)r * C;
    f32 *yr = y + (long)r * C;
    int c = 0;
    for (; c + 4 <= C; c += 4) {
      v128_t z = madd(ld(shift + c), ld(xr + c), ld(scale + c));
      if (relu6) z = wasm_f32x4_pmin(wasm_f32x4_pmax(z, zero), six);
      st(yr + c, z);
    }
    for (; c < C; c++) {
      f32 z = xr[c] * scale[c] + shift[c];
      if (relu6) z = z < 0.f ? 0.f : (z > 6.f ? 6.f : z);
      yr[c] = z;
    }
  }
}

/*
 * BatchNorm(+ReLU6) backward, pass 1: per channel sum(g) and sum(g * xhat), where g = dy masked by the ReLU6
 * derivative (PyTorch's hardtanh: 0 where the pre-activation z <= 0 or z >= 6), z = x*scale + shift,
 * xhat = x*xa + xb (the normalised input). Scratch: part1/part2 f32[C], acc1/acc2 f64[C].
 */
EXPORT(bn_act_grad_sums)
void bn_act_grad_sums(const f32 *dy, const f32 *x, int M, int C, const f32 *scale, const f32 *shift, int relu6,
                      const f32 *xa, const f32 *xb, f32 *sum_g, f32 *sum_gxhat,
                      f32 *part1, f32 *part2, f64 *acc1, f64 *acc2) {
  const v128_t zero = wasm_f32x4_splat(0.f), six = wasm_f32x4_splat(6.f);
  zero_f64(acc1, C); zero_f64(acc2, C); zero_f32(part1, C); zero_f32(part2, C);
  for (int r = 0; r < M; r++) {
    const f32 *xr = x + (long)r * C, *gr = dy + (long)r * C;
    int c = 0;
    for (; c + 4 <= C; c += 4) {
      v128_t xv = ld(xr + c), g = ld(gr + c);
      if (relu6) {
        v128_t z = madd(ld(shift + c), xv, ld(scale + c));
        v128_t live = wasm_v128_and(wasm_f32x4_gt(z, zero), wasm_f32x4_lt(z, six));
        g = wasm_v128_and(g, live);
      }
      v128_t xhat = madd(ld(xb + c), xv, ld(xa + c));
      st(part1 + c, wasm_f32x4_add(ld(part1 + c), g));
      st(part2 + c, madd(ld(part2 + c), g, xhat));
    }
    for (; c < C; c++) {
      f32 g = gr[c];
      if (relu6) { f32 z = xr[c] * scale[c] + shift[c]; if (!(z > 0.f && z < 6.f)) g = 0.f; }
      part1[c] += g;
      part2[c] += g * (xr[c] * xa[c] + xb[c]);
    }
    if ((r + 1) % BLOCK_ROWS == 0 || r == M - 1) { flush(acc1, part1, C); flush(acc2, part2, C); }
  }
  for (int c = 0; c < C; c++) { sum_g[c] = (f32)acc1[c]; sum_gxhat[c] = (f32)acc2[c]; }
}

/*
 * BatchNorm(+ReLU6) backward, pass 2: dx = kg*g + kx*xhat + kc per channel (g, xhat as in pass 1);
 * the caller derives kg = gamma*invstd, kx = -kg*dgamma/M, kc = -kg*dbeta/M. dx may alias dy.
 */
EXPORT(bn_act_grad_input)
void bn_act_grad_input(const f32 *dy, const f32 *x, f32 *dx, int M, int C, const f32 *scale, const f32 *shift, int relu6,
                       const f32 *xa, const f32 *xb, const f32 *kg, const f32 *kx, const f32 *kc) {
  const v128_t zero = wasm_f32x4_splat(0.f), six = wasm_f32x4_splat(6.f);
  for (int r = 0; r < M; r++) {
    const f32 *xr = x + (long)r * C, *gr = dy + (long)r * C;
    f32 *dr = dx + (long)r * C;
    int c = 0;
    for (; c + 4 <= C; c += 4) {
      v128_t xv = ld(xr + c), g = ld(gr + c);
      if (relu6) {
        v128_t z = madd(ld(shift + c), xv, ld(scale + c));
        g = wasm_v128_and(g, wasm_v128_and(wasm_f32x4_gt(z, zero), wasm_f32x4_lt(z, six)));
      }
      v128_t xhat = madd(ld(xb + c), xv, ld(xa + c));
      st(dr + c, madd(madd(ld(kc + c), ld(kx + c), xhat), ld(kg + c), g));
    }
    for (; c < C; c++) {
      f32 g = gr[c];
      if (relu6) { f32 z = xr[c] * scale[c] + shift[c]; if (!(z > 0.f && z < 6.f)) g = 0.f; }
      dr[c] = kc[c] + kx[c] * (xr[c] * xa[c] + xb[c]) + kg[c] * g;
    }
  }
}

/* Geometry of a 2-D convolution (NHWC), as tfjs's computeConv2DInfo gives it. */
typedef struct { int N, H, W, C, OH, OW, KH, KW, SH, SW, PT, PL, DH, DW; } Geom;

static inline Geom geom(const int *g) {
  Geom r = {g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7], g[8], g[9], g[10], g[11], g[12], g[13]};
  return r;
}

/*
 * Depthwise convolution (channel multiplier 1), NHWC, any kernel size / stride / padding / dilation.
 * x [N,H,W,C], w [KH,KW,C], y [N,OH,OW,C]. `g` points to 14 ints: N,H,W,C,OH,OW,KH,KW,SH,SW,PT,PL,DH,DW.
 * Optional fused bias (0 = none) and ReLU6 (inference with BatchNorm folded into the filter).
 */
EXPORT(dw_forward)
void dw_forward(const f32 *x, const f32 *w, const f32 *bias, f32 *y, const int *gp, int relu6) {
  const Geom g = geom(gp);
  const int C = g.C;
  const v128_t zero = wasm_f32x4_splat(0.f), six = wasm_f32x4_splat(6.f);
  for (int n = 0; n < g.N; n++) {
    const f32 *xn = x + (long)n * g.H * g.W * C;
    for (int oh = 0; oh < g.OH; oh++) {
      for (int ow = 0; ow < g.OW; ow++) {
        f32 *yo = y + (((long)n * g.OH + oh) * g.OW + ow) * C;
        const int ih0 = oh * g.SH - g.PT, iw0 = ow * g.SW - g.PL;
        int c = 0;
        /* 16 channels per sweep over the taps: 4 accumulators stay in registers. */
        for (; c + 16 <= C; c += 16) {
          v128_t a0, a1, a2, a3;
          if (bias) { a0 = ld(bias + c); a1 = ld(bias + c + 4); a2 = ld(bias + c + 8); a3 = ld(bias + c + 12); }
          else { a0 = zero; a1 = zero; a2 = zero; a3 = zero; }
          for (int kh = 0; kh < g.KH; kh++) {
            const int ih = ih0 + kh * g.DH;
            if (ih < 0 || ih >= g.H) continue;
            for (int kw = 0; kw < g.KW; kw++) {
              const int iw = iw0 + kw * g.DW;
              if (iw < 0 || iw >= g.W) continue;
              const f32 *xp = xn + ((long)ih * g.W + iw) * C + c, *wp = w + (kh * g.KW + kw) * C + c;
              a0 = madd(a0, ld(xp), ld(wp)); a1 = madd(a1, ld(xp + 4), ld(wp + 4));
              a2 = madd(a2, ld(xp + 8), ld(wp + 8)); a3 = madd(a3, ld(xp + 12), ld(wp + 12));
            }
          }
          if (relu6) {
            a0 = wasm_f32x4_pmin(wasm_f32x4_pmax(a0, zero), six); a1 = wasm_f32x4_pmin(wasm_f32x4_pmax(a1, zero), six);
            a2 = wasm_f32x4_pmin(wasm_f32x4_pmax(a2, zero), six); a3 = wasm_f32x4_pmin(wasm_f32x4_pmax(a3, zero), six);
          }
          st(yo + c, a0); st(yo + c + 4, a1); st(yo + c + 8, a2); st(yo + c + 12, a3);
        }
        for (; c + 4 <= C; c += 4) {
          v128_t acc = bias ? ld(bias + c) : zero;
          for (int kh = 0; kh < g.KH; kh++) {
            const int ih = ih0 + kh * g.DH;
            if (ih < 0 || ih >= g.H) continue;
            for (int kw = 0; kw < g.KW; kw++) {
              const int iw = iw0 + kw * g.DW;
              if (iw < 0 || iw >= g.W) continue;
              acc = madd(acc, ld(xn + ((long)ih * g.W + iw) * C + c), ld(w + (kh * g.KW + kw) * C + c));
            }
          }
          if (relu6) acc = wasm_f32x4_pmin(wasm_f32x4_pmax(acc, zero), six);
          st(yo + c, acc);
        }
        for (; c < C; c++) {
          f32 acc = bias ? bias[c] : 0.f;
          for (int kh = 0; kh < g.KH; kh++) {
            const int ih = ih0 + kh * g.DH;
            if (ih < 0 || ih >= g.H) continue;
            for (int kw = 0; kw < g.KW; kw++) {
              const int iw = iw0 + kw * g.DW;
              if (iw < 0 || iw >= g.W) continue;
              acc += xn[((long)ih * g.W + iw) * C + c] * w[(kh * g.KW + kw) * C + c];
            }
          }
          if (relu6) acc = acc < 0.f ? 0.f : (acc > 6.f ? 6.f : acc);
          yo[c] = acc;
        }
      }
    }
  }
}

/*
 * Gradients of dw_forward (no bias/activation) in one pass over dy: dx [N,H,W,C] and dw [KH,KW,C], each
 * overwritten, each optional (0 = not wanted). Scratch (needed with dw): part f32[KH*KW*C], acc f64[same].
 */
EXPORT(dw_backward)
void dw_backward(const f32 *x, const f32 *w, const f32 *dy, f32 *dx, f32 *dw, const int *gp, f32 *part, f64 *acc) {
  const Geom g = geom(gp);
  const int C = g.C, F = g.KH * g.KW * C;
  if (dx) zero_f32(dx, g.N * g.H * g.W * C);
  if (dw) { zero_f32(part, F); zero_f64(acc, F); }
  for (int n = 0; n < g.N; n++) {
    const f32 *xn = x ? x + (long)n * g.H * g.W * C : 0;
    f32 *dxn = dx ? dx + (long)n * g.H * g.W * C : 0;
    for (int oh = 0; oh < g.OH; oh++) {
      for (int ow = 0; ow < g.OW; ow++) {
        const f32 *gr = dy + (((long)n * g.OH + oh) * g.OW + ow) * C;
        const int ih0 = oh * g.SH - g.PT, iw0 = ow * g.SW - g.PL;
        int c = 0;
        if (dx && dw) {
          /* 16 channels at a time: the 4 gradient vectors stay in registers across the taps. */
          for (; c + 16 <= C; c += 16) {
            const v128_t g0 = ld(gr + c), g1 = ld(gr + c + 4), g2 = ld(gr + c + 8), g3 = ld(gr + c + 12);
            for (int kh = 0; kh < g.KH; kh++) {
              const int ih = ih0 + kh * g.DH;
              if (ih < 0 || ih >= g.H) continue;
              for (int kw = 0; kw < g.KW; kw++) {
                const int iw = iw0 + kw * g.DW;
                if (iw < 0 || iw >= g.W) continue;
                const long off = ((long)ih * g.W + iw) * C + c;
                const int tap = (kh * g.KW + kw) * C + c;
                f32 *d = dxn + off, *pt = part + tap;
                const f32 *xp = xn + off, *wt = w + tap;
                st(d, madd(ld(d), g0, ld(wt))); st(d + 4, madd(ld(d + 4), g1, ld(wt + 4)));
                st(d + 8, madd(ld(d + 8), g2, ld(wt + 8))); st(d + 12, madd(ld(d + 12), g3, ld(wt + 12)));
                st(pt, madd(ld(pt), g0, ld(xp))); st(pt + 4, madd(ld(pt + 4), g1, ld(xp + 4)));
                st(pt + 8, madd(ld(pt + 8), g2, ld(xp + 8))); st(pt + 12, madd(ld(pt + 12), g3, ld(xp + 12)));
              }
            }
          }
        }
        for (int kh = 0; kh < g.KH; kh++) {
          const int ih = ih0 + kh * g.DH;
          if (ih < 0 || ih >= g.H) continue;
          for (int kw = 0; kw < g.KW; kw++) {
            const int iw = iw0 + kw * g.DW;
            if (iw < 0 || iw >= g.W) continue;
            const long off = ((long)ih * g.W + iw) * C;
            const int tap = (kh * g.KW + kw) * C;
            int cc = c;
            if (dx && dw) {
              for (; cc + 4 <= C; cc += 4) {
                const v128_t gv = ld(gr + cc);
                st(dxn + off + cc, madd(ld(dxn + off + cc), gv, ld(w + tap + cc)));
                st(part + tap + cc, madd(ld(part + tap + cc), gv, ld(xn + off + cc)));
              }
              for (; cc < C; cc++) { dxn[off + cc] += gr[cc] * w[tap + cc]; part[tap + cc] += gr[cc] * xn[off + cc]; }
            } else if (dx) {
              for (; cc + 4 <= C; cc += 4) st(dxn + off + cc, madd(ld(dxn + off + cc), ld(gr + cc), ld(w + tap + cc)));
              for (; cc < C; cc++) dxn[off + cc] += gr[cc] * w[tap + cc];
            } else {
              for (; cc + 4 <= C; cc += 4) st(part + tap + cc, madd(ld(part + tap + cc), ld(gr + cc), ld(xn + off + cc)));
              for (; cc < C; cc++) part[tap + cc] += gr[cc] * xn[off + cc];
            }
          }
        }
      }
      if (dw) flush(acc, part, F); /* per output row: keeps each float32 partial short */
    }
  }
  if (dw) for (int i = 0; i < F; i++) dw[i] = (f32)acc[i];
}

/*
 * Dense convolution filter gradient, NHWC, any geometry: dw[kh,kw,ci,co] = sum x[n,ih,iw,ci] * dy[n,oh,ow,co]
 * (g as in dw_forward, C = Cin). dw [KH,KW,Cin,Cout] overwritten. Scratch: part f32[KH*KW*Cin*Cout], acc f64[same].
 */
EXPORT(conv_filter_grad)
void conv_filter_grad(const f32 *x, const f32 *dy, f32 *dw, const int *gp, int Cout, f32 *part, f64 *acc) {
  const Geom g = geom(gp);
  const int Cin = g.C, F = g.KH * g.KW * Cin * Cout;
  zero_f32(part, F);
  zero_f64(acc, F);
  for (int n = 0; n < g.N; n++) {
    const f32 *xn = x + (long)n * g.H * g.W * Cin;
    for (int oh = 0; oh < g.OH; oh++) {
      for (int ow = 0; ow < g.OW; ow++) {
        const f32 *gr = dy + (((long)n * g.OH + oh) * g.OW + ow) * Cout;
        const int ih0 = oh * g.SH - g.PT, iw0 = ow * g.SW - g.PL;
        for (int kh = 0; kh < g.KH; kh++) {
          const int ih = ih0 + kh * g.DH;
          if (ih < 0 || ih >= g.H) continue;
          for (int kw = 0; kw < g.KW; kw++) {
            const int iw = iw0 + kw * g.DW;
            if (iw < 0 || iw >= g.W) continue;
            const f32 *xp = xn + ((long)ih * g.W + iw) * Cin;
            for (int ci = 0; ci < Cin; ci++) {
              f32 *pt = part + ((kh * g.KW + kw) * Cin + ci) * Cout;
              const f32 xs = xp[ci];
              const v128_t xv = wasm_f32x4_splat(xs);
              int co = 0;
              for (; co + 4 <= Cout; co += 4) st(pt + co, madd(ld(pt + co), xv, ld(gr + co)));
              for (; co < Cout; co++) pt[co] += xs * gr[co];
            }
          }
        }
      }
      flush(acc, part, F);
    }
  }
  for (int i = 0; i < F; i++) dw[i] = (f32)acc[i];
}

/*
 * out [K,N] (+)= A^T B over rows [m0, m1) with A [M,K], B [M,N] row-major; `add` accumulates into out.
 * Register-blocked: 4 rows of out x 8 columns in 8 vector accumulators.
 */
static void gemm_tn_rows(const f32 *A, const f32 *B, f32 *out, int m0, int m1, int K, int N, int add) {
  int k0 = 0;
  for (; k0 + 4 <= K; k0 += 4) {
    int n0 = 0;
    for (; n0 + 8 <= N; n0 += 8) {
      f32 *o = out + (long)k0 * N + n0;
      v128_t a00, a01, a10, a11, a20, a21, a30, a31;
      if (add) {
        a00 = ld(o); a01 = ld(o + 4); a10 = ld(o + N); a11 = ld(o + N + 4);
        a20 = ld(o + 2 * N); a21 = ld(o + 2 * N + 4); a30 = ld(o + 3 * N); a31 = ld(o + 3 * N + 4);
      } else {
        a00 = wasm_f32x4_splat(0.f); a01 = a00; a10 = a00; a11 = a00; a20 = a00; a21 = a00; a30 = a00; a31 = a00;
      }
      const f32 *ap = A + (long)m0 * K + k0, *bp = B + (long)m0 * N + n0;
      for (int m = m0; m < m1; m++, ap += K, bp += N) {
        const v128_t b0 = ld(bp), b1 = ld(bp + 4);
        v128_t s = wasm_f32x4_splat(ap[0]); a00 = madd(a00, s, b0); a01 = madd(a01, s, b1);
        s = wasm_f32x4_splat(ap[1]); a10 = madd(a10, s, b0); a11 = madd(a11, s, b1);
        s = wasm_f32x4_splat(ap[2]); a20 = madd(a20, s, b0); a21 = madd(a21, s, b1);
        s = wasm_f32x4_splat(ap[3]); a30 = madd(a30, s, b0); a31 = madd(a31, s, b1);
      }
      st(o, a00); st(o + 4, a01); st(o + N, a10); st(o + N + 4, a11);
      st(o + 2 * N, a20); st(o + 2 * N + 4, a21); st(o + 3 * N, a30); st(o + 3 * N + 4, a31);
    }
    for (; n0 < N; n0++) {
      f32 *o = out + (long)k0 * N + n0;
      f32 s0 = add ? o[0] : 0.f, s1 = add ? o[N] : 0.f, s2 = add ? o[2 * N] : 0.f, s3 = add ? o[3 * N] : 0.f;
      const f32 *ap = A + (long)m0 * K + k0, *bp = B + (long)m0 * N + n0;
      for (int m = m0; m < m1; m++, ap += K, bp += N) { s0 += ap[0] * *bp; s1 += ap[1] * *bp; s2 += ap[2] * *bp; s3 += ap[3] * *bp; }
      o[0] = s0; o[N] = s1; o[2 * N] = s2; o[3 * N] = s3;
    }
  }
  for (; k0 < K; k0++) {
    int n0 = 0;
    for (; n0 + 4 <= N; n0 += 4) {
      f32 *o = out + (long)k0 * N + n0;
      v128_t a0 = add ? ld(o) : wasm_f32x4_splat(0.f);
      const f32 *ap = A + (long)m0 * K + k0, *bp = B + (long)m0 * N + n0;
      for (int m = m0; m < m1; m++, ap += K, bp += N) a0 = madd(a0, wasm_f32x4_splat(ap[0]), ld(bp));
      st(o, a0);
    }
    for (; n0 < N; n0++) {
      f32 *o = out + (long)k0 * N + n0;
      f32 s = add ? o[0] : 0.f;
      const f32 *ap = A + (long)m0 * K + k0, *bp = B + (long)m0 * N + n0;
      for (int m = m0; m < m1; m++, ap += K, bp += N) s += ap[0] * *bp;
      o[0] = s;
    }
  }
}

/*
 * out [K,N] = A^T B with A [M,K], B [M,N] (row-major): the weight gradient of y = x W (A = x, B = dy).
 * tfjs-backend-wasm runs transposed BatchMatMul ~10-30x slower than plain products. Here rows are processed in
 * chunks small enough for the chunk of A and B to stay in cache while every 4x8 tile of out sweeps it.
 */
EXPORT(gemm_tn)
void gemm_tn(const f32 *A, const f32 *B, f32 *out, int M, int K, int N) {
  int chunk = 32768 / (K + N);
  if (chunk < 16) chunk = 16;
  if (M == 0) { for (long i = 0; i < (long)K * N; i++) out[i] = 0.f; return; }
  for (int m0 = 0; m0 < M; m0 += chunk) gemm_tn_rows(A, B, out, m0, m0 + chunk < M ? m0 + chunk : M, K, N, m0 > 0);
}

/* Stores the first `count` (1..8) columns of a row held in two vectors (the last, partial panel of a product). */
static inline void st_cols(f32 *o, v128_t v0, v128_t v1, int count) {
  if (count >= 4) { st(o, v0); v0 = v1; o += 4; count -= 4; }
  if (count > 0) o[0] = wasm_f32x4_extract_lane(v0, 0);
  if (count > 1) o[1] = wasm_f32x4_extract_lane(v0, 1);
  if (count > 2) o[2] = wasm_f32x4_extract_lane(v0, 2);
  if (count > 3) o[3] = wasm_f32x4_extract_lane(v0, 3);
}

/*
 * out [M,N] = act(A [M,K] · B + bias) (row-major), B = [K,N], or with transB B's transpose given as [N,K] (dy·Wᵀ: no
 * transposed copy of W is made, the packing reads it column-wise); bias [N] optional (0 = none), act = ReLU6 when
 * relu6 != 0 (inference with BatchNorm folded into the weights: the whole layer in one pass).
 * A register-blocked product: 4 rows x 8 columns of out in 8 vector accumulators. B's 8-column panels are packed once
 * into `packed` (scratch, K * 8 * ceil(N/8) floats; the last panel zero-padded) so each k step reads 8 contiguous
 * floats; rows are processed in blocks small enough for the block of A to stay in cache while every panel sweeps it.
 * Replaces XNNPACK's fully-connected path for the training matmuls and inference: tfjs creates (and packs) a new
 * XNNPACK operator for every weight tensor it sees, which dominates at the small row counts of the deep layers, and
 * this kernel is as fast or faster on the model's shapes (bench/kernels.ts).
 */
EXPORT(gemm_nn)
void gemm_nn(const f32 *A, const f32 *B, f32 *out, int M, int K, int N, f32 *packed, int transB, const f32 *bias, int relu6) {
  const int panels = (N + 7) / 8;
  const v128_t zero = wasm_f32x4_splat(0.f), six = wasm_f32x4_splat(6.f);
  for (int p = 0; p < panels; p++) {
    f32 *dst = packed + (long)p * K * 8;
    const int cols = N - 8 * p < 8 ? N - 8 * p : 8;
    if (transB || cols < 8) {
      for (int k = 0; k < K; k++)
        for (int j = 0; j < 8; j++)
          dst[8 * k + j] = j >= cols ? 0.f : transB ? B[(long)(8 * p + j) * K + k] : B[(long)k * N + 8 * p + j];
    } else {
      for (int k = 0; k < K; k++) { st(dst + 8 * k, ld(B + (long)k * N + 8 * p)); st(dst + 8 * k + 4, ld(B + (long)k * N + 8 * p + 4)); }
    }
  }
  int rows = 16384 / (K > 0 ? K : 1);
  rows = rows < 4 ? 4 : rows & ~3;
  for (int mb = 0; mb < M; mb += rows) {
    const int me = mb + rows < M ? mb + rows : M;
    for (int p = 0; p < panels; p++) {
      const int n0 = 8 * p, cols = N - n0 < 8 ? N - n0 : 8;
      const f32 *panel = packed + (long)p * K * 8;
      v128_t bias0 = zero, bias1 = zero;
      if (bias) {
        if (cols == 8) { bias0 = ld(bias + n0); bias1 = ld(bias + n0 + 4); }
        else {
          for (int j = 0; j < cols; j++) {
            /* lane by lane: no local arrays (they would live on the shadow stack) */
            const v128_t b = wasm_f32x4_splat(bias[n0 + j]);
            const v128_t lane = wasm_i32x4_eq(wasm_i32x4_make(0, 1, 2, 3), wasm_i32x4_splat(j & 3));
            if (j < 4) bias0 = wasm_v128_bitselect(b, bias0, lane);
            else bias1 = wasm_v128_bitselect(b, bias1, lane);
          }
        }
      }
      int m0 = mb;
      for (; m0 + 4 <= me; m0 += 4) {
        v128_t a00 = bias0, a01 = bias1, a10 = bias0, a11 = bias1, a20 = bias0, a21 = bias1, a30 = bias0, a31 = bias1;
        const f32 *r0 = A + (long)m0 * K, *r1 = r0 + K, *r2 = r1 + K, *r3 = r2 + K;
        const f32 *bp = panel;
        for (int k = 0; k < K; k++, bp += 8) {
          const v128_t b0 = ld(bp), b1 = ld(bp + 4);
          v128_t s = wasm_f32x4_splat(r0[k]); a00 = madd(a00, s, b0); a01 = madd(a01, s, b1);
          s = wasm_f32x4_splat(r1[k]); a10 = madd(a10, s, b0); a11 = madd(a11, s, b1);
          s = wasm_f32x4_splat(r2[k]); a20 = madd(a20, s, b0); a21 = madd(a21, s, b1);
          s = wasm_f32x4_splat(r3[k]); a30 = madd(a30, s, b0); a31 = madd(a31, s, b1);
        }
        if (relu6) {
          a00 = wasm_f32x4_pmin(wasm_f32x4_pmax(a00, zero), six); a01 = wasm_f32x4_pmin(wasm_f32x4_pmax(a01, zero), six);
          a10 = wasm_f32x4_pmin(wasm_f32x4_pmax(a10, zero), six); a11 = wasm_f32x4_pmin(wasm_f32x4_pmax(a11, zero), six);
          a20 = wasm_f32x4_pmin(wasm_f32x4_pmax(a20, zero), six); a21 = wasm_f32x4_pmin(wasm_f32x4_pmax(a21, zero), six);
          a30 = wasm_f32x4_pmin(wasm_f32x4_pmax(a30, zero), six); a31 = wasm_f32x4_pmin(wasm_f32x4_pmax(a31, zero), six);
        }
        f32 *o = out + (long)m0 * N + n0;
        if (cols == 8) {
          st(o, a00); st(o + 4, a01); o += N;
          st(o, a10); st(o + 4, a11); o += N;
          st(o, a20); st(o + 4, a21); o += N;
          st(o, a30); st(o + 4, a31);
        } else {
          st_cols(o, a00, a01, cols); st_cols(o + N, a10, a11, cols); st_cols(o + 2 * N, a20, a21, cols); st_cols(o + 3 * N, a30, a31, cols);
        }
      }
      for (; m0 < me; m0++) {
        v128_t a0 = bias0, a1 = bias1;
        const f32 *r0 = A + (long)m0 * K, *bp = panel;
        for (int k = 0; k < K; k++, bp += 8) {
          const v128_t s = wasm_f32x4_splat(r0[k]);
          a0 = madd(a0, s, ld(bp)); a1 = madd(a1, s, ld(bp + 4));
        }
        if (relu6) { a0 = wasm_f32x4_pmin(wasm_f32x4_pmax(a0, zero), six); a1 = wasm_f32x4_pmin(wasm_f32x4_pmax(a1, zero), six); }
        st_cols(out + (long)m0 * N + n0, a0, a1, cols);
      }
    }
  }
}

/* out [C,R] = transpose of in [R,C], in 8x8 tiles for cache locality. */
EXPORT(transpose2d)
void transpose2d(const f32 *in, f32 *out, int R, int C) {
  for (int r0 = 0; r0 < R; r0 += 8) {
    const int r1 = r0 + 8 < R ? r0 + 8 : R;
    for (int c0 = 0; c0 < C; c0 += 8) {
      const int c1 = c0 + 8 < C ? c0 + 8 : C;
      for (int r = r0; r < r1; r++)
        for (int c = c0; c < c1; c++) out[(long)c * R + r] = in[(long)r * C + c];
    }
  }
}

/* out[i] = (accumulate ? out[i] : 0) + w * in[i]: weighted sum of the workers' gradients (fixed order, float32). */
EXPORT(scale_add)
void scale_add(f32 *out, const f32 *in, int n, f32 w, int accumulate) {
  const v128_t wv = wasm_f32x4_splat(w);
  int i = 0;
  if (accumulate) {
    for (; i + 4 <= n; i += 4) st(out + i, wasm_f32x4_add(ld(out + i), wasm_f32x4_mul(wv, ld(in + i))));
    for (; i < n; i++) out[i] = out[i] + w * in[i];
  } else {
    for (; i + 4 <= n; i += 4) st(out + i, wasm_f32x4_mul(wv, ld(in + i)));
    for (; i < n; i++) out[i] = w * in[i];
  }
}

/*
 * torch.optim.Adam's element-wise update (PyTorch 1.13 single-tensor path), float32 throughout, operations in
 * PyTorch's order (IEEE float32 add/mul/div/sqrt are correctly rounded in SIMD and scalar alike, so this matches the
 * float32-rounded JavaScript reference bit for bit):
 *   g' = g + wd*p;  m = m*b1 + g'*(1-b1);  v = v*b2 + (g'*g')*(1-b2);  vmax = max(vmax, v) (amsgrad)
 *   p = p + negStep * (m / (sqrt(v or vmax) / bc2 + eps))
 * vmax == 0: no amsgrad.
 */
EXPORT(adam_update)
void adam_update(f32 *p, const f32 *g, f32 *m, f32 *v, f32 *vmax, int n,
                 f32 b1, f32 omb1, f32 b2, f32 omb2, f32 eps, f32 wd, f32 negStep, f32 bc2) {
  const v128_t B1 = wasm_f32x4_splat(b1), OMB1 = wasm_f32x4_splat(omb1), B2 = wasm_f32x4_splat(b2), OMB2 = wasm_f32x4_splat(omb2);
  const v128_t EPS = wasm_f32x4_splat(eps), WD = wasm_f32x4_splat(wd), NS = wasm_f32x4_splat(negStep), BC2 = wasm_f32x4_splat(bc2);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    v128_t gi = ld(g + i);
    if (wd != 0.f) gi = wasm_f32x4_add(gi, wasm_f32x4_mul(WD, ld(p + i)));
    const v128_t mi = wasm_f32x4_add(wasm_f32x4_mul(ld(m + i), B1), wasm_f32x4_mul(gi, OMB1));
    const v128_t vi = wasm_f32x4_add(wasm_f32x4_mul(ld(v + i), B2), wasm_f32x4_mul(wasm_f32x4_mul(gi, gi), OMB2));
    st(m + i, mi);
    st(v + i, vi);
    v128_t second = vi;
    if (vmax) {
      second = wasm_f32x4_max(ld(vmax + i), vi);
      st(vmax + i, second);
    }
    const v128_t denom = wasm_f32x4_add(wasm_f32x4_div(wasm_f32x4_sqrt(second), BC2), EPS);
    st(p + i, wasm_f32x4_add(ld(p + i), wasm_f32x4_mul(NS, wasm_f32x4_div(mi, denom))));
  }
  for (; i < n; i++) {
    f32 gi = g[i];
    if (wd != 0.f) gi = gi + wd * p[i];
    const f32 mi = m[i] * b1 + gi * omb1;
    const f32 vi = v[i] * b2 + (gi * gi) * omb2;
    m[i] = mi;
    v[i] = vi;
    f32 second = vi;
    if (vmax) { if (vi > vmax[i]) vmax[i] = vi; second = vmax[i]; }
    const f32 denom = __builtin_sqrtf(second) / bc2 + eps;
    p[i] = p[i] + negStep * (mi / denom);
  }
}
