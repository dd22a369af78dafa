// The Client: how controllers, the scheduler and node agents talk to the API. Two implementations
// with the same behaviour: in-process (same validation and storage path as HTTP, no sockets) and
// HTTP (for agents on other hosts). Components never touch the Store.
import type { KubeObject } from "../api/resource.js";

/** Which resource: group ("" for core), version and lower-case plural, as in API paths. */
export interface ResourceRef {
  group: string;
  version: string;
  resource: string;
}

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  /** "0": whatever the server has cached; unset: a consistent (fresh) read. */
  resourceVersion?: string;
}

export interface ObjectList {
  items: KubeObject[];
  /** The revision the list was read at: watch from here to follow it. */
  resourceVersion: string;
  continue?: string;
}

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK";

export interface WatchOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Events after this revision. */
  resourceVersion: string;
  allowBookmarks?: boolean;
}

export interface WatchCallbacks {
  /** The object may be shared with other watchers (the in-process client's are deep-frozen): never mutate it. */
  onEvent(type: WatchEventType, object: KubeObject): void;
  /**
   * The watch ended: `expired` when its revision left the server's window (re-list, then watch
   * again), otherwise a connection or server failure (retry with backoff).
   */
  onClose(reason: { expired: boolean; error?: Error }): void;
}

export interface WatchHandle {
  stop(): void;
}

export interface WriteOptions {
  dryRun?: boolean;
  fieldManager?: string;
  subresource?: string;
}

export type PatchType = "json" | "merge" | "strategic" | "apply";

export interface PatchOptions extends WriteOptions {
  /** Server-side apply: take ownership of conflicting fields. */
  force?: boolean;
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: "Orphan" | "Background" | "Foreground";
  preconditions?: { uid?: string; resourceVersion?: string };
}

/**
 * Errors are `StatusError`s (src/api/errors.ts) with the Kubernetes code and reason: 404 NotFound,
 * 409 Conflict / AlreadyExists, 422 Invalid, ... on both implementations.
 */
export interface Client {
  get(ref: ResourceRef, namespace: string | undefined, name: string): Promise<KubeObject>;
  list(ref: ResourceRef, options?: ListOptions): Promise<ObjectList>;
  watch(ref: ResourceRef, options: WatchOptions, callbacks: WatchCallbacks): WatchHandle;
  create(ref: ResourceRef, namespace: string | undefined, object: KubeObject, options?: WriteOptions): Promise<KubeObject>;
  /** PUT: compare-and-swap on object.metadata.resourceVersion when set. */
  update(ref: ResourceRef, namespace: string | undefined, object: KubeObject, options?: WriteOptions): Promise<KubeObject>;
  patch(ref: ResourceRef, namespace: string | undefined, name: string, type: PatchType, patch: unknown, options?: PatchOptions): Promise<KubeObject>;
  delete(ref: ResourceRef, namespace: string | undefined, name: string, options?: DeleteOptions): Promise<void>;
  /** POST to a subresource that creates (pods/binding, pods/eviction, serviceaccounts/token). */
  createSubresource(ref: ResourceRef, namespace: string | undefined, name: string, subresource: string, body: KubeObject): Promise<KubeObject>;
}

export const CORE_V1 = (resource: string): ResourceRef => ({ group: "", version: "v1", resource });
export const APPS_V1 = (resource: string): ResourceRef => ({ group: "apps", version: "v1", resource });
