// The in-memory Store, for tests and simulations: etcd's semantics (one global revision, compare-and-
// swap, history for list-at-revision and watch resume, compaction) without durability. Every write
// takes effect before its promise resolves; watch events fan out in revision order. Values handed
// out by get and list are copies; watch events are shared and must not be mutated. Keys compare with
// JS `<`, which matches the sqlite backend's byte order for the ASCII keys Kubernetes uses.
import { Compactor, type CompactorOptions } from "./compactor.js";
import { inRange, keyRange, type KeyRange } from "./prefix.js";
import {
  CompactedError,
  ConflictError,
  FutureRevisionError,
  KeyExistsError,
  KeyNotFoundError,
  type KeyValue,
  type ListOptions,
  type ListResult,
  type Store,
  type WatchCallbacks,
  type WatchEvent,
  type WatchHandle,
} from "./store.js";
import { Watchers } from "./watchers.js";

export interface MemoryStoreOptions {
  /** Automatic compaction (default: keep 1000 revisions or 5 minutes); false disables it. */
  compaction?: false | CompactorOptions;
}

interface Change {
  event: WatchEvent;
  /** The key's value just before this change; undefined when it was absent. */
  before: KeyValue | undefined;
}

export class MemoryStore implements Store {
  readonly backend = "memory";
  private readonly current = new Map<string, KeyValue>();
  private readonly keys: string[] = [];
  /** changes[i] happened at revision compacted + 1 + i: every revision is one change. */
  private changes: Change[] = [];
  private revision = 0;
  private compacted = 0;
  private closed = false;
  private readonly watchers = new Watchers({ history: (prefix, after, limit) => this.history(prefix, after, limit) });
  private readonly compactor: Compactor | undefined;

  constructor(options: MemoryStoreOptions = {}) {
    if (options.compaction !== false) {
      this.compactor = new Compactor(this, options.compaction);
      this.compactor.start();
    }
  }

  async currentRevision(): Promise<number> {
    this.assertOpen();
    return this.revision;
  }

  async get(key: string): Promise<KeyValue | undefined> {
    this.assertOpen();
    const kv = this.current.get(key);
    return kv && { ...kv };
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    this.assertOpen();
    const revision = this.readableRevision(options.revision);
    const range = keyRange(prefix, options.startAfter);
    const limit = options.limit && options.limit > 0 ? options.limit : Infinity;
    const source = revision === this.revision ? this.currentIn(range) : this.stateAt(revision, range);
    const items: KeyValue[] = [];
    let more = false;
    for (const kv of source) {
      if (items.length === limit) {
        more = true;
        break;
      }
      items.push({ ...kv });
    }
    return { items, revision, more };
  }

  async count(prefix: string): Promise<number> {
    this.assertOpen();
    const range = keyRange(prefix);
    const end = range.end === undefined ? this.keys.length : lowerBound(this.keys, range.end);
    return end - lowerBound(this.keys, prefix);
  }

  async create(key: string, value: string): Promise<number> {
    this.assertOpen();
    if (this.current.has(key)) throw new KeyExistsError(key);
    const revision = this.revision + 1;
    const kv: KeyValue = { key, value, createRevision: revision, modRevision: revision };
    this.keys.splice(lowerBound(this.keys, key), 0, key);
    this.current.set(key, kv);
    this.record({ type: "put", kv }, undefined);
    return revision;
  }

  async update(key: string, value: string, expectedRevision: number): Promise<number> {
    this.assertOpen();
    const prev = this.expect(key, expectedRevision);
    const revision = this.revision + 1;
    const kv: KeyValue = { key, value, createRevision: prev.createRevision, modRevision: revision };
    this.current.set(key, kv);
    this.record({ type: "put", kv, prev }, prev);
    return revision;
  }

  async delete(key: string, expectedRevision?: number): Promise<{ revision: number; prev: KeyValue }> {
    this.assertOpen();
    const prev = this.expect(key, expectedRevision);
    const revision = this.revision + 1;
    this.keys.splice(lowerBound(this.keys, key), 1);
    this.current.delete(key);
    this.record({ type: "delete", kv: { ...prev, modRevision: revision } }, prev);
    return { revision, prev: { ...prev } };
  }

  watch(prefix: string, fromRevision: number, callbacks: WatchCallbacks): WatchHandle {
    this.assertOpen();
    return this.watchers.watch(prefix, fromRevision, callbacks);
  }

  async compact(revision: number): Promise<void> {
    this.assertOpen();
    if (revision > this.revision) throw new FutureRevisionError(revision, this.revision);
    if (revision <= this.compacted) return;
    this.changes = this.changes.slice(revision - this.compacted);
    this.compacted = revision;
  }

  async compactedRevision(): Promise<number> {
    this.assertOpen();
    return this.compacted;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.compactor?.stop();
    this.watchers.failAll(new Error("the store was closed"));
  }

  /** The current value, checked against expectedRevision when given. */
  private expect(key: string, expectedRevision: number | undefined): KeyValue {
    const kv = this.current.get(key);
    if (!kv) throw new KeyNotFoundError(key);
    if (expectedRevision !== undefined && kv.modRevision !== expectedRevision) {
      throw new ConflictError(key, expectedRevision, kv.modRevision);
    }
    return kv;
  }

  private record(event: WatchEvent, before: KeyValue | undefined): void {
    this.revision = event.kv.modRevision;
    this.changes.push({ event, before });
    this.watchers.publish([event]);
  }

  private history(prefix: string, after: number, limit: number): WatchEvent[] {
    if (this.closed) throw new Error("the store was closed");
    if (after < this.compacted) throw new CompactedError(after, this.compacted);
    const events: WatchEvent[] = [];
    for (let i = after - this.compacted; i < this.changes.length && events.length < limit; i++) {
      const { event } = this.changes[i] as Change;
      if (event.kv.key.startsWith(prefix)) events.push(event);
    }
    return events;
  }

  private readableRevision(requested: number | undefined): number {
    if (!requested || requested <= 0) return this.revision;
    if (requested < this.compacted) throw new CompactedError(requested, this.compacted);
    if (requested > this.revision) throw new FutureRevisionError(requested, this.revision);
    return requested;
  }

  private *currentIn(range: KeyRange): Generator<KeyValue> {
    for (let i = this.firstIndex(range); i < this.keys.length; i++) {
      const key = this.keys[i] as string;
      if (range.end !== undefined && key >= range.end) return;
      yield this.current.get(key) as KeyValue;
    }
  }

  /** Current state with the changes after revision undone, in key order. */
  private *stateAt(revision: number, range: KeyRange): Generator<KeyValue> {
    const undone = new Map<string, KeyValue | undefined>();
    for (let i = this.changes.length - 1; i >= revision - this.compacted; i--) {
      const change = this.changes[i] as Change;
      if (inRange(change.event.kv.key, range)) undone.set(change.event.kv.key, change.before);
    }
    const changed = [...undone.keys()].sort();
    let i = this.firstIndex(range);
    let j = 0;
    for (;;) {
      const key = this.keys[i];
      const a = key !== undefined && (range.end === undefined || key < range.end) ? key : undefined;
      const b = changed[j];
      if (a === undefined && b === undefined) return;
      if (b === undefined || (a !== undefined && a < b)) {
        i++;
        if (!undone.has(a as string)) yield this.current.get(a as string) as KeyValue;
        continue;
      }
      if (a === b) i++;
      j++;
      const before = undone.get(b);
      if (before) yield before;
    }
  }

  private firstIndex(range: KeyRange): number {
    if (range.after === undefined || range.after < range.from) return lowerBound(this.keys, range.from);
    return upperBound(this.keys, range.after);
  }

  private assertOpen(): void {
    if (this.closed) throw new Error("the store was closed");
  }
}

/** The index of the first key >= key. */
function lowerBound(keys: readonly string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((keys[mid] as string) < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The index of the first key > key. */
function upperBound(keys: readonly string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((keys[mid] as string) <= key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
