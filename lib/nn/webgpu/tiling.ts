/**
 * The work split shared by the per-channel reductions (BatchNorm statistics and gradients, the depthwise filter
 * gradient) over channels-last data [rows, channels].
 *
 * A workgroup of 256 threads covers a tile of `channelTile` consecutive channels × `lanes` row lanes, so neighbouring
 * threads read neighbouring floats. A reduction is split into `rowBlocks` partial sums per channel (first dispatch),
 * which the next dispatch adds up in a fixed order: results are deterministic, with no atomics.
 */
export const WORKGROUP = 256;

/** Rows summed by one workgroup before it writes a partial (fewer → more workgroups, more partials to add). */
const ROWS_PER_PARTIAL = 1024;
/** At most this many partials per channel: every workgroup of the second dispatch adds them all. */
const MAX_PARTIALS = 64;
/** Rows an apply workgroup covers at least. */
const MIN_APPLY_ROWS = 64;
/** At most this many row tiles in an apply dispatch. */
const MAX_APPLY_TILES = 1024;

export interface ChannelTiling {
  channelTile: number;
  lanes: number;
  channelBlocks: number;
  /** Row blocks of the partial-sum dispatch, and rows per block. */
  rowBlocks: number;
  rowsPerBlock: number;
  /** Row tiles of the apply dispatch, and rows per tile. */
  applyTiles: number;
  rowsPerTile: number;
}

export function channelTiling(rows: number, channels: number): ChannelTiling {
  let channelTile = 4;
  while (channelTile < Math.min(channels, 64)) channelTile *= 2;
  const lanes = WORKGROUP / channelTile;
  const rowBlocks = Math.max(1, Math.min(MAX_PARTIALS, Math.ceil(rows / ROWS_PER_PARTIAL)));
  const rowsPerBlock = Math.ceil(rows / rowBlocks);
  const rowsPerTile = Math.max(MIN_APPLY_ROWS, Math.ceil(rows / MAX_APPLY_TILES));
  return {
    channelTile, lanes, channelBlocks: Math.ceil(channels / channelTile), rowBlocks, rowsPerBlock,
    applyTiles: Math.ceil(rows / rowsPerTile), rowsPerTile,
  };
}

/** The uniform giving a shader the tile: log2 of the channels per tile (see TILE_WGSL). */
export const TILE_UNIFORM = { name: "tileShift", type: "u32" } as const;

export function tileShift(t: ChannelTiling): number {
  return Math.log2(t.channelTile);
}

/**
 * WGSL: this thread's channel `c` and row lane `lane`, and the lane count `lanes`, from the tile uniform. The tile is
 * a uniform rather than a constant so one pipeline serves every layer (pipeline compilation is what makes the
 * first step slow, very much so on SwiftShader).
 */
export const TILE_WGSL = `
  let lanes = ${WORKGROUP}u >> params.tileShift;
  let c = (wid.x << params.tileShift) + (lid.x & ((1u << params.tileShift) - 1u));
  let lane = lid.x >> params.tileShift;`;

/**
 * WGSL: tree-sums the workgroup arrays `arrays` over the lanes of each channel (threads lid, lid + tile, …), leaving
 * the totals in the lane-0 threads. Every thread must reach it (it holds barriers; `lanes` is uniform).
 */
export function laneReduce(arrays: string[]): string {
  const adds = arrays.map((a) => `${a}[lid.x] = ${a}[lid.x] + ${a}[lid.x + (stride << params.tileShift)];`).join(" ");
  return `
  workgroupBarrier();
  for (var stride = lanes / 2u; stride > 0u; stride = stride / 2u) {
    if (lane < stride) { ${adds} }
    workgroupBarrier();
  }`;
}
