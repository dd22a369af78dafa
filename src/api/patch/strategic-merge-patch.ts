// Strategic merge patch (application/strategic-merge-patch+json), upstream's
// StrategicMergeMapPatch: maps merge recursively; lists with x-kubernetes-patch-strategy "merge"
// merge by x-kubernetes-patch-merge-key (or as sets of primitives); other lists and "replace"
// fields are replaced; `null` deletes; the directives `$patch: replace|delete` (maps and list
// items), `$retainKeys`, `$setElementOrder/<field>` and `$deleteFromPrimitiveList/<field>` are
// honoured. This is what `kubectl apply` (client-side, 3-way), `kubectl patch` and `kubectl edit`
// send. Without a schema (custom resources, unknown fields) there is no strategy: maps merge and
// lists are replaced, i.e. JSON merge patch semantics (upstream refuses SMP for custom resources).
// Guarantees: inputs are never mutated (the work is done on private copies); the result carries no
// directive keys and no nulls that came from the patch.
import type { Schema, SchemaRegistry } from "../schema.js";
import { isJsonObject, jsonClone, jsonKind, type JsonObject } from "./json-value.js";
import { patchMeta } from "./patch-meta.js";
import {
  DELETE, DELETE_FROM_PRIMITIVE_LIST_PREFIX, PATCH_DIRECTIVE, REPLACE, RETAIN_KEYS_DIRECTIVE, SET_ELEMENT_ORDER_PREFIX,
  cleanPatchValue, directiveTarget,
} from "./strategic-directives.js";
import { BAD_RETAIN_KEYS, badPatch, badPatchType } from "./strategic-errors.js";
import { applySetElementOrder, mergeListField, type ListContext } from "./strategic-list.js";

/** Applies a strategic merge patch to an object; `schema` is the object's kind schema, if known. */
export function strategicMergePatch(original: JsonObject, patch: unknown, schema: Schema | undefined, registry: SchemaRegistry): JsonObject {
  if (!isJsonObject(patch)) throw badPatch("invalid JSON document: a strategic merge patch must be a JSON object");
  const context: ListContext = {
    registry,
    mergeMaps: (target, mapPatch, mapSchema) => mergeMaps(target, mapPatch, mapSchema, context),
  };
  return mergeMaps(jsonClone(original), jsonClone(patch), schema, context);
}

/** upstream mergeMap, on private copies: `target` is updated in place and returned. */
function mergeMaps(target: JsonObject, patch: JsonObject, schema: Schema | undefined, context: ListContext): JsonObject {
  if (Object.hasOwn(patch, PATCH_DIRECTIVE)) return mapDirective(patch);
  applyRetainKeys(target, patch);
  applySetElementOrder(target, patch, schema, context);
  for (const [key, value] of Object.entries(patch)) mergeField(target, key, value, schema, context);
  return target;
}

/** `$patch` in a map: "replace" keeps only the patch's content, "delete" empties the map. */
function mapDirective(patch: JsonObject): JsonObject {
  const directive = patch[PATCH_DIRECTIVE];
  if (directive === REPLACE) {
    const { [PATCH_DIRECTIVE]: _, ...rest } = patch;
    return cleanPatchValue(rest) as JsonObject;
  }
  if (directive === DELETE) return {};
  throw badPatchType(directive, patch);
}

/**
 * upstream applyRetainKeysDirective: every key the patch sets must be listed, and keys of the
 * original that are not listed are cleared (how a union such as Deployment.spec.strategy switches
 * members).
 */
function applyRetainKeys(target: JsonObject, patch: JsonObject): void {
  if (!Object.hasOwn(patch, RETAIN_KEYS_DIRECTIVE)) return;
  const retained = patch[RETAIN_KEYS_DIRECTIVE];
  delete patch[RETAIN_KEYS_DIRECTIVE];
  if (!Array.isArray(retained)) throw badPatch(BAD_RETAIN_KEYS);
  for (const [key, value] of Object.entries(patch)) {
    if (value === null || isParallelListKey(key)) continue;
    if (!retained.includes(key)) throw badPatch(BAD_RETAIN_KEYS);
  }
  for (const key of Object.keys(target)) {
    if (!retained.includes(key)) delete target[key];
  }
}

function isParallelListKey(key: string): boolean {
  return key.startsWith(DELETE_FROM_PRIMITIVE_LIST_PREFIX) || key.startsWith(SET_ELEMENT_ORDER_PREFIX);
}

function mergeField(target: JsonObject, key: string, value: unknown, schema: Schema | undefined, context: ListContext): void {
  const deleteFrom = directiveTarget(key, DELETE_FROM_PRIMITIVE_LIST_PREFIX);
  if (deleteFrom !== undefined) return deleteFromPrimitiveList(target, deleteFrom, value, schema, context);
  if (value === null) {
    delete target[key];
    return;
  }
  const current = target[key];
  if (!Object.hasOwn(target, key) || jsonKind(current) !== jsonKind(value)) return setCleaned(target, key, value);
  if (isJsonObject(current) && isJsonObject(value)) return mergeMapField(target, key, value, schema, context);
  if (Array.isArray(current) && Array.isArray(value)) {
    target[key] = mergeListField(current, value, patchMeta(context.registry, schema, key), context, false);
    return;
  }
  target[key] = value;
}

/** A value with nothing to merge into is taken as it is, less nulls and directives. */
function setCleaned(target: JsonObject, key: string, value: unknown): void {
  const cleaned = cleanPatchValue(value);
  if (cleaned === undefined) delete target[key];
  else target[key] = cleaned;
}

function mergeMapField(target: JsonObject, key: string, value: JsonObject, schema: Schema | undefined, context: ListContext): void {
  const meta = patchMeta(context.registry, schema, key);
  if (meta.strategy === REPLACE) return setCleaned(target, key, value);
  target[key] = mergeMaps(target[key] as JsonObject, value, meta.schema, context);
}

/** `$deleteFromPrimitiveList/<field>: [values]` removes those values from the primitive list <field>. */
function deleteFromPrimitiveList(target: JsonObject, field: string, value: unknown, schema: Schema | undefined, context: ListContext): void {
  const current = target[field];
  // upstream: a null parallel list deletes the field itself.
  if (value === null) delete target[field];
  else if (Array.isArray(current) && Array.isArray(value)) {
    target[field] = mergeListField(current, value, patchMeta(context.registry, schema, field), context, true);
  }
}
