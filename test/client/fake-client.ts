// A test double of the Client for the controller kit's unit tests: a Map of objects with one global
// revision, compare-and-swap updates, paged lists, and watches that replay history from a revision
// and can be told to expire (410), break, or silently miss events (a partitioned connection).
// Objects are copied in and out, as over the wire. Integration tests use the real in-process client.
import { alreadyExists, conflict, expired, notFound, StatusError } from "../../src/api/errors.js";
import { FieldSelector } from "../../src/api/field-selector.js";
import { LabelSelector } from "../../src/api/label-selector.js";
import type { KubeObject } from "../../src/api/resource.js";
import type {
  Client, DeleteOptions, ListOptions, ObjectList, PatchType, ResourceRef, WatchCallbacks, WatchEventType, WatchHandle, WatchOptions, WriteOptions,
} from "../../src/client/client.js";

type Method = "get" | "list" | "watch" | "create" | "update" | "delete";

interface Event {
  revision: number;
  resource: string;
  type: WatchEventType;
  object: KubeObject;
}

interface Watcher {
  resource: string;
  matches: (obj: KubeObject) => boolean;
  callbacks: WatchCallbacks;
  stopped: boolean;
}

export class FakeClient implements Client {
  private revision = 0;
  private compactedAt = 0;
  private uid = 0;
  private readonly objects = new Map<string, KubeObject>();
  private readonly history: Event[] = [];
  private readonly watchers = new Set<Watcher>();
  private readonly faults = new Map<Method, Error[]>();
  /** Every list and watch request, in order. */
  readonly lists: { ref: ResourceRef; options: ListOptions }[] = [];
  readonly watches: { ref: ResourceRef; options: WatchOptions }[] = [];
  /** While true, changes are recorded but not sent to open watches. */
  dropEvents = false;
  /** Runs before each create and update (awaited): throw to fail the write, never settle to hang it. */
  beforeWrite: ((object: KubeObject) => void | Promise<void>) | undefined;

  /** The next call of method fails with err (queue several by calling again). */
  failNext(method: Method, err: Error): void {
    const queue = this.faults.get(method) ?? [];
    queue.push(err);
    this.faults.set(method, queue);
  }

  /** Closes every watch as expired and forgets history, so watching from an old revision is 410 too. */
  expireWatches(): void {
    this.compactedAt = this.revision;
    this.history.length = 0;
    this.closeAll({ expired: true });
  }

  /** Closes every watch with a connection error (resuming from its revision works). */
  breakWatches(): void {
    this.closeAll({ expired: false, error: new Error("connection reset") });
  }

  openWatches(): number {
    return [...this.watchers].filter((w) => !w.stopped).length;
  }

  async get(ref: ResourceRef, namespace: string | undefined, name: string): Promise<KubeObject> {
    this.fault("get");
    const obj = this.objects.get(storageKey(ref, namespace, name));
    if (!obj) throw notFound(ref.resource, ref.group, name);
    return copy(obj);
  }

  async list(ref: ResourceRef, options: ListOptions = {}): Promise<ObjectList> {
    this.lists.push({ ref, options });
    this.fault("list");
    const matches = matcher(options);
    const all = [...this.objects.entries()]
      .filter(([key, obj]) => key.startsWith(resourceId(ref) + "|") && matches(obj))
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([, obj]) => obj);
    const start = options.continue ? Number(options.continue) : 0;
    const end = options.limit ? start + options.limit : all.length;
    const list: ObjectList = { items: all.slice(start, end).map(copy), resourceVersion: String(this.revision) };
    if (end < all.length) list.continue = String(end);
    return list;
  }

  watch(ref: ResourceRef, options: WatchOptions, callbacks: WatchCallbacks): WatchHandle {
    this.watches.push({ ref, options });
    this.fault("watch");
    const from = Number(options.resourceVersion || this.revision);
    const watcher: Watcher = { resource: resourceId(ref), matches: matcher(options), callbacks, stopped: false };
    if (from < this.compactedAt) {
      queueMicrotask(() => callbacks.onClose({ expired: true, error: expired(`too old resource version: ${from} (${this.compactedAt})`) }));
      return { stop: () => undefined };
    }
    this.watchers.add(watcher);
    for (const event of this.history) if (event.revision > from) this.send(watcher, event);
    return {
      stop: () => {
        watcher.stopped = true;
        this.watchers.delete(watcher);
      },
    };
  }

  async create(ref: ResourceRef, namespace: string | undefined, object: KubeObject, _options?: WriteOptions): Promise<KubeObject> {
    this.fault("create");
    await this.beforeWrite?.(object);
    const name = object.metadata?.name ?? "";
    const key = storageKey(ref, namespace, name);
    if (this.objects.has(key)) throw alreadyExists(ref.resource, ref.group, name);
    this.uid += 1;
    const stored = this.store(key, object, { namespace, uid: `uid-${this.uid}` });
    this.record(ref, "ADDED", stored);
    return copy(stored);
  }

  async update(ref: ResourceRef, namespace: string | undefined, object: KubeObject, _options?: WriteOptions): Promise<KubeObject> {
    this.fault("update");
    await this.beforeWrite?.(object);
    const name = object.metadata?.name ?? "";
    const key = storageKey(ref, namespace, name);
    const current = this.objects.get(key);
    if (!current) throw notFound(ref.resource, ref.group, name);
    const expected = object.metadata?.resourceVersion;
    if (expected && expected !== current.metadata?.resourceVersion) {
      throw conflict(ref.resource, ref.group, name, "the object has been modified; please apply your changes to the latest version and try again");
    }
    const stored = this.store(key, object, { namespace, uid: current.metadata?.uid });
    this.record(ref, "MODIFIED", stored);
    return copy(stored);
  }

  async patch(_ref: ResourceRef, _namespace: string | undefined, _name: string, _type: PatchType, _patch: unknown): Promise<KubeObject> {
    throw new StatusError(405, "MethodNotAllowed", "the fake client does not patch");
  }

  async delete(ref: ResourceRef, namespace: string | undefined, name: string, _options?: DeleteOptions): Promise<void> {
    this.fault("delete");
    const key = storageKey(ref, namespace, name);
    const current = this.objects.get(key);
    if (!current) throw notFound(ref.resource, ref.group, name);
    this.objects.delete(key);
    this.revision += 1;
    // As upstream, the DELETED event carries the deletion's revision.
    const gone = { ...copy(current), metadata: { ...current.metadata, resourceVersion: String(this.revision) } };
    this.record(ref, "DELETED", gone);
  }

  async createSubresource(): Promise<KubeObject> {
    throw new StatusError(405, "MethodNotAllowed", "the fake client has no subresources");
  }

  private fault(method: Method): void {
    const err = this.faults.get(method)?.shift();
    if (err) throw err;
  }

  private store(key: string, object: KubeObject, meta: { namespace: string | undefined; uid: string | undefined }): KubeObject {
    this.revision += 1;
    const stored = copy(object);
    stored.metadata = { ...stored.metadata, namespace: meta.namespace, uid: meta.uid, resourceVersion: String(this.revision) };
    if (meta.namespace === undefined) delete stored.metadata.namespace;
    this.objects.set(key, stored);
    return stored;
  }

  private record(ref: ResourceRef, type: WatchEventType, object: KubeObject): void {
    const event: Event = { revision: this.revision, resource: resourceId(ref), type, object: copy(object) };
    this.history.push(event);
    if (this.dropEvents) return;
    for (const watcher of this.watchers) this.send(watcher, event);
  }

  /** Delivers asynchronously, in order, as a real connection would. */
  private send(watcher: Watcher, event: Event): void {
    if (watcher.resource !== event.resource || !watcher.matches(event.object)) return;
    queueMicrotask(() => {
      if (!watcher.stopped) watcher.callbacks.onEvent(event.type, copy(event.object));
    });
  }

  private closeAll(reason: { expired: boolean; error?: Error }): void {
    for (const watcher of [...this.watchers]) {
      watcher.stopped = true;
      this.watchers.delete(watcher);
      queueMicrotask(() => watcher.callbacks.onClose(reason));
    }
  }
}

/** A minimal pod for tests: labels, spec.nodeName, and a controller ownerReference to a ReplicaSet. */
export function pod(name: string, extra: { labels?: Record<string, string>; nodeName?: string; owner?: string } = {}): KubeObject {
  const metadata: KubeObject["metadata"] = { name, labels: extra.labels };
  if (extra.owner) metadata.ownerReferences = [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: extra.owner, uid: `uid-${extra.owner}`, controller: true }];
  return { apiVersion: "v1", kind: "Pod", metadata, spec: extra.nodeName ? { nodeName: extra.nodeName } : {} };
}

function resourceId(ref: ResourceRef): string {
  return `${ref.group}/${ref.resource}`;
}

function storageKey(ref: ResourceRef, namespace: string | undefined, name: string): string {
  return `${resourceId(ref)}|${namespace ?? ""}|${name}`;
}

function copy(obj: KubeObject): KubeObject {
  return structuredClone(obj);
}

function matcher(options: { namespace?: string; labelSelector?: string; fieldSelector?: string }): (obj: KubeObject) => boolean {
  const labels = options.labelSelector ? LabelSelector.parse(options.labelSelector) : LabelSelector.everything();
  const fields = options.fieldSelector ? FieldSelector.parse(options.fieldSelector) : FieldSelector.everything();
  return (obj) =>
    (options.namespace === undefined || obj.metadata?.namespace === options.namespace) &&
    labels.matches(obj.metadata?.labels) &&
    fields.matches((path) => fieldValue(obj, path));
}

function fieldValue(obj: KubeObject, path: string): string | undefined {
  let value: unknown = obj;
  for (const part of path.split(".")) value = (value as Record<string, unknown> | undefined)?.[part];
  return typeof value === "string" ? value : undefined;
}
