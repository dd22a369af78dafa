// RFC 7386 JSON Merge Patch (application/merge-patch+json): objects merge key by key, `null`
// deletes a key, anything else (arrays included) replaces the target wholesale.
// Guarantees: inputs are never mutated and the result shares no structure with them (unless asked
// to, see applyMergePatch); nulls inside newly added objects are dropped, as the RFC's MergePatch
// pseudo-code does.
import { badRequest } from "../errors.js";
import { isJsonObject, jsonClone, type JsonObject } from "./json-value.js";

/** The RFC 7386 MergePatch(target, patch) function. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isJsonObject(patch)) return jsonClone(patch);
  return copyUntouched(mergeMembers(target, patch), patch);
}

/** A shallow copy of the target object with the patch's members merged in (the untouched ones still alias it). */
function mergeMembers(target: unknown, patch: JsonObject): JsonObject {
  const result: JsonObject = isJsonObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

/** Keys the patch did not mention still alias the target: copy them so callers may mutate the result. */
function copyUntouched(result: JsonObject, patch: JsonObject): JsonObject {
  for (const key of Object.keys(result)) {
    if (!Object.hasOwn(patch, key)) result[key] = jsonClone(result[key]);
  }
  return result;
}

/**
 * A merge patch applied to a Kubernetes object: the patch must be a JSON object, as upstream's
 * apiserver requires ("Invalid JSON Patch" otherwise), and the result is an object. With
 * `shareUntouched`, top-level fields the patch does not mention stay the object's own (metadata as
 * a shallow copy, whose own fields the write path sets): for an object that is never mutated, such
 * as the watch cache's, a status patch then copies no spec, and later stages see by identity that
 * it is unchanged.
 */
export function applyMergePatch(object: JsonObject, patch: unknown, options: { shareUntouched?: boolean } = {}): JsonObject {
  if (!isJsonObject(patch)) throw badRequest("Invalid JSON Patch: a merge patch must be a JSON object");
  if (!options.shareUntouched) return mergePatch(object, patch) as JsonObject;
  const result = mergeMembers(object, patch);
  if (!Object.hasOwn(patch, "metadata") && isJsonObject(result["metadata"])) result["metadata"] = { ...result["metadata"] };
  return result;
}
