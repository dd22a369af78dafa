// A shared informer: one list-then-watch of a resource (optionally one namespace and label/field
// selectors) feeding an indexed in-memory cache and event handlers (client-go tools/cache
// SharedIndexInformer; kube-rs watcher + reflector). Guarantees:
// - it lists (paged, a consistent read), swaps the result into the cache whole, then watches from
//   the list's resourceVersion; `hasSynced` turns true after the first list has been delivered;
// - a watch closed as `expired` (410) re-lists at once; any other close or list failure retries
//   with exponential backoff (0.8 s doubling to 30 s, as client-go's reflector), re-watching from
//   the last resourceVersion seen, so nothing is missed and nothing is replayed twice;
// - a relist compares against the cache: new objects → onAdd, changed resourceVersion → onUpdate,
//   objects gone → onDelete(obj, true), "final state unknown" (client-go DeletedFinalStateUnknown),
//   carrying the last state the cache knew;
// - handlers run synchronously, in event order, after the cache reflects the event; one handler
//   throwing is logged and does not stop the others. A handler added late first gets onAdd for
//   everything already cached;
// - optional periodic resync calls onUpdate(obj, obj) for every cached object;
// - cached objects are shared by every consumer and deep-frozen: never mutate them, copy first.
// Memory: the cached objects and their index entries; nothing per event.
import { deepFreeze } from "../api/deep-freeze.js";
import { StatusError } from "../api/errors.js";
import type { KubeObject } from "../api/resource.js";
import { createLogger, type Logger } from "../log.js";
import type { Client, ObjectList, ResourceRef, WatchEventType } from "./client.js";
import { type Clock, realClock, sleep } from "./clock.js";
import { type CacheReader, type IndexFunc, Indexer, objectKey } from "./indexer.js";

export interface InformerSelector {
  /** Only this namespace; all namespaces when unset. */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export interface InformerOptions extends InformerSelector {
  /** Calls onUpdate(obj, obj) for every cached object this often; never when unset or 0. */
  resyncPeriodMs?: number;
  /** Objects per LIST page (client-go's pager uses 500). */
  pageSize?: number;
  /** Retry delays after failures: doubling from initialMs to maxMs. */
  backoff?: { initialMs: number; maxMs: number };
  /** Deep-freeze cached objects so a consumer mutating one fails loudly (default true). */
  freeze?: boolean;
  /**
   * Rewrites each object before it is cached (client-go's SetTransform), e.g. without the
   * managedFields a component never reads; returns a new object, never changes its argument.
   */
  transform?: (obj: KubeObject) => KubeObject;
  clock?: Clock;
  logger?: Logger;
}

export interface EventHandler {
  onAdd?(obj: KubeObject): void;
  onUpdate?(oldObj: KubeObject, newObj: KubeObject): void;
  /** finalStateUnknown: the deletion was inferred by a relist; obj is the last state cached. */
  onDelete?(obj: KubeObject, finalStateUnknown: boolean): void;
}

interface WatchEnd {
  expired: boolean;
  error?: Error;
  events: number;
}

const DEFAULT_BACKOFF = { initialMs: 800, maxMs: 30_000 };

export class Informer implements CacheReader {
  readonly resource: ResourceRef;
  readonly selector: InformerSelector;
  private readonly cache = new Indexer();
  private readonly handlers = new Set<EventHandler>();
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly abort = new AbortController();
  private syncWaiters: ((synced: boolean) => void)[] = [];
  private synced = false;
  private running: Promise<void> | undefined;
  private resourceVersion: string | undefined;

  constructor(
    private readonly client: Client,
    resource: ResourceRef,
    private readonly options: InformerOptions = {},
  ) {
    this.resource = resource;
    this.selector = { namespace: options.namespace, labelSelector: options.labelSelector, fieldSelector: options.fieldSelector };
    this.clock = options.clock ?? realClock;
    const name = resource.group ? `${resource.resource}.${resource.group}` : resource.resource;
    this.logger = (options.logger ?? createLogger("info")).child({ informer: name, namespace: options.namespace });
  }

  // --- reading the cache ---------------------------------------------------------------------

  get size(): number {
    return this.cache.size;
  }

  get(key: string): KubeObject | undefined {
    return this.cache.get(key);
  }

  list(namespace?: string): KubeObject[] {
    return this.cache.list(namespace);
  }

  byIndex(indexName: string, value: string): KubeObject[] {
    return this.cache.byIndex(indexName, value);
  }

  keys(): string[] {
    return this.cache.keys();
  }

  /** The resourceVersion of the last list or event applied (watch resumes from it). */
  get lastSyncResourceVersion(): string | undefined {
    return this.resourceVersion;
  }

  // --- wiring ------------------------------------------------------------------------------

  /**
   * Registers an index. An index name stands for one function: registering a name already taken
   * keeps the first, so controllers sharing this informer can each declare the indexes they use.
   */
  addIndexer(indexName: string, fn: IndexFunc): void {
    if (!this.cache.hasIndex(indexName)) this.cache.addIndex(indexName, fn);
  }

  /** Adds a handler (replaying onAdd for what is cached already); returns its removal. */
  addEventHandler(handler: EventHandler): () => void {
    this.handlers.add(handler);
    for (const obj of this.cache.list()) this.call("onAdd", () => handler.onAdd?.(obj));
    return () => this.handlers.delete(handler);
  }

  hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves true once the first list is in the cache, false if stopped before that. */
  waitForSync(): Promise<boolean> {
    if (this.synced) return Promise.resolve(true);
    if (this.abort.signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  /** Starts listing and watching; a second call does nothing. */
  start(): void {
    if (this.running || this.abort.signal.aborted) return;
    const signal = this.abort.signal;
    const loops = [this.run(signal)];
    if (this.options.resyncPeriodMs) loops.push(this.resyncLoop(this.options.resyncPeriodMs, signal));
    this.running = Promise.all(loops).then(
      () => undefined,
      (err: unknown) => this.logger.error("informer stopped on an unexpected error", { err }),
    );
  }

  /** Stops the watch and timers for good; resolves when the loops have exited. */
  async stop(): Promise<void> {
    this.abort.abort();
    for (const resolve of this.syncWaiters.splice(0)) resolve(false);
    await this.running;
  }

  // --- the list/watch loop (kube-rs watcher's states: relist, watch, back off) ---------------

  private async run(signal: AbortSignal): Promise<void> {
    const { initialMs, maxMs } = this.options.backoff ?? DEFAULT_BACKOFF;
    let delay = initialMs;
    while (!signal.aborted) {
      if (this.resourceVersion === undefined && !(await this.relist(signal))) {
        await sleep(this.clock, delay, signal);
        delay = Math.min(delay * 2, maxMs);
        continue;
      }
      const end = await this.watchUntilClosed(this.resourceVersion ?? "", signal);
      if (signal.aborted) return;
      if (end.expired) {
        this.logger.info("watch expired, re-listing", { resourceVersion: this.resourceVersion });
        this.resourceVersion = undefined;
        delay = initialMs;
        continue;
      }
      if (end.events > 0) delay = initialMs;
      this.logger.warn("watch closed, retrying", { err: end.error, retryInMs: delay });
      await sleep(this.clock, delay, signal);
      delay = Math.min(delay * 2, maxMs);
    }
  }

  /** Lists everything and swaps it in; false (logged) on failure. */
  private async relist(signal: AbortSignal): Promise<boolean> {
    try {
      const list = await this.listAll();
      if (signal.aborted) return false;
      this.replace(list);
      return true;
    } catch (err) {
      this.logger.warn("list failed", { err });
      return false;
    }
  }

  /** Pages through a consistent list; if a continue token expires (410), lists again unpaged (client-go's pager). */
  private async listAll(): Promise<ObjectList> {
    const items: KubeObject[] = [];
    let page: ObjectList | undefined;
    do {
      try {
        page = await this.client.list(this.resource, { ...this.selector, limit: this.options.pageSize ?? 500, continue: page?.continue });
      } catch (err) {
        if (!page?.continue || !(err instanceof StatusError) || err.code !== 410) throw err;
        return this.client.list(this.resource, { ...this.selector });
      }
      items.push(...page.items);
    } while (page.continue);
    return { items, resourceVersion: page.resourceVersion };
  }

  private watchUntilClosed(resourceVersion: string, signal: AbortSignal): Promise<WatchEnd> {
    return new Promise((resolve) => {
      let events = 0;
      let ended = false;
      const end = (why: Omit<WatchEnd, "events">) => {
        if (ended) return;
        ended = true;
        signal.removeEventListener("abort", onAbort);
        resolve({ ...why, events });
      };
      const onAbort = () => {
        handle?.stop();
        end({ expired: false });
      };
      let handle: { stop(): void } | undefined;
      try {
        handle = this.client.watch(this.resource, { ...this.selector, resourceVersion, allowBookmarks: true }, {
          onEvent: (type, obj) => {
            if (ended) return;
            events += 1;
            this.apply(type, obj);
          },
          onClose: (reason) => end({ expired: reason.expired, error: reason.error }),
        });
      } catch (err) {
        return end({ expired: false, error: err instanceof Error ? err : new Error(String(err)) });
      }
      if (ended) handle.stop();
      else signal.addEventListener("abort", onAbort, { once: true });
    });
  }

  private async resyncLoop(periodMs: number, signal: AbortSignal): Promise<void> {
    for (;;) {
      await sleep(this.clock, periodMs, signal);
      if (signal.aborted) return;
      if (!this.synced) continue;
      for (const obj of this.cache.list()) this.notify("onUpdate", (h) => h.onUpdate?.(obj, obj));
    }
  }

  // --- applying what the server says ---------------------------------------------------------

  private apply(type: WatchEventType, received: KubeObject): void {
    const rv = received.metadata?.resourceVersion;
    try {
      if (type === "BOOKMARK") return;
      const obj = this.prepare(received);
      const key = objectKey(obj);
      if (type === "DELETED") {
        this.cache.remove(key);
        this.notify("onDelete", (h) => h.onDelete?.(obj, false));
        return;
      }
      const old = this.cache.upsert(key, obj);
      if (old) this.notify("onUpdate", (h) => h.onUpdate?.(old, obj));
      else this.notify("onAdd", (h) => h.onAdd?.(obj));
    } catch (err) {
      this.logger.error("could not apply watch event", { err, type, key: objectKey(received) });
    } finally {
      if (rv) this.resourceVersion = rv;
    }
  }

  /** A relist: swap the cache whole, then tell handlers what changed (kube-rs store's buffered relist). */
  private replace(list: ObjectList): void {
    const next = new Map<string, KubeObject>();
    for (const item of list.items) {
      const obj = this.prepare(item);
      next.set(objectKey(obj), obj);
    }
    const old = this.cache.replace(next);
    this.resourceVersion = list.resourceVersion;
    for (const [key, obj] of next) {
      const prev = old.get(key);
      if (!prev) this.notify("onAdd", (h) => h.onAdd?.(obj));
      else if (prev.metadata?.resourceVersion !== obj.metadata?.resourceVersion) this.notify("onUpdate", (h) => h.onUpdate?.(prev, obj));
    }
    for (const [key, prev] of old) {
      if (!next.has(key)) this.notify("onDelete", (h) => h.onDelete?.(prev, true));
    }
    this.markSynced();
  }

  private markSynced(): void {
    if (this.synced) return;
    this.synced = true;
    for (const resolve of this.syncWaiters.splice(0)) resolve(true);
  }

  private prepare(received: KubeObject): KubeObject {
    const obj = this.options.transform ? this.options.transform(received) : received;
    return this.options.freeze === false ? obj : deepFreeze(obj);
  }

  private notify(what: keyof EventHandler, call: (handler: EventHandler) => void): void {
    for (const handler of this.handlers) this.call(what, () => call(handler));
  }

  private call(what: keyof EventHandler, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.logger.error("event handler failed", { err, handler: what });
    }
  }
}
