/**
 * Float32 views, one per tensor, over one flat buffer laid out tensor after tensor (sizes in elements). The trainer and
 * its workers share parameters, gradients and BatchNorm running statistics this way, so both sides must cut the buffer
 * identically: this is that one cut.
 */
export function flatViews(buffer: ArrayBufferLike, layout: readonly { size: number }[]): Float32Array[] {
  let offset = 0;
  return layout.map(({ size }) => {
    const view = new Float32Array(buffer, offset * 4, size);
    offset += size;
    return view;
  });
}
