"""Linear probe of the demo corpus: how separable are its classes across recordings, without training a CNN?

Logistic regression (plain numpy gradient descent) on per-clip log-mel statistics (mean, std, 90th percentile and mean
|frame difference| of each of the 64 bands) read from the kit's feature cache, trained on weak labels and scored
against the truth on held-out mixes of the same recordings, on val (its own recordings) and on eval (held-out
recordings). The numbers are quoted in data-manifests/demo/README.md ("What a model can learn from it").

Usage (after the features are cached, e.g. by `npx psl demo-teacher` or the notebooks with retrainTeacher):
    python3 scripts/demo-linear-probe.py .cache/demo-corpus/<key> [.cache/psl/series-demo-default/features]
Needs python3-numpy (Debian).
"""
import json, numpy as np, sys, os
corpus = sys.argv[1]
root = sys.argv[2] if len(sys.argv) > 2 else '.cache/psl/series-demo-default/features'
idx = json.load(open(f'{root}/index.json'))
def manifest(split, name='manifest.tsv'):
    rows = []
    for line in open(f'{corpus}/{split}/{name}').read().strip().split('\n')[1:]:
        f, labels, dur = line.split('\t')
        rows.append((f, [int(x) for x in labels.split(';') if x]))
    return rows
shards = {}
def feats(f):
    e = idx['clips'][f]
    if e['shard'] not in shards:
        shards[e['shard']] = np.memmap(f"{root}/shard-{e['shard']}.bin", dtype='<f4', mode='r')
    a = np.asarray(shards[e['shard']][e['offset']//4: e['offset']//4 + e['frames']*64]).reshape(-1, 64)
    d = np.diff(a, axis=0)
    return np.concatenate([a.mean(0), a.std(0), np.percentile(a, 90, axis=0), np.abs(d).mean(0)])
def load(split, name='manifest.tsv'):
    rows = manifest(split, name)
    X = np.stack([feats(f) for f, _ in rows])
    return X, [l for _, l in rows]
classes = sorted({c for _, ls in manifest('eval', 'truth.tsv') for c in ls})
ci = {c: i for i, c in enumerate(classes)}
def Y(labels):
    y = np.zeros((len(labels), len(classes)), np.float32)
    for i, ls in enumerate(labels):
        for c in ls:
            if c in ci: y[i, ci[c]] = 1
    return y
def ap(y, s):
    o = np.argsort(-s); y = y[o]; tp = np.cumsum(y); prec = tp / np.arange(1, len(y)+1)
    return (prec * y).sum() / max(1, y.sum())
def mAP(Yt, S):
    return np.mean([ap(Yt[:, k], S[:, k]) for k in range(Yt.shape[1]) if Yt[:, k].sum() > 0])
def auc(y, s):
    o = np.argsort(s); r = np.empty(len(s)); r[o] = np.arange(1, len(s)+1)
    p = y.sum(); n = len(y) - p
    return (r[y == 1].sum() - p*(p+1)/2) / (p*n)
def mAUC(Yt, S):
    return np.mean([auc(Yt[:, k], S[:, k]) for k in range(Yt.shape[1]) if 0 < Yt[:, k].sum() < len(Yt)])
def train(X, Yw, steps=600, lr=0.5, l2=1e-3):
    mu, sd = X.mean(0), X.std(0) + 1e-6
    Xn = (X - mu) / sd
    W = np.zeros((X.shape[1], Yw.shape[1])); b = np.zeros(Yw.shape[1])
    for _ in range(steps):
        P = 1 / (1 + np.exp(-(Xn @ W + b)))
        G = (P - Yw) / len(X)
        W -= lr * (Xn.T @ G + l2 * W); b -= lr * G.sum(0)
    return lambda Z: ((Z - mu) / sd) @ W + b
Xf, lf = load('full'); Xf_true = Y(load('full', 'truth.tsv')[1])
Xe, le = load('eval', 'truth.tsv'); Ye = Y(le)
Xv, lv = load('val', 'truth.tsv'); Yv = Y(lv)
Xb, lb = load('balanced'); Yb = Y(lb)
Yf = Y(lf)
n = len(Xf); hold = np.arange(n) % 8 == 0
for name, (X, Yw, Xt, Yt) in {
    'full weak -> full held-out mixes (same recordings), truth': (Xf[~hold], Yf[~hold], Xf[hold], Xf_true[hold]),
    'full weak -> val (own recordings), truth': (Xf, Yf, Xv, Yv),
    'full weak -> eval (held-out recordings), truth': (Xf, Yf, Xe, Ye),
    'balanced weak (500) -> eval, truth': (Xb, Yb, Xe, Ye),
}.items():
    f = train(X, Yw)
    S = f(Xt)
    print(f'{name}: mAP {mAP(Yt, S):.3f}  meanAUC {mAUC(Yt, S):.3f}   (chance mAP {Yt.mean(0)[Yt.sum(0)>0].mean():.3f})')
