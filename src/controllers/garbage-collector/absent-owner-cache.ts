// Owners known not to exist (upstream's absentOwnerCache, a 500-entry LRU): when an owner with
// many dependents is deleted, one live GET (or its delete event) proves it gone for all of them.
// Keyed by the namespace the owner was looked up in and its uid, since a namespaced owner
// referenced from another namespace is absent there even if it exists in its own.

export class AbsentOwnerCache {
  private readonly entries = new Set<string>();

  constructor(private readonly capacity = 500) {}

  has(namespace: string | undefined, uid: string): boolean {
    const key = keyOf(namespace, uid);
    if (!this.entries.has(key)) return false;
    // Most recently used last.
    this.entries.delete(key);
    this.entries.add(key);
    return true;
  }

  add(namespace: string | undefined, uid: string): void {
    const key = keyOf(namespace, uid);
    this.entries.delete(key);
    this.entries.add(key);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.values().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }
}

function keyOf(namespace: string | undefined, uid: string): string {
  return `${namespace ?? ""}/${uid}`;
}
