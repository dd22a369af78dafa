// A map for memoising pure functions of values that recur (quantities, field names) in bounded
// memory: entries used since the map last filled stay; older ones are kept until it fills again
// and survive only if used in between, so a value seen once cannot pin memory for long.
export class RecentMap<K, V> {
  private recent = new Map<K, V>();
  private older = new Map<K, V>();

  /** At most `capacity` entries in each of the two generations. */
  constructor(private readonly capacity: number) {}

  get(key: K): V | undefined {
    const found = this.recent.get(key);
    if (found !== undefined) return found;
    const old = this.older.get(key);
    if (old !== undefined) this.set(key, old);
    return old;
  }

  set(key: K, value: V): void {
    if (this.recent.size >= this.capacity) {
      this.older = this.recent;
      this.recent = new Map();
    }
    this.recent.set(key, value);
  }
}
