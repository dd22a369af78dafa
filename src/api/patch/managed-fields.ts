// metadata.managedFields for writes that are not server-side apply (create, update, patch), as
// upstream's fieldmanager records them: the writer's entry (operation Update, keyed by manager,
// apiVersion and subresource) gains the fields whose value it added or changed, every manager
// loses the fields that changed value or were removed, entries left empty are dropped, and at most
// 10 Update entries are kept. Server-managed metadata (name, uid, resourceVersion...) is never
// owned. An existing object without managedFields stays untracked, and a client that sends
// `managedFields: []` clears them, as upstream does.
// Guarantees: inputs are never mutated; the result shares unchanged parts with `updated`, and with
// `live` only its frozen fieldsV1 (an unchanged manager's, given back as stored); a failure to
// compute managed fields never fails the write (upstream's UpdateNoErrors): a copy of the live
// object's managedFields is kept.
import type { KubeObject, ManagedFieldsEntry } from "../resource.js";
import type { Schema, SchemaRegistry } from "../schema.js";
import { changedFields, compareFields, type Comparison } from "./compare-fields.js";
import { emptyObjectLike } from "./empty-object.js";
import { fieldElement } from "./field-path.js";
import { jsonClone, type JsonObject } from "./json-value.js";
import { createdFieldsV1, SERVER_MANAGED_METADATA } from "./created-fields.js";
import { deepFreeze } from "../deep-freeze.js";
import { FieldSet } from "./field-set.js";
import { rfc3339 } from "../meta-time.js";
import { TypeResolver, type FieldType } from "./field-type.js";
import {
  capUpdateManagers, decodeManagedFields, encodeManagedFields, isResetManagedFields, managedFieldsEntry, managerKey,
  type ManagerInfo, type Managers,
} from "./managers.js";

export interface UpdateManagedFieldsOptions {
  /** The stored object; undefined on create. */
  live: KubeObject | undefined;
  /** The object about to be stored. */
  updated: KubeObject;
  /** The field manager (?fieldManager=, else derived from the user agent); "" becomes "unknown". */
  manager: string;
  operation?: "Update";
  /** The apiVersion the client wrote in, e.g. "apps/v1". */
  apiVersion: string;
  subresource?: string;
  schema: Schema | undefined;
  registry: SchemaRegistry;
  /** The registry's type resolver, kept across writes so schema types are worked out once. */
  types?: TypeResolver;
  now: Date;
  /**
   * Fields this endpoint does not track (upstream's resetFields), as field-name paths: [["status"]]
   * on the main resource of a kind with a status subresource, [["spec"], ["metadata"]] on /status.
   */
  ignoredFields?: ReadonlyArray<readonly string[]>;
}

/** The set of ignored field paths; each path's subtree is excluded from tracking. */
export function ignoredFieldSet(paths: ReadonlyArray<readonly string[]> | undefined): FieldSet {
  return FieldSet.of((paths ?? []).map((path) => path.map(fieldElement)));
}

/** upstream stripMetaManager's set: fields the server manages, which no manager owns. */
export const SERVER_MANAGED_FIELDS = FieldSet.of([
  ["apiVersion"], ["kind"], ["metadata"],
  ...SERVER_MANAGED_METADATA.map((field) => ["metadata", field]),
].map((path) => path.map(fieldElement)));

/** Returns `updated` with its managedFields brought up to date for this write. */
export function updateManagedFields(options: UpdateManagedFieldsOptions): KubeObject {
  const base = withManagedFields(options.updated, undefined);
  const managers = managersForUpdate(options);
  if (!managers) return withManagedFields(base, jsonClone(options.live?.metadata?.managedFields));
  // upstream skipNonAppliedManager: an existing object nobody tracks stays untracked.
  if (managers.size === 0 && options.live !== undefined) return base;
  try {
    const types = options.types ?? new TypeResolver(options.registry);
    const type = types.typeOf(options.schema);
    const info: ManagerInfo = { manager: options.manager || "unknown", operation: "Update", apiVersion: options.apiVersion };
    if (options.subresource) info.subresource = options.subresource;
    if (!options.live && managers.size === 0 && !options.ignoredFields?.length) {
      const fields = createdFieldsV1(base, emptyObjectFor(options.schema, options.registry), type, types);
      if (fields) return withManagedFields(base, Object.keys(fields).length > 0 ? [managedFieldsEntry(info, rfc3339(options.now), fields)] : undefined);
    }
    const live = options.live ? withoutManagedFields(options.live) : emptyObjectLike(options.schema, options.registry);
    const ignored = ignoredFieldSet(options.ignoredFields);
    const next = recordUpdate(managers, { live, updated: base, info, type, types, now: options.now, ignored });
    return withManagedFields(base, encodeManagedFields(capUpdateManagers(next)));
  } catch {
    return withManagedFields(base, jsonClone(options.live?.metadata?.managedFields));
  }
}

const emptyObjects = new WeakMap<Schema, JsonObject>();

/** emptyObjectLike, made once per kind's schema (frozen: the create walk only reads it). */
function emptyObjectFor(schema: Schema | undefined, registry: SchemaRegistry): JsonObject {
  if (!schema) return {};
  let empty = emptyObjects.get(schema);
  if (!empty) emptyObjects.set(schema, (empty = deepFreeze(emptyObjectLike(schema, registry))));
  return empty;
}

/**
 * upstream decodeLiveOrNew: the client's managedFields if it sent valid ones (subresources always
 * use the stored ones), none if it asked for a reset, else the stored ones. Undefined if the
 * stored ones cannot be decoded.
 */
function managersForUpdate(options: UpdateManagedFieldsOptions): Managers | undefined {
  const sent = options.updated.metadata?.managedFields;
  if (!options.subresource) {
    if (isResetManagedFields(sent)) return new Map();
    const fromClient = tryDecode(sent);
    if (fromClient && fromClient.size > 0) return fromClient;
  }
  return tryDecode(options.live?.metadata?.managedFields, true);
}

function tryDecode(entries: ManagedFieldsEntry[] | undefined, stored = false): Managers | undefined {
  try {
    return decodeManagedFields(entries, stored);
  } catch {
    return undefined;
  }
}

export interface RecordUpdateOptions {
  live: unknown;
  updated: unknown;
  info: ManagerInfo;
  type: FieldType;
  types: TypeResolver;
  now: Date;
  /** Fields not tracked for this write (see ignoredFieldSet). */
  ignored?: FieldSet;
}

/** upstream Updater.Update + managedFieldsUpdater: who owns what after `info` wrote `updated` over `live`. */
export function recordUpdate(managers: Managers, options: RecordUpdateOptions): Managers {
  const comparison = ignoring(compareFields(options.live, options.updated, options.type, options.types), options.ignored);
  const changed = changedFields(comparison);
  const next: Managers = new Map();
  for (const [key, managed] of managers) {
    const set = managed.set.difference(changed).difference(comparison.removed);
    if (!set.isEmpty()) next.set(key, { ...managed, set });
  }
  const own = changed.difference(SERVER_MANAGED_FIELDS);
  if (own.isEmpty()) return next;
  const key = managerKey(options.info);
  const previous = next.get(key)?.set ?? new FieldSet();
  next.set(key, { ...options.info, set: own.union(previous), time: rfc3339(options.now) });
  return next;
}

/** A comparison without the ignored fields (upstream's IgnoreFilter on comparisons). */
export function ignoring(comparison: Comparison, ignored: FieldSet | undefined): Comparison {
  if (!ignored || ignored.isEmpty()) return comparison;
  return {
    added: comparison.added.recursiveDifference(ignored),
    modified: comparison.modified.recursiveDifference(ignored),
    removed: comparison.removed.recursiveDifference(ignored),
  };
}

export function withoutManagedFields(object: KubeObject): KubeObject {
  return withManagedFields(object, undefined);
}

/** A shallow copy of `object` whose metadata.managedFields is `entries` (absent when undefined). */
export function withManagedFields(object: KubeObject, entries: ManagedFieldsEntry[] | undefined): KubeObject {
  if (!object.metadata) return entries ? { ...object, metadata: { managedFields: entries } } : object;
  const { managedFields: _, ...metadata } = object.metadata;
  return { ...object, metadata: entries ? { ...metadata, managedFields: entries } : metadata };
}
