/** The demo corpus as the experiment pipeline's `"dataset": "demo"` (lib/data/named-dataset.ts). */
import type { NamedDataset } from "../data/named-dataset";
import { ensureDemoCorpus } from "./corpus";

export const demoDataset: NamedDataset = {
  name: "demo",
  async prepare({ profile, seed, onProgress }) {
    const corpus = await ensureDemoCorpus({ profile, seed, onProgress: (p) => p.phase === "clips" && onProgress?.() });
    return {
      teacherTrain: corpus.splits.full.manifest,
      studentTrain: corpus.splits.balanced.manifest,
      validation: corpus.splits.val.manifest,
      eval: corpus.splits.eval.manifest,
      classes: corpus.classes,
    };
  },
};
