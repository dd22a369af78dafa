// List handling of a strategic merge patch: lists with patch strategy "merge" merge by their
// merge key (maps) or as sets (primitives), honouring `$patch: delete|replace` items,
// `$deleteFromPrimitiveList/<field>` and `$setElementOrder/<field>`; other lists are replaced.
// Mirrors upstream's mergeSliceHandler, mergeSlice and mergePatchIntoOriginal.
// Works on the private copies strategicMergePatch makes: it may mutate the lists it is given.
import type { Schema, SchemaRegistry } from "../schema.js";
import { isJsonObject, jsonKind, type JsonKind, type JsonObject } from "./json-value.js";
import { patchMeta, type PatchMeta } from "./patch-meta.js";
import {
  DELETE, MERGE, PATCH_DIRECTIVE, REPLACE, SET_ELEMENT_ORDER_PREFIX, cleanPatchValue, directiveTarget, hasPatchDirective,
} from "./strategic-directives.js";
import { NO_LIST_OF_LISTS, badArgType, badPatch, badPatchType, invalidPatch, noMergeKey } from "./strategic-errors.js";
import { normalizeElementOrder, partitionByPresence, validateSetElementOrder } from "./strategic-order.js";

export interface ListContext {
  registry: SchemaRegistry;
  /** Merges a patch map into an original map (the map half of the algorithm). */
  mergeMaps(original: JsonObject, patch: JsonObject, schema: Schema | undefined): JsonObject;
}

/** upstream mergeSliceHandler: merge lists merge, deletion lists delete, all others are replaced. */
export function mergeListField(original: unknown[], patch: unknown[], meta: PatchMeta, context: ListContext, isDeleteList: boolean): unknown[] {
  if (meta.strategy === MERGE || isDeleteList) return mergeList(original, patch, meta, context, isDeleteList);
  return cleanPatchValue(patch) as unknown[];
}

function mergeList(original: unknown[], patch: unknown[], meta: PatchMeta, context: ListContext, isDeleteList: boolean): unknown[] {
  if (original.length === 0 && patch.length === 0) return original;
  if (elementKind(original, patch) !== "object") {
    if (isDeleteList) return original.filter((item) => !patch.includes(item));
    const merged = [...new Set([...original, ...patch])];
    const [patchItems, serverOnly] = partitionByPresence(merged, patch, undefined);
    return normalizeElementOrder(patchItems, serverOnly, patch, original, undefined);
  }
  const mergeKey = meta.mergeKey;
  if (mergeKey === undefined) throw badPatch(`cannot merge lists without merge key for ${meta.field}`);
  const { base, items } = applySpecialItems(original as JsonObject[], patch as JsonObject[], mergeKey);
  const merged = mergeItems(base, items, mergeKey, meta.items, context);
  const [patchItems, serverOnly] = partitionByPresence(merged, items, mergeKey);
  return normalizeElementOrder(patchItems, serverOnly, items, base, mergeKey);
}

/** upstream sliceElementType: every element of both lists must have the same JSON kind, and no lists of lists. */
function elementKind(...lists: unknown[][]): JsonKind | undefined {
  let kind: JsonKind | undefined;
  for (const item of lists.flat()) {
    const current = jsonKind(item);
    if (current === "array") throw invalidPatch(NO_LIST_OF_LISTS);
    if (kind !== undefined && kind !== current) throw badPatch(`list element types are not identical: ${JSON.stringify(lists)}`);
    kind = current;
  }
  return kind;
}

/** upstream mergeSliceWithSpecialElements: `$patch: delete` items remove by key, `$patch: replace` replaces the list. */
function applySpecialItems(original: JsonObject[], patch: JsonObject[], mergeKey: string): { base: JsonObject[]; items: JsonObject[] } {
  let base = original;
  let replace = false;
  const items: JsonObject[] = [];
  for (const item of patch) {
    if (!hasPatchDirective(item)) {
      items.push(item);
      continue;
    }
    const directive = item[PATCH_DIRECTIVE];
    if (directive === DELETE) {
      if (!Object.hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey);
      base = base.filter((candidate) => candidate[mergeKey] !== item[mergeKey]);
    } else if (directive === REPLACE) replace = true;
    else if (directive === MERGE) throw badPatch("merging lists cannot yet be specified in the patch");
    else throw badPatchType(directive, item);
  }
  if (replace) return { base: items.map((item) => cleanPatchValue(item) as JsonObject), items: [] };
  return { base, items };
}

/** upstream mergeSliceWithoutSpecialElements: items with a known key merge into it, others are appended. */
function mergeItems(base: JsonObject[], items: JsonObject[], mergeKey: string, schema: Schema | undefined, context: ListContext): unknown[] {
  const merged: unknown[] = [...base];
  for (const item of items) {
    if (!Object.hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey);
    const index = merged.findIndex((candidate) => isJsonObject(candidate) && candidate[mergeKey] === item[mergeKey]);
    if (index >= 0) merged[index] = context.mergeMaps(merged[index] as JsonObject, item, schema);
    else merged.push(cleanPatchValue(item));
  }
  return merged;
}

/**
 * upstream mergePatchIntoOriginal: each `$setElementOrder/<field>` merges <field> now and orders
 * the result by the directive's list; both keys are removed from the patch.
 */
export function applySetElementOrder(original: JsonObject, patch: JsonObject, schema: Schema | undefined, context: ListContext): void {
  for (const key of Object.keys(patch)) {
    const field = directiveTarget(key, SET_ELEMENT_ORDER_PREFIX);
    if (field === undefined) continue;
    const order = patch[key];
    delete patch[key];
    if (!Array.isArray(order)) throw badArgType("[]interface {}", order);
    const ordered = orderedField(original[field], patch[field], order, patchMeta(context.registry, schema, field), context);
    if (ordered === undefined) continue;
    original[field] = ordered;
    delete patch[field];
  }
}

function orderedField(current: unknown, patched: unknown, order: unknown[], meta: PatchMeta, context: ListContext): unknown[] | undefined {
  if (current !== undefined && !Array.isArray(current)) throw badArgType("[]interface {}", current);
  if (patched !== undefined && !Array.isArray(patched)) throw badArgType("[]interface {}", patched);
  validateSetElementOrder(patched ?? [], order, meta.mergeKey);
  let merged: unknown[];
  if (current && patched) merged = mergeListField(current, patched, meta, context, false);
  else if (patched) merged = cleanPatchValue(patched) as unknown[];
  else if (current) merged = current;
  else return undefined;
  const kind = elementKind(current ?? [], patched ?? []);
  // Maps without a merge key cannot be matched against the order list: keep the merged order.
  if (kind === undefined || (kind === "object" && meta.mergeKey === undefined)) return merged;
  const mergeKey = kind === "object" ? meta.mergeKey : undefined;
  const [patchItems, serverOnly] = partitionByPresence(merged, order, mergeKey);
  return normalizeElementOrder(patchItems, serverOnly, order, current ?? [], mergeKey);
}
