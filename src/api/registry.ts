// The generic object lifecycle for every resource kind: create, read, update, patch and delete with
// Kubernetes' metadata semantics (uid, creationTimestamp, generation, resourceVersion preconditions,
// status subresource split, finalizers and deletionTimestamp, propagation policy as the garbage
// collector's finalizers, dry run). Kind-specific behaviour comes from the ResourceDef, except for
// namespaces, whose lifecycle hooks live here as upstream's namespace registry has them: delete marks
// them Terminating, the `finalize` subresource writes spec.finalizers, and they are purged only when
// spec.finalizers is empty too. Storage is compare-and-swap on the Store; reads come from the cache.
import { randomUUID } from "node:crypto";
import { AdmissionChain } from "./admission/admission.js";
import { ConflictError, KeyExistsError, KeyNotFoundError, type Store } from "../storage/store.js";
import type { ClusterCache } from "./cluster-cache.js";
import { alreadyExists, badRequest, conflict, notFound, qualifiedResource, StatusError } from "./errors.js";
import { prepareForCreate, prepareForUpdate, type ObjectPreparer } from "./object-preparer.js";
import type { RequestContext } from "./request-context.js";
import { apiVersionOf, type KubeObject, type ResourceDef } from "./resource.js";
import { isStoredJsonWithResourceVersion } from "./stored-json.js";
import { decodeKeyValue, encodeForStorage, storageKey } from "./stored-object.js";
import type { CachedObject } from "./watch-cache.js";
import { rfc3339 } from "./meta-time.js";
import { jsonClone } from "./patch/json-value.js";
import type { WriteHooksByResource, WriteTransaction } from "./write-hooks.js";

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: "Orphan" | "Background" | "Foreground";
  preconditions?: { uid?: string; resourceVersion?: string };
}

export interface DeleteResult {
  object: KubeObject;
  /** False when the object only got a deletionTimestamp (finalizers or graceful deletion pending). */
  deleted: boolean;
}

/** Rewrites the current object (a private copy) into its new state, or throws. */
export type Mutation = (current: KubeObject | undefined) => Promise<KubeObject> | KubeObject;

export interface UpdateOptions {
  /**
   * The mutation only reads the current object (it may be the cache's shared, frozen one) and
   * returns a new object whose parts taken from it are never changed later: then no private
   * copy is made for it. Patches work on their own copies; a binding writes the pod as it builds it.
   */
  readsCurrent?: boolean;
}

const MAX_RETRIES = 8;

/**
 * An object as stored (storage version, resourceVersion set) at a revision; `value` is its stored
 * bytes when read from the Store, `json` the watch cache's serialisation when read from there.
 */
interface StoredState {
  object: KubeObject;
  revision: number;
  value?: string;
  json?: string;
}

/**
 * Whether `encoded` is what is stored already. From the cache, the stored value is compared in the
 * cache's form (resourceVersion spliced in), which costs a scan of the metadata instead of encoding
 * the whole object again.
 */
function sameAsStored(encoded: string, state: StoredState): boolean {
  if (state.value !== undefined) return encoded === state.value;
  const same = state.json === undefined ? undefined : isStoredJsonWithResourceVersion(encoded, state.revision, state.json);
  return same ?? encoded === encodeForStorage(state.object);
}
const GENERATE_NAME_CHARS = "bcdfghjklmnpqrstvwxz2456789";

export class Registry {
  /** The admission plugins every create, update, delete and connect passes (none until the server sets them). */
  admission = new AdmissionChain();

  constructor(
    private readonly store: Store,
    private readonly cache: ClusterCache,
    private readonly preparer: ObjectPreparer,
    private readonly now: () => Date,
    /** A number in [0, 1): generated name suffixes (tests pin it). */
    private readonly random: () => number = Math.random,
    /** Allocation steps of kinds whose storage has them (Services: cluster IPs and node ports). */
    private readonly hooks: WriteHooksByResource = {},
  ) {}

  storageResource(def: ResourceDef): string {
    return def.storageResource ?? def.plural;
  }

  key(def: ResourceDef, namespace: string | undefined, name: string): string {
    return storageKey(this.storageResource(def), def.namespaced ? namespace : undefined, name);
  }

  /** The current object as cached (storage version), after the cache caught up with every acknowledged write. */
  async getCached(def: ResourceDef, namespace: string | undefined, name: string): Promise<CachedObject> {
    await this.cache.waitFresh();
    const found = this.cache.get(this.storageResource(def)).get(this.key(def, namespace, name));
    if (!found) throw notFound(def.plural, def.group, name);
    return found;
  }

  /**
   * The watch cache's JSON of `obj` when the cache holds exactly that revision and `def` serves the
   * storage version: a write's reply is then the bytes already made, not a second encoding.
   */
  cachedJson(def: ResourceDef, obj: KubeObject): string | undefined {
    const meta = obj.metadata;
    if (def.conversion || obj.kind !== def.kind || !meta?.name || !meta.resourceVersion) return undefined;
    const cached = this.cache.get(this.storageResource(def)).get(this.key(def, meta.namespace, meta.name));
    return cached && String(cached.revision) === meta.resourceVersion ? cached.json : undefined;
  }

  /** The current object in the version `def` serves. */
  async get(def: ResourceDef, namespace: string | undefined, name: string): Promise<KubeObject> {
    const cached = await this.getCached(def, namespace, name);
    return this.toServedVersion(def, cached.object ? jsonClone(cached.object) : (JSON.parse(cached.json) as KubeObject));
  }

  async create(def: ResourceDef, namespace: string | undefined, input: KubeObject, ctx: RequestContext): Promise<KubeObject> {
    const obj = jsonClone(input);
    const meta = (obj.metadata ??= {});
    if (def.namespaced) {
      if (meta.namespace && namespace && meta.namespace !== namespace) throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
      meta.namespace = namespace ?? meta.namespace;
      await this.checkNamespaceAcceptsContent(def, meta.namespace, meta.name ?? "");
    } else {
      delete meta.namespace;
    }
    if (!meta.name && meta.generateName) meta.name = meta.generateName + randomSuffix(5, this.random);
    const prepared = await prepareForCreate(this.preparer, def, obj, ctx, { uid: randomUUID(), now: this.now(), admission: this.admission });
    const transaction = this.hooks[this.storageResource(def)]?.beginCreate(prepared);
    const stored = this.toStorageVersion(def, prepared);
    const name = stored.metadata?.name ?? "";
    if (ctx.dryRun) {
      transaction?.revert();
      if (this.cache.get(this.storageResource(def)).get(this.key(def, meta.namespace, name))) throw alreadyExists(def.plural, def.group, name);
      return prepared;
    }
    return settle(transaction, this.storeNew(def, meta.namespace, stored, input.metadata?.name ? undefined : input.metadata?.generateName));
  }

  /**
   * Writes a new object. A generated name that collides is generated again, a few times, as
   * upstream's API server does (RetryGenerateName, GA in v1.32); a chosen name that exists is a 409.
   */
  private async storeNew(def: ResourceDef, namespace: string | undefined, stored: KubeObject, generateName: string | undefined): Promise<KubeObject> {
    for (let attempt = 0; ; attempt++) {
      const name = stored.metadata?.name ?? "";
      try {
        const key = this.key(def, namespace, name);
        const value = encodeForStorage(stored);
        const revision = await this.cache.writeThrough(key, value, stored, () => this.store.create(key, value));
        return this.withRevision(def, stored, revision);
      } catch (err) {
        if (!(err instanceof KeyExistsError)) throw err;
        if (generateName === undefined || attempt >= 7) throw alreadyExists(def.plural, def.group, name);
        stored = { ...stored, metadata: { ...stored.metadata, name: generateName + randomSuffix(5, this.random) } };
      }
    }
  }

  /**
   * Replaces the object with `input` (PUT). A resourceVersion in the input is a precondition; without
   * one the update is unconditional, as upstream allows for built-in kinds.
   */
  async update(def: ResourceDef, namespace: string | undefined, name: string, input: KubeObject, ctx: RequestContext, subresource?: string): Promise<KubeObject> {
    const wanted = input.metadata?.resourceVersion;
    if (input.metadata?.name !== undefined && input.metadata.name !== name) {
      throw badRequest(`the name of the object (${input.metadata.name}) does not match the name on the URL (${name})`);
    }
    if (subresource === "finalize" && !isNamespace(def)) throw notFound(`${def.plural}/finalize`, def.group, name);
    return this.guaranteedUpdate(def, namespace, name, ctx, subresource, (current) => {
      if (!current) throw notFound(def.plural, def.group, name);
      if (wanted && wanted !== current.metadata?.resourceVersion) throw this.modifiedConflict(def, name);
      return subresource === "finalize" ? withSpecFinalizers(current, input) : jsonClone(input);
    }, { readsCurrent: true });
  }

  /**
   * Reads the current object, lets `mutate` compute the new one, and writes it with compare-and-swap,
   * retrying on conflicts. `mutate` receives undefined when the object does not exist; returning an
   * object then creates it (server-side apply). Used by update, patch and the scale subresource.
   * The first attempt starts from the watch cache's decoded object when it has one, as upstream's
   * cachedExistingObject: a stale guess only costs a conflict, and whenever a guess fails (conflict,
   * an error from `mutate` or the checks, or no change to write) the Store is read and tried again.
   */
  async guaranteedUpdate(def: ResourceDef, namespace: string | undefined, name: string, ctx: RequestContext, subresource: string | undefined, mutate: Mutation, options: UpdateOptions = {}): Promise<KubeObject> {
    const key = this.key(def, namespace, name);
    let guess = this.cachedState(def, key);
    for (let attempt = 0; ; attempt++) {
      const state = guess ?? (await this.storedState(key));
      const fromCache = guess !== undefined;
      guess = undefined;
      if (!state) {
        const created = await mutate(undefined);
        return this.create(def, namespace, created, ctx);
      }
      const current = this.toServedVersion(def, state.object);
      let prepared: KubeObject;
      let stored: KubeObject;
      let encoded: string;
      let transaction: WriteTransaction | undefined;
      try {
        const desired = await mutate(options.readsCurrent ? current : jsonClone(current));
        // pods/binding writes the storage directly, as upstream's BindingREST does: no strategy, no
        // validation of the rest of the pod, no managedFields entry.
        prepared = subresource === "binding" ? desired : await prepareForUpdate(this.preparer, def, desired, current, ctx, { subresource, now: this.now(), admission: this.admission });
        if (subresource === undefined) transaction = this.hooks[this.storageResource(def)]?.beginUpdate(prepared, current);
        stored = this.toStorageVersion(def, prepared);
        encoded = encodeForStorage(stored);
      } catch (err) {
        transaction?.revert();
        if (fromCache) continue;
        throw err;
      }
      // The stored bytes are what encodeForStorage wrote: an unchanged object needs no write.
      if (sameAsStored(encoded, state)) {
        transaction?.revert();
        if (fromCache) continue;
        return current;
      }
      if (ctx.dryRun) {
        transaction?.revert();
        return prepared;
      }
      try {
        if (shouldDeleteDuringUpdate(def, stored)) {
          const { revision } = await this.store.delete(key, state.revision);
          transaction?.commit();
          return this.withRevision(def, stored, revision);
        }
        const revision = await this.cache.writeThrough(key, encoded, stored, () => this.store.update(key, encoded, state.revision));
        transaction?.commit();
        return this.withRevision(def, stored, revision);
      } catch (err) {
        transaction?.revert();
        if (err instanceof ConflictError || err instanceof KeyNotFoundError) {
          if (attempt < MAX_RETRIES) continue;
          throw this.modifiedConflict(def, name);
        }
        throw err;
      }
    }
  }

  /** The watch cache's decoded object (shared and frozen) and its revision, when it keeps one. */
  private cachedState(def: ResourceDef, key: string): StoredState | undefined {
    const cached = this.cache.get(this.storageResource(def)).get(key);
    return cached?.object ? { object: cached.object, revision: cached.revision, json: cached.json } : undefined;
  }

  private async storedState(key: string): Promise<StoredState | undefined> {
    const kv = await this.store.get(key);
    return kv && { object: decodeKeyValue(kv), revision: kv.modRevision, value: kv.value };
  }

  /**
   * Deletes the object, or marks it with a deletionTimestamp when finalizers or graceful pod
   * termination must run first (the object goes once they are done). The propagation policy
   * becomes the garbage collector's finalizers (`orphan`, `foregroundDeletion`) on the first
   * delete; a namespace only turns Terminating until its spec.finalizers are done.
   */
  async delete(def: ResourceDef, namespace: string | undefined, name: string, options: DeleteOptions, ctx: RequestContext): Promise<DeleteResult> {
    const key = this.key(def, namespace, name);
    for (let attempt = 0; ; attempt++) {
      const kv = await this.store.get(key);
      if (!kv) throw notFound(def.plural, def.group, name);
      const current = decodeKeyValue(kv);
      checkPreconditions(def, name, current, options);
      if (attempt === 0) {
        const oldObject = this.toServedVersion(def, current);
        await this.admission.validate({ operation: "DELETE", def, namespace, name, oldObject, ctx });
      }
      const next = this.planDeletion(def, current, options);
      try {
        if (next === "delete") {
          if (ctx.dryRun) return { object: this.toServedVersion(def, current), deleted: true };
          const { revision } = await this.store.delete(key, kv.modRevision);
          return { object: this.withRevision(def, current, revision), deleted: true };
        }
        if (ctx.dryRun || next === current) return { object: this.toServedVersion(def, next), deleted: false };
        const revision = await this.store.update(key, encodeForStorage(next), kv.modRevision);
        return { object: this.withRevision(def, next, revision), deleted: false };
      } catch (err) {
        if ((err instanceof ConflictError || err instanceof KeyNotFoundError) && attempt < MAX_RETRIES) continue;
        throw err;
      }
    }
  }

  /**
   * What a delete does to `current`: "delete" it now, or the object to store instead (the same
   * object when nothing changes). Upstream's BeforeDelete and updateForGracefulDeletionAndFinalizers;
   * for namespaces, the namespace REST's Delete (mark Terminating first, purge only once
   * spec.finalizers is empty).
   */
  private planDeletion(def: ResourceDef, current: KubeObject, options: DeleteOptions): KubeObject | "delete" {
    if (isNamespace(def)) {
      if (!current.metadata?.deletionTimestamp) return this.beginNamespaceTermination(current, options);
      if (specFinalizers(current).length > 0) return current;
    }
    const graceSeconds = gracePeriod(def, current, options);
    // Finalizers follow DeleteOptions only until deletion has started (upstream: not while pending).
    const finalized = current.metadata?.deletionTimestamp ? current : withGarbageCollectionFinalizers(def, current, options);
    if ((finalized.metadata?.finalizers ?? []).length === 0 && graceSeconds === 0) return "delete";
    return this.markDeleted(finalized, graceSeconds);
  }

  /** The first delete of a namespace: deletionTimestamp, phase Terminating, and the finalizers an explicit policy asks for. */
  private beginNamespaceTermination(current: KubeObject, options: DeleteOptions): KubeObject {
    const meta = current.metadata ?? {};
    const status = (current.status ?? {}) as Record<string, unknown>;
    let finalizers = meta.finalizers ?? [];
    // Upstream's shouldHaveOrphanFinalizer/shouldHaveDeleteDependentsFinalizer: only an explicit policy changes them.
    if (options.propagationPolicy) finalizers = gcFinalizersFor(finalizers, options.propagationPolicy === "Orphan", options.propagationPolicy === "Foreground");
    const marked: KubeObject = { ...current, metadata: { ...meta, deletionTimestamp: rfc3339(this.now()) }, status: { ...status, phase: "Terminating" } };
    if (finalizers.length > 0) marked.metadata = { ...marked.metadata, finalizers };
    return marked;
  }

  /** Converts a stored (storage version) object into the version `def` serves. */
  toServedVersion(def: ResourceDef, stored: KubeObject): KubeObject {
    return def.conversion ? def.conversion.fromStorage(stored) : stored;
  }

  private toStorageVersion(def: ResourceDef, obj: KubeObject): KubeObject {
    const versioned = { ...obj, apiVersion: apiVersionOf(def), kind: def.kind };
    return def.conversion ? def.conversion.toStorage(versioned) : versioned;
  }

  private withRevision(def: ResourceDef, stored: KubeObject, revision: number): KubeObject {
    const out = { ...stored, metadata: { ...stored.metadata, resourceVersion: String(revision) } };
    return this.toServedVersion(def, out);
  }

  private markDeleted(obj: KubeObject, graceSeconds: number): KubeObject {
    const meta = obj.metadata ?? {};
    if (meta.deletionTimestamp) {
      // A shorter grace period may replace a longer one, as upstream allows; never a longer one.
      if (meta.deletionGracePeriodSeconds === undefined || graceSeconds >= meta.deletionGracePeriodSeconds) return obj;
    }
    const at = new Date(this.now().getTime() + graceSeconds * 1000);
    return { ...obj, metadata: { ...meta, deletionTimestamp: meta.deletionTimestamp ?? rfc3339(at), deletionGracePeriodSeconds: graceSeconds } };
  }

  /**
   * upstream's NamespaceLifecycle admission: the namespace must exist and not be Terminating. As
   * upstream, the cache answers first; only a namespace it lacks or shows Terminating (perhaps
   * deleted and created again) waits for the cache to catch up with the Store and is looked at
   * again. The sqlite and memory stores hand a write to watchers before acknowledging it, so a
   * namespace created or marked for deletion by an earlier request is in the cache already.
   */
  private async checkNamespaceAcceptsContent(def: ResourceDef, namespace: string | undefined, name: string): Promise<void> {
    if (!namespace) throw badRequest("the namespace of the object must be set: the request names none and the object has no metadata.namespace");
    const key = storageKey("namespaces", undefined, namespace);
    let ns = this.cache.get("namespaces").get(key);
    if (ns && !isTerminating(ns)) return;
    await this.cache.waitFresh();
    ns = this.cache.get("namespaces").get(key);
    if (!ns) throw notFound("namespaces", "", namespace);
    if (isTerminating(ns)) throw namespaceTerminating(def, namespace, name);
  }

  private modifiedConflict(def: ResourceDef, name: string): StatusError {
    return conflict(def.plural, def.group, name, "the object has been modified; please apply your changes to the latest version and try again");
  }
}

/** From the cache's field-selector values (namespaces index status.phase), so no create parses the namespace. */
function isTerminating(ns: CachedObject): boolean {
  return ns.fields["status.phase"] === "Terminating";
}

/** upstream's NamespaceLifecycle admission error, with the NamespaceTerminating cause clients look for. */
function namespaceTerminating(def: ResourceDef, namespace: string, name: string): StatusError {
  const why = `unable to create new content in namespace ${namespace} because it is being terminated`;
  return new StatusError(403, "Forbidden", `${qualifiedResource(def.plural, def.group)} "${name}" is forbidden: ${why}`, {
    name,
    group: def.group,
    kind: def.plural,
    causes: [{ reason: "NamespaceTerminating", message: why, field: "metadata.namespace" }],
  });
}

function checkPreconditions(def: ResourceDef, name: string, current: KubeObject, options: DeleteOptions): void {
  const pre = options.preconditions;
  if (pre?.uid && pre.uid !== current.metadata?.uid) {
    throw conflict(def.plural, def.group, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata?.uid ?? ""}`);
  }
  if (pre?.resourceVersion && pre.resourceVersion !== current.metadata?.resourceVersion) {
    throw conflict(def.plural, def.group, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.metadata?.resourceVersion ?? ""}`);
  }
}

/**
 * Seconds the object may take to go away. Only pods that a node may be running terminate
 * gracefully (upstream: unscheduled or finished pods are deleted at once).
 */
function gracePeriod(def: ResourceDef, current: KubeObject, options: DeleteOptions): number {
  if (def.group !== "" || def.kind !== "Pod") return 0;
  const spec = (current.spec ?? {}) as { nodeName?: string; terminationGracePeriodSeconds?: number };
  const phase = (current.status as { phase?: string } | undefined)?.phase;
  if (!spec.nodeName || phase === "Succeeded" || phase === "Failed") return 0;
  const requested = options.gracePeriodSeconds ?? spec.terminationGracePeriodSeconds ?? 30;
  return Math.max(0, requested);
}

/** Marked for deletion with nothing left to wait for: no finalizers and no grace period running. */
function isFinishedDeleting(obj: KubeObject): boolean {
  const meta = obj.metadata ?? {};
  return meta.deletionTimestamp !== undefined && (meta.finalizers ?? []).length === 0 && (meta.deletionGracePeriodSeconds ?? 0) === 0;
}

// ---- garbage collection finalizers (upstream's deletionFinalizersForGarbageCollection) ----------

const ORPHAN_FINALIZER = "orphan";
const FOREGROUND_FINALIZER = "foregroundDeletion";

/**
 * Kinds whose default propagation is Orphan (upstream's DefaultGarbageCollectionPolicy):
 * batch/v1 Jobs, for backwards compatibility. Every other kind defaults to Background.
 */
function orphansByDefault(def: ResourceDef): boolean {
  return def.group === "batch" && def.version === "v1" && def.kind === "Job";
}

/** The object with `orphan`/`foregroundDeletion` set as the DeleteOptions, its finalizers or its kind's default ask. */
function withGarbageCollectionFinalizers(def: ResourceDef, obj: KubeObject, options: DeleteOptions): KubeObject {
  const current = obj.metadata?.finalizers ?? [];
  const policy = options.propagationPolicy;
  // An explicit policy wins; then a finalizer already present; then the kind's default.
  const orphan = policy ? policy === "Orphan" : current.includes(ORPHAN_FINALIZER) || (!current.includes(FOREGROUND_FINALIZER) && orphansByDefault(def));
  const foreground = policy ? policy === "Foreground" : current.includes(FOREGROUND_FINALIZER) && !current.includes(ORPHAN_FINALIZER);
  const next = gcFinalizersFor(current, orphan, foreground);
  if (next.length === current.length && next.every((f) => current.includes(f))) return obj;
  return { ...obj, metadata: { ...obj.metadata, finalizers: next } };
}

/** finalizers without the two garbage collection finalizers, then with those asked for. */
function gcFinalizersFor(finalizers: readonly string[], orphan: boolean, foreground: boolean): string[] {
  const next = finalizers.filter((f) => f !== ORPHAN_FINALIZER && f !== FOREGROUND_FINALIZER);
  if (orphan) next.push(ORPHAN_FINALIZER);
  if (foreground) next.push(FOREGROUND_FINALIZER);
  return next;
}

// ---- namespaces (upstream pkg/registry/core/namespace/storage) --------------------------------

function isNamespace(def: ResourceDef): boolean {
  return def.group === "" && def.kind === "Namespace";
}

function specFinalizers(obj: KubeObject): string[] {
  const finalizers = (obj.spec as { finalizers?: unknown } | undefined)?.finalizers;
  return Array.isArray(finalizers) ? finalizers.filter((f): f is string => typeof f === "string") : [];
}

/** The namespaces/finalize subresource writes spec.finalizers only: the rest of the object stays as stored. */
function withSpecFinalizers(current: KubeObject, input: KubeObject): KubeObject {
  const next = jsonClone(current);
  next.spec = { ...((next.spec ?? {}) as Record<string, unknown>), finalizers: specFinalizers(input) };
  return next;
}

/**
 * Whether an update leaves nothing to wait for, so the object is deleted instead of stored
 * (upstream's ShouldDeleteDuringUpdate). A namespace also waits for its spec.finalizers
 * (ShouldDeleteNamespaceDuringUpdate): it goes when the namespace controller's finalize empties them.
 */
function shouldDeleteDuringUpdate(def: ResourceDef, obj: KubeObject): boolean {
  return isFinishedDeleting(obj) && (!isNamespace(def) || specFinalizers(obj).length === 0);
}

/** Commits the write's transaction once `write` succeeds, reverts it when it fails. */
async function settle<T>(transaction: WriteTransaction | undefined, write: Promise<T>): Promise<T> {
  try {
    const result = await write;
    transaction?.commit();
    return result;
  } catch (err) {
    transaction?.revert();
    throw err;
  }
}

/** `length` characters of upstream's generateName alphabet (no vowels, no look-alikes). */
export function randomSuffix(length: number, random: () => number): string {
  let out = "";
  for (let i = 0; i < length; i++) out += GENERATE_NAME_CHARS[Math.floor(random() * GENERATE_NAME_CHARS.length)];
  return out;
}

