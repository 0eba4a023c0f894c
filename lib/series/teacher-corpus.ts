/**
 * Which demo corpus a teacher checkpoint was trained on, against the corpus this series scores it on (issue 13).
 *
 * A kit teacher trained by `npx psl demo-teacher` has a recipe.json beside it naming its corpus (`corpusKey`,
 * `demoProfile`, `demoSeed`). Given to a series on ANOTHER corpus (e.g. the shipped teacher, trained on the default
 * corpus, given to the quick profile with `teacherCheckpoint`), its eval figures here are on another eval split than its
 * own eval.json — and they are held-out only if none of this series' eval recordings was among its training or
 * validation recordings. That is checked, not assumed:
 *   - the teacher's corpus on disk: its training/validation recordings (events.tsv source_id of full, balanced, val)
 *     against this series' eval recordings;
 *   - else, when this kit regenerates exactly the teacher's corpus key from its recipe (same generator version and
 *     source list), recordings are kept apart by their role in that source list: every eval recording of this series
 *     must have role "eval" there (the teacher's corpus drew training from role "train" only, validation from "val");
 *   - otherwise it cannot be checked, and the note says so.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { demoCorpusKey, eventRecordings, readSourceList, type DemoProfile } from "../demo";
import type { SeriesData } from "./data";

export interface TeacherCorpusNote {
  /** "other-corpus": held-out here (checked), but not comparable with its own eval figures; "leak": eval recordings it
   *  learned from; "unchecked": another corpus and no way to check. */
  status: "other-corpus" | "leak" | "unchecked";
  teacherCorpus: string;
  seriesCorpus: string | null;
  /** This series' eval recordings among the teacher's training/validation recordings (null: not checkable). */
  sharedRecordings: number | null;
  evalRecordings: number | null;
  /** How it was checked, in words. */
  checkedBy: string;
  message: string;
}

interface RecipeCorpus {
  corpusKey?: string;
  demoProfile?: DemoProfile;
  demoSeed?: number;
}

/**
 * The note for `checkpoint` on this series' data, or null when there is nothing to say: no recipe.json with a
 * corpusKey beside the checkpoint (a checkpoint from elsewhere: provenance unknown), or the series' own corpus.
 */
export function teacherCorpusNote(series: SeriesData, checkpoint: string): TeacherCorpusNote | null {
  const recipePath = join(dirname(checkpoint), "recipe.json");
  if (!existsSync(recipePath)) return null;
  let recipe: RecipeCorpus;
  try {
    recipe = JSON.parse(readFileSync(recipePath, "utf8")) as RecipeCorpus;
  } catch {
    return null; // not a kit recipe
  }
  const teacherCorpus = recipe.corpusKey;
  if (typeof teacherCorpus !== "string") return null;
  const corpus = series.corpus;
  if (corpus && corpus.key === teacherCorpus) return null;
  const name = `demo corpus ${teacherCorpus}${recipe.demoProfile ? ` ("${recipe.demoProfile}" profile, seed ${recipe.demoSeed ?? "?"})` : ""}`;
  if (!corpus) {
    return {
      status: "unchecked", teacherCorpus, seriesCorpus: null, sharedRecordings: null, evalRecordings: null, checkedBy: "nothing (not the demo corpus)",
      message: `The teacher ${checkpoint} was trained on ${name} (its recipe.json); this series scores it on another dataset, whose recordings cannot be checked against its training data.`,
    };
  }
  const evalRecordings = eventRecordings(corpus.splits.eval.events);
  const teacherRoot = join(dirname(corpus.root), teacherCorpus);
  let shared: number | null = null;
  let checkedBy: string;
  if (existsSync(join(teacherRoot, "full", "events.tsv"))) {
    const seen = new Set<string>();
    for (const split of ["full", "balanced", "val"]) {
      const path = join(teacherRoot, split, "events.tsv");
      if (existsSync(path)) for (const id of eventRecordings(path)) seen.add(id);
    }
    shared = [...evalRecordings].filter((id) => seen.has(id)).length;
    checkedBy = `its corpus on disk (${teacherRoot}): the source_id of every event of its full, balanced and val splits (${seen.size} recordings)`;
  } else if (recipe.demoProfile && recipe.demoSeed !== undefined && demoCorpusKey({ profile: recipe.demoProfile, seed: recipe.demoSeed }) === teacherCorpus) {
    const roles = new Map(readSourceList().map((s) => [s.sourceId, s.role]));
    shared = [...evalRecordings].filter((id) => roles.get(id) !== "eval").length;
    checkedBy = "recording roles: this kit regenerates its corpus key from its recipe, so it drew training and validation only from " +
      'recordings of role "train"/"val" in data-manifests/demo/sources.csv; this series\' eval recordings were checked to have role "eval" there';
  } else {
    return {
      status: "unchecked", teacherCorpus, seriesCorpus: corpus.key, sharedRecordings: null, evalRecordings: evalRecordings.size,
      checkedBy: "nothing (its corpus is not on disk, and this kit's generator and source list no longer give its key)",
      message: `The teacher ${checkpoint} was trained on ${name}, not on this series' corpus ${corpus.key}, and whether this eval split's ` +
        `recordings were among its training recordings CANNOT be checked (its corpus is not in ${dirname(corpus.root)}, and this kit's ` +
        "generator or source list has changed since). Its eval figures here may not be held-out.",
    };
  }
  const base = { teacherCorpus, seriesCorpus: corpus.key, sharedRecordings: shared, evalRecordings: evalRecordings.size, checkedBy };
  if (shared > 0) {
    return {
      ...base, status: "leak",
      message: `LEAK: the teacher ${checkpoint} was trained on ${name}, and ${shared} of this series' ${evalRecordings.size} eval recordings ` +
        `are among the recordings it was trained or validated on (checked by ${checkedBy}). Its eval figures here are NOT held-out: do not report them.`,
    };
  }
  return {
    ...base, status: "other-corpus",
    message: `The teacher ${checkpoint} was trained on ${name}, not on this series' corpus ${corpus.key}. None of this series' ` +
      `${evalRecordings.size} eval recordings is among its training or validation recordings (checked by ${checkedBy}), so its eval ` +
      `figures here are held-out — but on another, ${corpus.sizes.eval}-clip eval split than the one its own eval.json reports: ` +
      "do not compare or quote them as that teacher's figures.",
  };
}
