// The watch cache of one storage resource: its current objects, each serialised once per revision,
// and a window of recent events. LIST and WATCH are served from here; watchers share the same
// bytes. Fed in revision order by ClusterCache from one Store watch. A write this server makes tells
// the cache the object it encoded first (expectWrite), so its event takes that object instead of
// parsing the bytes back (see written-object.ts).
import { deepFreeze } from "./deep-freeze.js";
import type { KubeObject } from "./resource.js";
import { storedJsonWithResourceVersion } from "./stored-json.js";
import { decodeFromStorage } from "./stored-object.js";
import { asDecoded, withResourceVersion } from "./written-object.js";
import { jsonEqual } from "./patch/json-value.js";

export interface CachedObject {
  key: string;
  namespace: string;
  name: string;
  revision: number;
  /** The object's JSON with metadata.resourceVersion set. Shared: never mutate. */
  json: string;
  labels: Readonly<Record<string, string>>;
  /** Values of the field selectors this resource supports (metadata.name, metadata.namespace, ...). */
  fields: Readonly<Record<string, string | undefined>>;
  /**
   * The decoded object (storage version, resourceVersion set), deep-frozen, kept while it is the
   * current revision and in-process watchers follow the resource: they and the registry share it
   * instead of parsing `json` again. Let go once superseded, so the event window holds only JSON.
   * Never mutate.
   */
  object?: KubeObject;
}

export type CacheEventType = "ADDED" | "MODIFIED" | "DELETED";

export interface CacheEvent {
  type: CacheEventType;
  revision: number;
  object: CachedObject;
  /** The object before a MODIFIED or DELETED event (for selector transitions). */
  prev?: CachedObject;
}

/** An object's field values for field selectors, as a new record the cache may add to. */
export type FieldIndexer = (obj: KubeObject) => Record<string, string | undefined>;

export interface CacheWatcher {
  /** Only objects in this namespace, or all when undefined. */
  namespace?: string;
  /** Wants events' objects decoded (CachedObject.object) from now on. */
  decoded?: boolean;
  onEvent(event: CacheEvent): void;
}

export class TooOldError extends Error {
  constructor(readonly requested: number, readonly oldest: number) {
    super(`too old resource version: ${requested} (${oldest})`);
  }
}

export class ResourceCache {
  private readonly objects = new Map<string, CachedObject>();
  private sortedKeys: string[] | undefined;
  private readonly window: (CacheEvent | undefined)[];
  private windowStart = 0;
  private windowLength = 0;
  /** Events at revisions <= this are not in the window. */
  private oldestRevision: number;
  private readonly watchers = new Set<CacheWatcher>();
  /** Watchers that want decoded objects: while there are any, materialize keeps them. */
  private decodedWatchers = 0;
  /** Writes in flight from this server: the stored value and the object it was encoded from, by key. */
  private readonly written = new Map<string, { value: string; object: KubeObject }>();

  constructor(
    readonly resource: string,
    private readonly indexFields: FieldIndexer,
    startRevision: number,
    windowCapacity = 10_000,
  ) {
    this.window = new Array<CacheEvent | undefined>(windowCapacity);
    this.oldestRevision = startRevision;
  }

  /** Loads an object present at the start revision (no event). */
  load(key: string, value: string, revision: number): void {
    this.objects.set(key, this.materialize(key, value, revision));
    this.sortedKeys = undefined;
  }

  applyPut(key: string, value: string, revision: number): void {
    const prev = this.objects.get(key);
    const object = this.materialize(key, value, revision, true, prev?.object);
    this.objects.set(key, object);
    if (prev) prev.object = undefined;
    else this.sortedKeys = undefined;
    this.emit({ type: prev ? "MODIFIED" : "ADDED", revision, object, prev });
  }

  applyDelete(key: string, value: string, revision: number): void {
    const prev = this.objects.get(key);
    this.objects.delete(key);
    if (prev) prev.object = undefined;
    this.sortedKeys = undefined;
    this.emit({ type: "DELETED", revision, object: this.materialize(key, value, revision, false), prev });
  }

  /**
   * The object `value` was encoded from, written to `key` now: its event takes it instead of
   * decoding `value`. It must not change after, and becomes shared (frozen) when kept decoded.
   */
  expectWrite(key: string, value: string, object: KubeObject): void {
    this.written.set(key, { value, object });
  }

  /** The write of `value` to `key` is over (its event came, or it failed). */
  forgetWrite(key: string, value: string): void {
    if (this.written.get(key)?.value === value) this.written.delete(key);
  }

  get(key: string): CachedObject | undefined {
    return this.objects.get(key);
  }

  get size(): number {
    return this.objects.size;
  }

  /** Current objects in key order, optionally within a namespace, that pass the filter. */
  list(namespace: string | undefined, filter?: (o: CachedObject) => boolean): CachedObject[] {
    const keys = this.keysInOrder();
    const out: CachedObject[] = [];
    for (const key of keys) {
      const o = this.objects.get(key);
      if (!o || (namespace !== undefined && o.namespace !== namespace)) continue;
      if (!filter || filter(o)) out.push(o);
    }
    return out;
  }

  /**
   * Registers a watcher for every event after `fromRevision`, replaying those still in the window.
   * Throws TooOldError when events after fromRevision have already left the window.
   */
  watch(fromRevision: number, watcher: CacheWatcher): () => void {
    if (fromRevision < this.oldestRevision) throw new TooOldError(fromRevision, this.oldestRevision + 1);
    for (let i = 0; i < this.windowLength; i++) {
      const event = this.window[(this.windowStart + i) % this.window.length];
      if (event && event.revision > fromRevision && this.inNamespace(watcher, event)) watcher.onEvent(event);
    }
    this.watchers.add(watcher);
    if (watcher.decoded) this.decodedWatchers++;
    return () => {
      if (this.watchers.delete(watcher) && watcher.decoded) this.decodedWatchers--;
    };
  }

  get watcherCount(): number {
    return this.watchers.size;
  }

  private emit(event: CacheEvent): void {
    this.remember(event);
    for (const watcher of this.watchers) {
      if (this.inNamespace(watcher, event)) watcher.onEvent(event);
    }
  }

  private remember(event: CacheEvent): void {
    const capacity = this.window.length;
    if (this.windowLength === capacity) {
      const evicted = this.window[this.windowStart];
      if (evicted) this.oldestRevision = evicted.revision;
      this.window[this.windowStart] = event;
      this.windowStart = (this.windowStart + 1) % capacity;
    } else {
      this.window[(this.windowStart + this.windowLength) % capacity] = event;
      this.windowLength++;
    }
  }

  private inNamespace(watcher: CacheWatcher, event: CacheEvent): boolean {
    return watcher.namespace === undefined || watcher.namespace === event.object.namespace;
  }

  private keysInOrder(): string[] {
    if (!this.sortedKeys) this.sortedKeys = [...this.objects.keys()].sort();
    return this.sortedKeys;
  }

  /** `previous`: the decoded object of the revision this one replaces, whose unchanged parts it takes. */
  private materialize(key: string, value: string, revision: number, keepDecoded = true, previous?: KubeObject): CachedObject {
    const keep = keepDecoded && this.decodedWatchers > 0;
    const written = this.takeWritten(key, value);
    // A written object not kept still gives the metadata and field values without a parse; the
    // cache then holds only strings and a copy of the labels from it (see takeWritten).
    const taken = written && (keep ? this.adopt(written, revision, previous) : withResourceVersion(written, revision));
    const obj = taken ?? this.decode(value, revision, keep, previous);
    const meta = obj.metadata ?? {};
    const fields = this.indexFields(obj);
    fields["metadata.name"] = meta.name;
    fields["metadata.namespace"] = meta.namespace ?? "";
    return {
      key,
      namespace: meta.namespace ?? "",
      name: meta.name ?? "",
      revision,
      json: storedJsonWithResourceVersion(value, revision) ?? JSON.stringify(obj),
      labels: taken && !keep ? { ...meta.labels } : (meta.labels ?? {}),
      fields,
      object: keep ? obj : undefined,
    };
  }

  /** The stored value parsed; when kept, sharing what is unchanged since `previous`, and frozen. */
  private decode(value: string, revision: number, keep: boolean, previous: KubeObject | undefined): KubeObject {
    const obj = decodeFromStorage(value, revision);
    if (!keep) return obj;
    if (previous) shareUnchanged(obj, previous, 2);
    return deepFreeze(obj);
  }

  /**
   * The object this server wrote as `value` to `key`, when this event is that write (expectWrite).
   * Only a kept object is held on to as it is: of one not kept, the cache takes strings and a copy
   * of the labels, as the writer's object (promoted to the old generation by the time the write
   * commits) would otherwise linger as garbage until a full collection.
   */
  private takeWritten(key: string, value: string): KubeObject | undefined {
    const written = this.written.get(key);
    if (written === undefined || written.value !== value) return undefined;
    this.written.delete(key);
    return written.object;
  }

  /** The written object as decode() would give it, sharing what is unchanged since `previous`; undefined if it cannot be. */
  private adopt(object: KubeObject, revision: number, previous: KubeObject | undefined): KubeObject | undefined {
    const obj = withResourceVersion(object, revision);
    if (previous) shareUnchanged(obj, previous, 2);
    return asDecoded(obj) ? obj : undefined;
  }
}

/**
 * Puts `previous`'s own parts (frozen already) in place of the parts of `next` equal to them, down
 * to `depth` levels of objects: most writes change a few fields (a binding the node name, a status
 * write the status), and what they leave alone is then one object across revisions. The fresh
 * copies die young instead of being carried into the old generation by every scavenge, freezing
 * skips them, and readers may compare such parts by reference.
 */
function shareUnchanged(next: Record<string, unknown>, previous: Record<string, unknown>, depth: number): void {
  for (const key in next) {
    const value = next[key];
    const before = previous[key];
    if (value === null || typeof value !== "object" || before === null || typeof before !== "object") continue;
    if (jsonEqual(value, before)) next[key] = before;
    else if (depth > 1 && !Array.isArray(value) && !Array.isArray(before)) shareUnchanged(value as Record<string, unknown>, before as Record<string, unknown>, depth - 1);
  }
}
