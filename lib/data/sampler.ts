/**
 * Samplers over items (clips or chunks), seeded and deterministic.
 *
 * - `createBalancedSampler` behaves as the reference's BalancedSampler: each class keeps a shuffled list of the items
 *   carrying it; classes are visited in a shuffled order (a fresh shuffle every time all classes have been visited);
 *   each visit takes the class's next item; a class's list is reshuffled when exhausted. Items with several labels
 *   are reachable through each of them, so rare classes are oversampled. The reference's configs do not use it
 *   (`sampler: null`); it is offered as an option.
 * - `createShuffleSampler` is the configs' default: every epoch a new random permutation of all items.
 *
 * Differences from the reference, on purpose: classes without any item are skipped (the reference raises
 * IndexError on them), and the number of classes defaults to max label + 1 (the reference counts distinct labels,
 * which mis-sizes its tables when some class is absent).
 */
import { UserError } from "../errors";
import { createRng, type Rng } from "./random";

export interface BalancedSampler {
  /** Index of the next item (never ends). */
  next(): number;
  /** The next `count` indices. */
  take(count: number): number[];
  /** Items in one reference "epoch" (its __len__ is the item count). */
  readonly epochLength: number;
  /** Classes that have at least one item (the ones visited). */
  readonly activeClasses: number[];
}

export interface BalancedSamplerOptions {
  seed: number;
  numClasses?: number;
}

export function createBalancedSampler(labels: readonly (readonly number[])[], options: BalancedSamplerOptions): BalancedSampler {
  const rng = createRng(options.seed);
  let maxLabel = -1;
  labels.forEach((itemLabels, item) => {
    for (const label of itemLabels) {
      if (!Number.isInteger(label) || label < 0) throw new UserError(`balanced sampler: item ${item} has bad label ${label}`);
      if (label > maxLabel) maxLabel = label;
    }
  });
  const numClasses = options.numClasses ?? maxLabel + 1;
  if (maxLabel >= numClasses) throw new UserError(`balanced sampler: label ${maxLabel} ≥ numClasses ${numClasses}`);
  const perClass: number[][] = Array.from({ length: numClasses }, () => []);
  labels.forEach((itemLabels, item) => {
    for (const label of itemLabels) perClass[label].push(item);
  });
  // Initial shuffles in class order, then the class queue, like the reference's construction order.
  for (const list of perClass) rng.shuffle(list);
  const activeClasses = perClass.flatMap((list, c) => (list.length > 0 ? [c] : []));
  if (activeClasses.length === 0) throw new UserError("balanced sampler: no item has any label");
  const pointers = new Int32Array(numClasses);
  let queue: number[] = [];
  let queuePos = 0;

  const next = (): number => {
    if (queuePos >= queue.length) {
      queue = rng.shuffle(activeClasses.slice());
      queuePos = 0;
    }
    const label = queue[queuePos++];
    const list = perClass[label];
    const item = list[pointers[label]++];
    if (pointers[label] >= list.length) {
      pointers[label] = 0;
      rng.shuffle(list);
    }
    return item;
  };
  return {
    next,
    take: (count) => Array.from({ length: count }, next),
    epochLength: labels.length,
    activeClasses,
  };
}

export interface ShuffleSampler {
  /** Item order of epoch `epoch` (0-based): a permutation of 0 … count−1, the same for the same seed and epoch. */
  epochOrder(epoch: number): Int32Array;
  readonly epochLength: number;
}

/** Random shuffling per epoch. Each epoch's order depends only on (seed, epoch), so a resumed run replays it. */
export function createShuffleSampler(count: number, options: { seed: number }): ShuffleSampler {
  if (!Number.isInteger(count) || count < 0) throw new UserError(`shuffle sampler: count must be an integer ≥ 0, got ${count}`);
  return {
    epochLength: count,
    epochOrder(epoch: number): Int32Array {
      if (!Number.isInteger(epoch) || epoch < 0) throw new UserError(`shuffle sampler: epoch must be an integer ≥ 0, got ${epoch}`);
      const rng: Rng = createRng(options.seed * 1_000_003 + epoch);
      const order = Array.from({ length: count }, (_, i) => i);
      return Int32Array.from(rng.shuffle(order));
    },
  };
}
