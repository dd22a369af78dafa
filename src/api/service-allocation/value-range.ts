// A range of values (IP addresses, port numbers) handed out through a RangeBitmap, with
// upstream's error messages for a value outside the range or already taken.
import { RangeBitmap } from "./range-bitmap.js";

export interface ValueRangeSpec<T> {
  size: number;
  staticSize: number;
  /** The value's offset in the range, or undefined when it lies outside. */
  toOffset(value: T): number | undefined;
  fromOffset(offset: number): T;
  /** upstream's ErrNotInRange text. */
  notInRange: string;
  /** upstream's ErrAllocated text. */
  alreadyAllocated: string;
  /** Values only ever allocated on request. */
  neverDynamic?: T[];
  random?: () => number;
}

export class ValueRange<T> {
  private readonly bitmap: RangeBitmap;

  constructor(private readonly spec: ValueRangeSpec<T>) {
    const reserved = new Set((spec.neverDynamic ?? []).flatMap((value) => spec.toOffset(value) ?? []));
    this.bitmap = new RangeBitmap(spec.size, spec.staticSize, reserved, spec.random);
  }

  get free(): number {
    return this.bitmap.free;
  }

  contains(value: T): boolean {
    return this.spec.toOffset(value) !== undefined;
  }

  has(value: T): boolean {
    const offset = this.spec.toOffset(value);
    return offset !== undefined && this.bitmap.has(offset);
  }

  /** Takes `value`; returns why it cannot be taken, or undefined when it was. */
  allocate(value: T): string | undefined {
    const offset = this.spec.toOffset(value);
    if (offset === undefined) return this.spec.notInRange;
    return this.bitmap.take(offset) ? undefined : this.spec.alreadyAllocated;
  }

  /** A free value, taken; undefined when the range is full. */
  allocateNext(): T | undefined {
    const offset = this.bitmap.takeNext();
    return offset === undefined ? undefined : this.spec.fromOffset(offset);
  }

  release(value: T): void {
    const offset = this.spec.toOffset(value);
    if (offset !== undefined) this.bitmap.release(offset);
  }
}
