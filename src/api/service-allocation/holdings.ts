// Who holds which values of a range: a value stays taken while any holder (a stored Service, a
// write in flight) has it, so holders can come and go in any order.
import type { ValueRange } from "./value-range.js";

export class Holdings<T> {
  private readonly counts = new Map<T, number>();

  constructor(private readonly range: ValueRange<T>) {}

  isHeld(value: T): boolean {
    return this.counts.has(value);
  }

  /** Holds a value known to be in use (a stored Service's), whether or not another holds it too. */
  hold(value: T): void {
    const count = this.counts.get(value) ?? 0;
    if (count === 0) this.range.allocate(value);
    this.counts.set(value, count + 1);
  }

  drop(value: T): void {
    const count = this.counts.get(value);
    if (count === undefined) return;
    if (count > 1) return void this.counts.set(value, count - 1);
    this.counts.delete(value);
    this.range.release(value);
  }

  /** Holds `value` if nobody does; returns why it cannot otherwise. */
  claim(value: T): string | undefined {
    const refused = this.range.allocate(value);
    if (refused) return refused;
    this.counts.set(value, 1);
    return undefined;
  }

  /** Holds a free value from the range; undefined when the range is full. */
  claimNext(): T | undefined {
    const value = this.range.allocateNext();
    if (value !== undefined) this.counts.set(value, 1);
    return value;
  }
}
