// All watch caches of one API server, fed by ONE Store watch on /registry/ so every cache advances
// together and `revision` is the latest revision the server has seen. Reads that must be consistent
// wait until the cache has caught up with the Store's current revision.
import type { Store, WatchHandle } from "../storage/store.js";
import type { KubeObject } from "./resource.js";
import { ResourceCache, type FieldIndexer } from "./watch-cache.js";

const ROOT = "/registry/";

export class ClusterCache {
  private readonly indexers = new Map<string, FieldIndexer>();
  private readonly caches = new Map<string, ResourceCache>();
  private handle: WatchHandle | undefined;
  private seen = 0;
  private waiters: { revision: number; resolve: () => void }[] = [];
  private failure: Error | undefined;

  constructor(private readonly store: Store) {}

  /** Registers a resource before start(); several API versions of one kind share it. */
  register(resource: string, indexFields: FieldIndexer): void {
    if (this.handle) throw new Error(`cache for ${resource} registered after start`);
    if (!this.indexers.has(resource)) this.indexers.set(resource, indexFields);
  }

  /** Loads every registered resource at one revision and follows the Store from there. */
  async start(): Promise<void> {
    const listed = await this.store.list(ROOT);
    const revision = listed.revision;
    for (const [resource, indexFields] of this.indexers) this.caches.set(resource, new ResourceCache(resource, indexFields, revision));
    for (const kv of listed.items) this.cacheFor(kv.key)?.load(kv.key, kv.value, kv.modRevision);
    this.seen = revision;
    this.handle = this.store.watch(ROOT, revision, {
      onEvent: (event) => {
        const cache = this.cacheFor(event.kv.key);
        if (cache) {
          if (event.type === "put") cache.applyPut(event.kv.key, event.kv.value, event.kv.modRevision);
          else cache.applyDelete(event.kv.key, event.kv.value, event.kv.modRevision);
        }
        this.advance(event.kv.modRevision);
      },
      onError: (err) => {
        this.failure = err;
        for (const w of this.waiters) w.resolve();
        this.waiters = [];
      },
    });
  }

  get(resource: string): ResourceCache {
    const cache = this.caches.get(resource);
    if (!cache) throw new Error(`no watch cache for ${resource}`);
    return cache;
  }

  /**
   * Makes a write of `value`, encoded from `object`, to `key`: the key's cache takes `object` for
   * the write's event instead of decoding `value` (ResourceCache.expectWrite). `object` must not
   * change afterwards.
   */
  async writeThrough<T>(key: string, value: string, object: KubeObject, write: () => Promise<T>): Promise<T> {
    const cache = this.cacheFor(key);
    if (!cache) return write();
    cache.expectWrite(key, value, object);
    try {
      return await write();
    } finally {
      cache.forgetWrite(key, value);
    }
  }

  /** The latest revision applied to the caches. */
  get revision(): number {
    return this.seen;
  }

  /** Resolves once every write the Store acknowledged so far is in the caches. */
  async waitFresh(timeoutMs = 5_000): Promise<void> {
    const target = await this.store.currentRevision();
    if (this.failure) throw this.failure;
    if (this.seen >= target) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`watch cache did not reach revision ${target} within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({ revision: target, resolve: () => { clearTimeout(timer); resolve(); } });
    });
    if (this.failure) throw this.failure;
  }

  stop(): void {
    this.handle?.stop();
    this.handle = undefined;
  }

  private advance(revision: number): void {
    if (revision <= this.seen) return;
    this.seen = revision;
    if (this.waiters.length === 0) return;
    const still: typeof this.waiters = [];
    for (const w of this.waiters) (w.revision <= revision ? w.resolve() : still.push(w));
    this.waiters = still;
  }

  private cacheFor(key: string): ResourceCache | undefined {
    const end = key.indexOf("/", ROOT.length);
    return this.caches.get(key.slice(ROOT.length, end < 0 ? undefined : end));
  }
}
