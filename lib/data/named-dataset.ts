/**
 * A dataset known by name in an experiment config (`"dataset": "demo"`) that provides its own manifests, such as the
 * generated demo corpus. The PSL pipeline takes these as an option rather than importing any corpus itself, so the
 * method (lib/psl) does not depend on the demo; the layers above both (lib/cli, lib/series) pass lib/demo's.
 */

/** Manifests (kit TSV paths) of the four splits an experiment reads, and the class names. */
export interface NamedDatasetManifests {
  /** Absent when the run needs no teacher-training split (a pretrained teacher) and the dataset skipped it. */
  teacherTrain?: string;
  studentTrain: string;
  validation: string;
  eval: string;
  classes: readonly { index: number; displayName: string }[];
}

export interface NamedDataset {
  /** The config's `dataset` value that selects it. */
  name: string;
  /** Makes the data available (generating it when needed) and returns its manifests; `onProgress` fires as it goes. */
  prepare(options: { profile: "quick" | "default"; seed: number; needsTeacherTrain: boolean; onProgress?: () => void }): Promise<NamedDatasetManifests>;
}
