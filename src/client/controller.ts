// The controller runner (controller-runtime's controller loop, kube-rs's Controller): informer
// events become keys ("namespace/name" or "name") in a rate-limited work queue; workers hand each
// key to `reconcile`, which is level-triggered: it is never told why it runs, reads desired and
// actual state from the caches, converges and is idempotent. Retry policy lives here:
// - reconcile resolves → forget the key's backoff;
// - resolves `{ requeueAfterMs }` → forget, then add the key again after that delay;
// - throws → log with the key, requeue rate-limited (5 ms doubling to 1000 s per key, 10 qps
//   burst 100 overall); the worker keeps running;
// - throws a TerminalError → log, forget, no retry (the next event for the key runs it again).
// A key is never reconciled by two workers at once (the work queue's guarantee), and workers start
// only once every informer the controller watches or reads has synced.
import { StatusError } from "../api/errors.js";
import type { KubeObject } from "../api/resource.js";
import { createLogger, type Logger } from "../log.js";
import { type Clock, realClock } from "./clock.js";
import { keyFor, objectKey, splitKey } from "./indexer.js";
import type { Informer } from "./informer.js";
import type { RateLimiter } from "./rate-limiter.js";
import { WorkQueue } from "./workqueue.js";

export { keyFor, objectKey, splitKey };

/** Nothing: done until something changes. `{ requeueAfterMs }`: look again after that long. */
export type ReconcileResult = void | { requeueAfterMs: number };

export interface ReconcileContext {
  readonly key: string;
  readonly namespace?: string;
  readonly name: string;
  /** The controller's logger, with the controller name and key attached. */
  readonly logger: Logger;
  /** Aborted when the controller stops: long operations should give up. */
  readonly signal: AbortSignal;
  /** How many times in a row this key has failed before this run. */
  readonly requeues: number;
}

/** From an informer's object to the keys to reconcile (none, its own, its owner's...). */
export type KeyMapper = (obj: KubeObject) => readonly string[];

export interface Watch {
  informer: Informer;
  keys: KeyMapper;
}

export interface ControllerDefinition {
  name: string;
  reconcile(key: string, ctx: ReconcileContext): Promise<ReconcileResult>;
  /** Concurrent reconciles (of different keys); default 1. */
  workers?: number;
  /** Informers whose adds, updates and deletes enqueue keys. */
  watches?: readonly Watch[];
  /** Informers reconcile reads without watching; workers also wait for these to sync. */
  reads?: readonly Informer[];
  clock?: Clock;
  logger?: Logger;
  /** How errors back off; the default is per-key 5 ms → 1000 s under a 10 qps / 100 burst bucket. */
  rateLimiter?: RateLimiter<string>;
}

export interface Controller {
  readonly name: string;
  readonly queue: WorkQueue<string>;
  /** Subscribes to the watched informers, waits for all informers to sync, then starts the workers. */
  start(): Promise<void>;
  /** Stops taking keys, aborts the context signal and waits for running reconciles to finish. */
  stop(): Promise<void>;
  enqueue(key: string): void;
  enqueueAfter(key: string, ms: number): void;
}

/** Thrown by reconcile for a failure retrying cannot fix (invalid spec...): logged, not retried. */
export class TerminalError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "TerminalError";
  }
}

/** Maps an object to its own key. */
export const enqueueObject: KeyMapper = (obj) => [objectKey(obj)];

export interface OwnerKind {
  kind: string;
  /** The owner's API group ("apps"); any group when unset. */
  group?: string;
  /** The owner is cluster-scoped, so its key has no namespace. */
  clusterScoped?: boolean;
}

/** Maps an object to the key of its controller (the ownerReference with controller: true) of this kind. */
export function enqueueOwner(owner: OwnerKind): KeyMapper {
  return (obj) => {
    const ref = obj.metadata?.ownerReferences?.find((r) => r.controller === true);
    if (!ref || ref.kind !== owner.kind) return [];
    if (owner.group !== undefined && groupOf(ref.apiVersion) !== owner.group) return [];
    return [keyFor(owner.clusterScoped ? undefined : obj.metadata?.namespace, ref.name)];
  };
}

function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? "" : apiVersion.slice(0, slash);
}

export function defineController(definition: ControllerDefinition): Controller {
  return new ControllerRunner(definition);
}

class ControllerRunner implements Controller {
  readonly name: string;
  readonly queue: WorkQueue<string>;
  private readonly logger: Logger;
  private readonly abort = new AbortController();
  private unsubscribe: (() => void)[] = [];
  private workers: Promise<void>[] = [];
  private started = false;

  constructor(private readonly definition: ControllerDefinition) {
    this.name = definition.name;
    const clock = definition.clock ?? realClock;
    this.queue = new WorkQueue<string>({ clock, rateLimiter: definition.rateLimiter });
    this.logger = (definition.logger ?? createLogger("info")).child({ controller: definition.name });
  }

  async start(): Promise<void> {
    if (this.started) throw new Error(`controller ${this.name} was already started`);
    this.started = true;
    for (const watch of this.definition.watches ?? []) this.subscribe(watch);
    const informers = [...(this.definition.watches ?? []).map((w) => w.informer), ...(this.definition.reads ?? [])];
    const synced = await Promise.all(informers.map((informer) => informer.waitForSync()));
    if (this.abort.signal.aborted) return;
    if (!synced.every(Boolean)) {
      this.logger.error("an informer stopped before it synced; workers not started");
      return;
    }
    const count = Math.max(1, this.definition.workers ?? 1);
    this.workers = Array.from({ length: count }, () => this.work());
    this.logger.debug("workers started", { workers: count });
  }

  async stop(): Promise<void> {
    for (const unsubscribe of this.unsubscribe.splice(0)) unsubscribe();
    this.queue.shutDown();
    this.abort.abort();
    await Promise.all(this.workers);
  }

  enqueue(key: string): void {
    this.queue.add(key);
  }

  enqueueAfter(key: string, ms: number): void {
    this.queue.addAfter(key, ms);
  }

  private subscribe({ informer, keys }: Watch): void {
    const add = (obj: KubeObject) => {
      for (const key of keys(obj)) this.queue.add(key);
    };
    this.unsubscribe.push(
      informer.addEventHandler({
        onAdd: add,
        // Both: an object that changed owner (or name mapping) concerns the old key and the new.
        onUpdate: (oldObj, newObj) => {
          add(oldObj);
          add(newObj);
        },
        onDelete: add,
      }),
    );
  }

  private async work(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      try {
        await this.reconcileKey(key);
      } finally {
        this.queue.done(key);
      }
    }
  }

  /** One reconcile of key, with the retry policy; never throws. */
  private async reconcileKey(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const logger = this.logger.child({ key });
    const requeues = this.queue.numRequeues(key);
    try {
      const result = await this.definition.reconcile(key, { key, namespace, name, logger, signal: this.abort.signal, requeues });
      this.queue.forget(key);
      if (result) this.queue.addAfter(key, result.requeueAfterMs);
    } catch (err) {
      if (err instanceof TerminalError) {
        logger.error("reconcile failed terminally; not retrying", { err });
        this.queue.forget(key);
        return;
      }
      // A conflict only means another writer was first: the next attempt reads the newer object.
      if (err instanceof StatusError && err.code === 409) logger.debug("conflict; requeueing", { requeues: requeues + 1, message: err.message });
      else logger.error("reconcile failed; requeueing with backoff", { err, requeues: requeues + 1 });
      this.queue.addRateLimited(key);
    }
  }
}
