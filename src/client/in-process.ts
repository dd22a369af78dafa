// The in-process Client: controllers and the scheduler inside `kubelite server` reach the API
// through the same registry, validation, defaulting and watch cache as HTTP requests, as their own
// identity, without sockets or serialisation round trips beyond what the cache already holds.
// Every call is authorised as that identity first, as an HTTP request would be.
import type { UserInfo } from "../auth/authenticate.js";
import type { ResourceAttributes } from "../auth/authorization/attributes.js";
import { forbidden } from "../auth/authorization/forbidden.js";
import { deepFreeze } from "../api/deep-freeze.js";
import { StatusError } from "../api/errors.js";
import { assignNode } from "../api/handlers/binding.js";
import type { ApiContext } from "../api/handlers/api-context.js";
import { listItems } from "../api/handlers/list.js";
import { requestToken } from "../api/handlers/token-request.js";
import { transition } from "../api/handlers/watch.js";
import { patchResource, withTypeMeta } from "../api/patch-resource.js";
import { successStatus } from "../api/respond.js";
import type { RequestContext } from "../api/request-context.js";
import type { KubeObject, ResourceDef } from "../api/resource.js";
import { buildListFilter } from "../api/selector-filter.js";
import { TooOldError, type CacheEvent } from "../api/watch-cache.js";
import type { Client, DeleteOptions, ListOptions, ObjectList, PatchOptions, PatchType, ResourceRef, WatchCallbacks, WatchEventType, WatchHandle, WatchOptions, WriteOptions } from "./client.js";

/** A list whose items are JSON texts. */
export interface JsonList {
  items: string[];
  resourceVersion: string;
  continue?: string;
}

export interface JsonWatchCallbacks {
  onEvent(type: WatchEventType, json: string): void;
  onClose: WatchCallbacks["onClose"];
}

export class InProcessClient implements Client {
  /**
   * @param api the server's API context
   * @param user the component's identity (e.g. system:kube-controller-manager)
   * @param fieldManager recorded in managedFields for this component's writes
   */
  constructor(
    private readonly api: ApiContext,
    private readonly user: UserInfo,
    private readonly fieldManager: string,
  ) {}

  async get(ref: ResourceRef, namespace: string | undefined, name: string): Promise<KubeObject> {
    const def = this.def(ref);
    await this.authorize("get", def, namespace, name);
    return this.api.registry.get(def, namespace, name);
  }

  async list(ref: ResourceRef, options: ListOptions = {}): Promise<ObjectList> {
    const listed = await this.listJson(ref, options);
    return { items: listed.items.map((json) => JSON.parse(json) as KubeObject), resourceVersion: listed.resourceVersion, continue: listed.continue };
  }

  /** list, with each item as the JSON the cache holds (for a client on another thread, which parses it there). */
  async listJson(ref: ResourceRef, options: ListOptions = {}): Promise<JsonList> {
    const def = this.def(ref);
    await this.authorize("list", def, options.namespace);
    const listed = await listItems(this.api, def, {
      namespace: options.namespace,
      filter: buildListFilter(def, options.labelSelector, options.fieldSelector),
      limit: options.limit ?? 0,
      continueToken: options.continue,
      resourceVersion: options.resourceVersion,
    });
    const items = def.conversion ? listed.items.map((json) => JSON.stringify(this.api.registry.toServedVersion(def, JSON.parse(json) as KubeObject))) : listed.items;
    return { items, resourceVersion: String(listed.revision), continue: listed.continueToken };
  }

  watch(ref: ResourceRef, options: WatchOptions, callbacks: WatchCallbacks): WatchHandle {
    const def = this.def(ref);
    return this.follow(def, options, callbacks.onClose, true, (type, event) => {
      const stored = event.object.object ?? deepFreeze(JSON.parse(event.object.json) as KubeObject);
      callbacks.onEvent(type, this.api.registry.toServedVersion(def, stored));
    });
  }

  /** watch, with each event's object as the JSON the cache holds (see listJson). */
  watchJson(ref: ResourceRef, options: WatchOptions, callbacks: JsonWatchCallbacks): WatchHandle {
    const def = this.def(ref);
    return this.follow(def, options, callbacks.onClose, false, (type, event) => {
      callbacks.onEvent(type, def.conversion ? JSON.stringify(this.api.registry.toServedVersion(def, JSON.parse(event.object.json) as KubeObject)) : event.object.json);
    });
  }

  /** A cache watch for `def`; `decoded`: the deliverer reads events' decoded objects. */
  private follow(def: ResourceDef, options: WatchOptions, onClose: WatchCallbacks["onClose"], decoded: boolean, deliver: (type: "ADDED" | "MODIFIED" | "DELETED", event: CacheEvent) => void): WatchHandle {
    // Synchronous like watch() itself: informers list (checked, with a fresh cache) right before.
    const attrs = this.attributes("watch", def, options.namespace);
    const decision = this.api.authorization.authorize(attrs);
    if (decision.decision !== "allow") throw forbidden(attrs, decision.reason);
    const filter = buildListFilter(def, options.labelSelector, options.fieldSelector);
    const cache = this.api.cache.get(this.api.registry.storageResource(def));
    // Events are handed over after the cache's dispatch, in order, so that a handler that writes
    // to the API never re-enters the cache while it is delivering.
    const pending: { type: "ADDED" | "MODIFIED" | "DELETED"; event: CacheEvent }[] = [];
    let stopped = false;
    const flush = () => {
      for (const { type, event } of pending.splice(0)) {
        if (stopped) return;
        deliver(type, event);
      }
    };
    let unregister: () => void = () => {};
    try {
      unregister = cache.watch(Number(options.resourceVersion), {
        namespace: def.namespaced ? options.namespace : undefined,
        decoded,
        onEvent: (event) => {
          const type = transition(event, filter);
          if (!type) return;
          if (pending.push({ type, event }) === 1) queueMicrotask(flush);
        },
      });
    } catch (err) {
      if (!(err instanceof TooOldError)) throw err;
      queueMicrotask(() => onClose({ expired: true }));
    }
    return {
      stop: () => {
        stopped = true;
        unregister();
      },
    };
  }

  async create(ref: ResourceRef, namespace: string | undefined, object: KubeObject, options: WriteOptions = {}): Promise<KubeObject> {
    const def = this.def(ref);
    await this.authorize("create", def, namespace);
    if (def.computeCreate) return def.computeCreate(withTypeMeta(def, object), { user: this.user, namespace });
    return this.api.registry.create(def, namespace, withTypeMeta(def, object), this.context(options));
  }

  async update(ref: ResourceRef, namespace: string | undefined, object: KubeObject, options: WriteOptions = {}): Promise<KubeObject> {
    const def = this.def(ref);
    const name = object.metadata?.name;
    if (!name) throw new StatusError(400, "BadRequest", "an update needs metadata.name");
    await this.authorize("update", def, namespace, name, options.subresource);
    return this.api.registry.update(def, namespace, name, withTypeMeta(def, object), this.context(options), options.subresource);
  }

  async patch(ref: ResourceRef, namespace: string | undefined, name: string, type: PatchType, patch: unknown, options: PatchOptions = {}): Promise<KubeObject> {
    const def = this.def(ref);
    await this.authorize("patch", def, namespace, name, options.subresource);
    return patchResource(this.api, def, namespace, name, { type, patch, force: options.force ?? false, subresource: options.subresource, ctx: this.context(options) });
  }

  async delete(ref: ResourceRef, namespace: string | undefined, name: string, options: DeleteOptions = {}): Promise<void> {
    const def = this.def(ref);
    await this.authorize("delete", def, namespace, name);
    await this.api.registry.delete(def, namespace, name, options, this.context({}));
  }

  async createSubresource(ref: ResourceRef, namespace: string | undefined, name: string, subresource: string, body: KubeObject): Promise<KubeObject> {
    const def = this.def(ref);
    await this.authorize("create", def, namespace, name, subresource);
    if (def.group === "" && def.kind === "Pod" && subresource === "binding") {
      await assignNode(this.api, def, namespace, name, body, this.context({}));
      // What the HTTP API answers (upstream's BindingREST): a Status, not the pod.
      return successStatus() as unknown as KubeObject;
    }
    if (def.group === "" && def.kind === "ServiceAccount" && subresource === "token") return requestToken(this.api, def, namespace ?? "", name, body, this.context({}));
    throw new StatusError(404, "NotFound", `the server could not find the requested resource: ${ref.resource}/${subresource}`);
  }

  /** A result's JSON: the watch cache's bytes when it holds this very revision, else encoded now. */
  jsonOf(ref: ResourceRef, object: KubeObject): string {
    return this.api.registry.cachedJson(this.def(ref), object) ?? JSON.stringify(object);
  }

  private def(ref: ResourceRef): ResourceDef {
    const def = this.api.discovery.find(ref.group, ref.version, ref.resource);
    if (!def) throw new StatusError(404, "NotFound", `the server could not find the requested resource: ${ref.group ? `${ref.group}/` : ""}${ref.version} has no resource "${ref.resource}"`);
    return def;
  }

  private attributes(verb: string, def: ResourceDef, namespace: string | undefined, name = "", subresource = ""): ResourceAttributes {
    return { kind: "resource", user: this.user, verb, apiGroup: def.group, resource: def.plural, subresource, namespace: def.namespaced ? (namespace ?? "") : "", name };
  }

  private authorize(verb: string, def: ResourceDef, namespace: string | undefined, name?: string, subresource?: string): Promise<void> {
    return this.api.authorization.check(this.attributes(verb, def, namespace, name, subresource));
  }

  private context(options: WriteOptions): RequestContext {
    return { user: this.user, dryRun: options.dryRun ?? false, fieldManager: options.fieldManager ?? this.fieldManager, fieldValidation: "Strict", warnings: [] };
  }
}
