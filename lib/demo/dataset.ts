/** The demo corpus as the experiment pipeline's `"dataset": "demo"` (lib/data/named-dataset.ts). */
import type { NamedDataset } from "../data/named-dataset";
import { ensureDemoCorpus } from "./corpus";

export const demoDataset: NamedDataset = {
  name: "demo",
  async prepare({ profile, seed, needsTeacherTrain, onProgress }) {
    // Without a teacher to train (the shipped demo teacher), the `full` split's audio is never read: not rendered.
    const corpus = await ensureDemoCorpus({
      profile,
      seed,
      renderSplits: needsTeacherTrain ? ["full", "balanced", "val", "eval"] : ["balanced", "val", "eval"],
      onProgress: (p) => p.phase === "clips" && onProgress?.(),
    });
    return {
      teacherTrain: needsTeacherTrain ? corpus.splits.full.manifest : undefined,
      studentTrain: corpus.splits.balanced.manifest,
      validation: corpus.splits.val.manifest,
      eval: corpus.splits.eval.manifest,
      classes: corpus.classes,
    };
  },
};
