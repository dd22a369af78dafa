// The allocation state of one numbered range (cluster IPs, node ports) as upstream's bitmap
// allocators keep it: a set of taken offsets, explicit requests honoured anywhere in the range,
// and dynamic picks made in the upper ("dynamic") block first, from a random start, so that the
// lower ("static") block stays free for addresses people choose by hand (KEP-3070 / KEP-3668).
// Offsets listed as never-dynamic (the DNS service address) are only ever taken explicitly.

/** upstream calculateRangeOffset: the size of the static block. */
export function staticBlockSize(size: number, divisor: number, max: number): number {
  const min = 16;
  if (size < min) return 0;
  return Math.min(Math.max(min, Math.floor(size / divisor)), max);
}

export class RangeBitmap {
  private readonly taken: Uint8Array;
  private used = 0;

  constructor(
    readonly size: number,
    private readonly staticSize: number,
    private readonly neverDynamic: ReadonlySet<number> = new Set(),
    private readonly random: () => number = Math.random,
  ) {
    this.taken = new Uint8Array(size);
  }

  get free(): number {
    return this.size - this.used;
  }

  has(offset: number): boolean {
    return this.taken[offset] === 1;
  }

  /** Takes `offset`; false when it is taken already. */
  take(offset: number): boolean {
    if (offset < 0 || offset >= this.size || this.taken[offset] === 1) return false;
    this.taken[offset] = 1;
    this.used++;
    return true;
  }

  /** A free offset, taken: the dynamic block first, then the static one; undefined when full. */
  takeNext(): number | undefined {
    const found = this.scan(this.staticSize, this.size) ?? this.scan(0, this.staticSize);
    if (found !== undefined) this.take(found);
    return found;
  }

  release(offset: number): void {
    if (offset < 0 || offset >= this.size || this.taken[offset] !== 1) return;
    this.taken[offset] = 0;
    this.used--;
  }

  /** The first free, dynamically allocatable offset in [from, to), starting at a random point and wrapping. */
  private scan(from: number, to: number): number | undefined {
    const span = to - from;
    if (span <= 0) return undefined;
    const start = Math.floor(this.random() * span);
    for (let i = 0; i < span; i++) {
      const offset = from + ((start + i) % span);
      if (this.taken[offset] === 0 && !this.neverDynamic.has(offset)) return offset;
    }
    return undefined;
  }
}
