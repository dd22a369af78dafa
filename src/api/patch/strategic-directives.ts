// The directives of a strategic merge patch ($patch, $retainKeys, $setElementOrder/<field>,
// $deleteFromPrimitiveList/<field>) and how a patch value is cleaned of them before it becomes
// part of the object. Upstream leaves stray directives and nulls in the patched map and lets the
// typed decoding drop them; kubelite has no typed decoding, so it drops them here.
// Guarantee: cleanPatchValue never mutates its argument.
import { isJsonObject, type JsonObject } from "./json-value.js";
import { BAD_PRIMITIVE_LIST, BAD_SET_ELEMENT_ORDER, badPatch } from "./strategic-errors.js";

export const PATCH_DIRECTIVE = "$patch";
export const RETAIN_KEYS_DIRECTIVE = "$retainKeys";
export const SET_ELEMENT_ORDER_PREFIX = "$setElementOrder";
export const DELETE_FROM_PRIMITIVE_LIST_PREFIX = "$deleteFromPrimitiveList";

export const REPLACE = "replace";
export const DELETE = "delete";
export const MERGE = "merge";

/** The field a parallel-list directive key names: "$setElementOrder/containers" → "containers". */
export function directiveTarget(key: string, prefix: string): string | undefined {
  if (!key.startsWith(`${prefix}/`)) {
    if (key.startsWith(prefix)) throw badPatch(prefix === SET_ELEMENT_ORDER_PREFIX ? BAD_SET_ELEMENT_ORDER : BAD_PRIMITIVE_LIST);
    return undefined;
  }
  return key.slice(prefix.length + 1);
}

export function hasPatchDirective(value: unknown): value is JsonObject {
  return isJsonObject(value) && Object.hasOwn(value, PATCH_DIRECTIVE);
}

/** Whether a key is one of the directive keys that never become fields. */
function isDirectiveKey(key: string): boolean {
  return key === PATCH_DIRECTIVE || key === RETAIN_KEYS_DIRECTIVE ||
    key.startsWith(`${SET_ELEMENT_ORDER_PREFIX}/`) || key.startsWith(`${DELETE_FROM_PRIMITIVE_LIST_PREFIX}/`);
}

/**
 * A patch value as it lands in the object where there was nothing to merge with: null fields
 * dropped (upstream's discardNullValuesFromPatch) and maps carrying `$patch` removed (upstream's
 * removeDirectives). Returns undefined when the value itself is such a directive map.
 */
export function cleanPatchValue(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(cleanPatchValue).filter((item) => item !== undefined);
  }
  if (!isJsonObject(value)) return value;
  if (hasPatchDirective(value)) return undefined;
  const out: JsonObject = {};
  for (const [key, child] of Object.entries(value)) {
    if (child === null || isDirectiveKey(key)) continue;
    const cleaned = cleanPatchValue(child);
    if (cleaned !== undefined) out[key] = cleaned;
  }
  return out;
}
