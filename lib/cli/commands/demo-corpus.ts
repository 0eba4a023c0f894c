/**
 * `psl demo-corpus`: generates (or finds cached) the embedded demo corpus and prints where its manifests are.
 */
import { integerFlag, parseCommandArgs } from "../args";
import type { Command } from "../command";
import { UserError } from "../../errors";
import { ensureDemoCorpus, SPLITS, type DemoProfile, type DemoSizes, type SplitName } from "../../demo";

const usage = `usage: psl demo-corpus [--out DIR] [--seed N] [--profile quick|default]
                       [--full N] [--balanced N] [--val N] [--eval N] [--domain2 N]
                       [--missing-base P] [--wrong-rate P] [--splits full,balanced,...]

Generates the embedded demo corpus (10-s 16 kHz clips mixed from the sources in data-manifests/demo/sources.csv,
strong labels, AudioSet-like missing weak labels, an FSD50K-like second domain) once and caches it under
DIR/<key>/ (default .cache/demo-corpus; key = hash of version, seed, sizes, sources). Re-running is instant.
Needs the source packages: run scripts/setup-demo-sources.sh first.
  --out        parent folder of the cached corpora (default .cache/demo-corpus, or $PSL_DEMO_CORPUS_DIR)
  --seed       generator seed (default 0)
  --profile    quick (≈1/10 size, for CI) or default (full 4000, balanced 500, val 200, eval 500, domain2 300)
  --full --balanced --val --eval --domain2   override a split's clip count
  --missing-base  base probability that a present label is missing (default 0.1; short/quiet events add more)
  --wrong-rate    probability that a clip gets one wrong label (default 0.2)
  --splits     splits whose audio to render now (default all; labels and manifests are always written)`;

const SIZE_FLAGS = ["full", "balanced", "val", "eval", "domain2"] as const;

export const demoCorpusCommand: Command = {
  name: "demo-corpus",
  summary: "generate/cache the embedded demo corpus (strong + weak labels, second domain)",
  usage,
  async run(args) {
    const values = parseCommandArgs({
      args,
      options: {
        out: { type: "string" },
        seed: { type: "string" },
        profile: { type: "string" },
        "missing-base": { type: "string" },
        "wrong-rate": { type: "string" },
        splits: { type: "string" },
        ...Object.fromEntries(SIZE_FLAGS.map((f) => [f, { type: "string" as const }])),
      },
      strict: true,
    }, usage).values as Record<string, string | undefined>;
    const profile = (values.profile ?? "default") as DemoProfile;
    if (profile !== "quick" && profile !== "default") throw new UserError(`--profile must be quick or default, got "${profile}"`);
    const sizes: Partial<DemoSizes> = {};
    for (const flag of SIZE_FLAGS) if (values[flag] !== undefined) sizes[flag] = integerFlag(flag, values[flag], 0, 0);
    const probability = (flag: string): number | undefined => {
      const text = values[flag];
      if (text === undefined) return undefined;
      const value = Number(text);
      if (text.trim() === "" || !Number.isFinite(value) || value < 0 || value > 1) throw new UserError(`--${flag} must be a probability in [0, 1], got "${text}"`);
      return value;
    };
    const missingBase = probability("missing-base");
    const wrongRate = probability("wrong-rate");
    let renderSplits: SplitName[] | undefined;
    if (values.splits !== undefined) {
      renderSplits = values.splits.split(",").map((s) => s.trim()) as SplitName[];
      for (const s of renderSplits) if (!SPLITS.includes(s)) throw new UserError(`--splits: unknown split "${s}" (${SPLITS.join(", ")})`);
    }
    const started = Date.now();
    let lastLine = "";
    const corpus = await ensureDemoCorpus({
      profile,
      sizes,
      seed: integerFlag("seed", values.seed, 0, 0),
      outDir: values.out,
      renderSplits,
      ...(missingBase !== undefined ? { missingLabels: { base: missingBase } } : {}),
      ...(wrongRate !== undefined ? { wrongLabels: { rate: wrongRate } } : {}),
      onProgress: (p) => {
        const line = p.phase === "sources" ? `sources ${p.done}/${p.total}` : `${p.split} ${p.done}/${p.total}`;
        if (process.stderr.isTTY) process.stderr.write(`\r${line.padEnd(lastLine.length)}`);
        else if (p.done === p.total) console.error(line);
        lastLine = line;
      },
    });
    if (process.stderr.isTTY && lastLine) process.stderr.write("\n");
    console.log(`demo corpus: ${corpus.root} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    const r = corpus.labelNoise.rates;
    console.log(`classes: ${corpus.classes.length}; weak labels missing / wrong: full ${r.full.missing} / ${r.full.wrong}, balanced ${r.balanced.missing} / ${r.balanced.wrong}; noisy eval labels ${r.eval.missing} / ${r.eval.wrong}`);
    for (const [name, split] of Object.entries(corpus.splits)) console.log(`  ${name.padEnd(9)} ${String(split.clips).padStart(5)} clips  ${split.manifest}`);
    console.log(`  domain2 vocabulary ${corpus.domain2Vocabulary}`);
    return 0;
  },
};
