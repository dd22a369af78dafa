// Server-side apply (PATCH application/apply-patch+yaml, `kubectl apply --server-side`), as
// upstream's fieldmanager and structured-merge-diff's Updater.Apply do it: the applied
// configuration is merged into the live object (a missing object is created from it); the fields
// this manager applied before but no longer applies are removed unless another manager owns them
// too; the manager then owns exactly the fields of its configuration (an "Apply" entry). Fields
// the apply changes that other managers own are conflicts: a 409 listing them, unless `force`,
// which takes them over. Applying a value equal to the live one is no conflict: ownership is
// shared. An object no one tracked is first attributed to "before-first-apply". For the manager
// "kubectl", conflicts on fields set by the last client-side apply are taken over (last-applied.ts).
// Guarantees: inputs are never mutated; the result is a new object. The caller still applies
// defaults, resets server-managed metadata and status, validates and stores the result.
import { badRequest, internalError } from "../errors.js";
import { rfc3339 } from "../meta-time.js";
import type { KubeObject } from "../resource.js";
import type { Schema, SchemaRegistry } from "../schema.js";
import { conflictError, findConflicts, type Conflict } from "./apply-conflicts.js";
import { mergeApplied } from "./apply-merge.js";
import { changedFields, compareFields } from "./compare-fields.js";
import { emptyObjectLike } from "./empty-object.js";
import type { FieldSet } from "./field-set.js";
import { TypeResolver, type FieldType } from "./field-type.js";
import { fieldsOf } from "./fields-of.js";
import { isJsonObject, jsonEqual } from "./json-value.js";
import { MIGRATING_MANAGER, fieldsFromLastApplied, updateLastApplied } from "./last-applied.js";
import {
  SERVER_MANAGED_FIELDS, ignoredFieldSet, ignoring, recordUpdate, withManagedFields, withoutManagedFields,
} from "./managed-fields.js";
import { decodeManagedFields, encodeManagedFields, managerKey, type ManagerInfo, type Managers } from "./managers.js";
import { prune } from "./prune.js";

export interface ApplyOptions {
  /** The stored object, or undefined when the apply creates it. */
  live: KubeObject | undefined;
  /** The applied configuration (the request body). */
  applied: KubeObject;
  manager: string;
  force: boolean;
  /** The apiVersion of the endpoint, e.g. "apps/v1"; the configuration must use it. */
  apiVersion: string;
  subresource?: string;
  schema: Schema | undefined;
  registry: SchemaRegistry;
  now: Date;
  /** Fields this endpoint does not track (upstream's resetFields), e.g. [["status"]]; see managed-fields.ts. */
  ignoredFields?: ReadonlyArray<readonly string[]>;
}

export interface ApplyResult {
  /** The object to store, with its managedFields. */
  object: KubeObject;
  /** Whether anything but managedFields differs from the live object. */
  changed: boolean;
}

/** The manager upstream attributes an untracked object's fields to before its first apply. */
export const BEFORE_FIRST_APPLY = "before-first-apply";

interface Context {
  options: ApplyOptions;
  types: TypeResolver;
  type: FieldType;
  info: ManagerInfo;
  key: string;
  live: KubeObject;
  ignored: FieldSet;
}

export function serverSideApply(options: ApplyOptions): ApplyResult {
  checkConfiguration(options);
  const types = new TypeResolver(options.registry);
  const info: ManagerInfo = { manager: options.manager || "unknown", operation: "Apply", apiVersion: options.apiVersion };
  if (options.subresource) info.subresource = options.subresource;
  const context: Context = {
    options, types, type: types.typeOf(options.schema), info, key: managerKey(info),
    live: options.live ? withoutManagedFields(options.live) : {},
    ignored: ignoredFieldSet(options.ignoredFields),
  };
  const managers = liveManagers(context);
  let outcome = applyOnce(context, managers, options.force);
  if ("conflicts" in outcome && options.manager === MIGRATING_MANAGER) outcome = migrateClientSideApply(context, managers, outcome.conflicts);
  if ("conflicts" in outcome) throw conflictError(outcome.conflicts);
  const object = updateLastAppliedFor(context, outcome.object);
  const changed = !jsonEqual(object, context.live);
  const stamped = stampTime(outcome.managers, managers, context, changed);
  return { object: withManagedFields(object, encodeManagedFields(stamped)), changed };
}

function checkConfiguration({ applied, apiVersion, live, schema }: ApplyOptions): void {
  if (!isJsonObject(applied)) throw badRequest("the applied configuration must be a JSON or YAML object");
  const kind = live?.kind ?? schema?.["x-kubernetes-group-version-kind"]?.[0]?.kind ?? applied.kind;
  if (applied.apiVersion !== apiVersion || applied.kind !== kind) {
    const version = String(applied.apiVersion ?? "");
    throw badRequest(`invalid object type: ${version.includes("/") ? version : `/${version}`}, Kind=${String(applied.kind ?? "")}`);
  }
  if (applied.metadata?.managedFields !== undefined && applied.metadata.managedFields !== null) throw badRequest("metadata.managedFields must be nil");
}

/** The live managers; an existing object nobody tracks is first attributed to "before-first-apply". */
function liveManagers(context: Context): Managers {
  let managers: Managers;
  try {
    managers = decodeManagedFields(context.options.live?.metadata?.managedFields, true);
  } catch (error) {
    throw internalError(`failed to decode managed fields: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (managers.size > 0 || !context.options.live) return managers;
  const { schema, registry, apiVersion, now } = context.options;
  return recordUpdate(managers, {
    live: emptyObjectLike(schema, registry), updated: context.live,
    info: { manager: BEFORE_FIRST_APPLY, operation: "Update", apiVersion }, type: context.type, types: context.types, now,
    ignored: context.ignored,
  });
}

type Outcome = { object: KubeObject; managers: Managers } | { conflicts: Conflict[] };

/** One attempt: merge, prune, then compute ownership (or conflicts when not forced). */
function applyOnce(context: Context, managers: Managers, force: boolean): Outcome {
  const { types, type, key, info, live } = context;
  const config = context.options.applied;
  const applied = fieldsOf(config, type, types).recursiveDifference(context.ignored);
  const merged = (mergeApplied(live, config, type, types) ?? {}) as KubeObject;
  let owned = applied;
  for (const [otherKey, managed] of managers) if (otherKey !== key) owned = owned.union(managed.set);
  const object = prune(merged, managers.get(key)?.set, owned, type, types) as KubeObject;
  const comparison = ignoring(compareFields(live, object, type, types), context.ignored);
  const changed = changedFields(comparison);
  const conflicts = findConflicts(managers, key, changed);
  if (!force && conflicts.length > 0) return { conflicts };
  const next: Managers = new Map();
  for (const [otherKey, managed] of managers) {
    if (otherKey === key) continue;
    const set = managed.set.difference(changed).difference(comparison.removed);
    if (!set.isEmpty()) next.set(otherKey, { ...managed, set });
  }
  const own = applied.difference(SERVER_MANAGED_FIELDS);
  const time = managers.get(key)?.time;
  if (!own.isEmpty()) next.set(key, time ? { ...info, set: own, time } : { ...info, set: own });
  return { object, managers: next };
}

/** upstream lastAppliedManager: conflicts all explained by the last client-side apply are forced. */
function migrateClientSideApply(context: Context, managers: Managers, conflicts: Conflict[]): Outcome {
  const allowed = fieldsFromLastApplied(context.options.live, context.options.apiVersion, context.type, context.types);
  if (!allowed) return { conflicts };
  const remaining = conflicts.filter((conflict) => !allowed.has(conflict.path));
  return remaining.length === 0 ? applyOnce(context, managers, true) : { conflicts: remaining };
}

function updateLastAppliedFor(context: Context, object: KubeObject): KubeObject {
  return context.options.manager === MIGRATING_MANAGER ? updateLastApplied(object, context.options.applied) : object;
}

/**
 * upstream stamps the applier's entry when the object changed; kubelite also stamps an entry that
 * is new or whose fields changed, so that every entry carries a time.
 */
function stampTime(next: Managers, before: Managers, context: Context, changed: boolean): Managers {
  const entry = next.get(context.key);
  if (!entry) return next;
  const previous = before.get(context.key);
  const moved = !previous || !previous.set.equals(entry.set);
  if (!changed && !moved && entry.time) return next;
  const stamped = new Map(next);
  stamped.set(context.key, { ...entry, time: rfc3339(context.options.now) });
  return stamped;
}
