/** Identity on wasm sharing the input's buffer (reference-counted) instead of copying it. */
import type { Info, KernelArgs } from "./kernel-utils";

/**
 * tfjs saves every tensor a gradient needs through Identity (engine.clone), and tfjs-backend-wasm's Identity
 * copies the data: a full extra pass over every saved activation in every training step. tfjs tensors are
 * immutable (even Variable.assign swaps in new data), so sharing the buffer with a reference count is exact;
 * the cpu backend's Identity does the same.
 */
export function identityShared({ inputs, backend: b }: KernelArgs): Info {
  const { x } = inputs;
  (b as { incRef(dataId: object): void }).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}
