// RFC 7386 JSON Merge Patch (application/merge-patch+json): objects merge key by key, `null`
// deletes a key, anything else (arrays included) replaces the target wholesale.
// Guarantees: inputs are never mutated and the result shares no structure with them; nulls
// inside newly added objects are dropped, as the RFC's MergePatch pseudo-code does.
import { badRequest } from "../errors.js";
import { isJsonObject, jsonClone, type JsonObject } from "./json-value.js";

/** The RFC 7386 MergePatch(target, patch) function. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isJsonObject(patch)) return jsonClone(patch);
  const result: JsonObject = isJsonObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return copyUntouched(result, patch);
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
 * apiserver requires ("Invalid JSON Patch" otherwise), and the result is an object.
 */
export function applyMergePatch(object: JsonObject, patch: unknown): JsonObject {
  if (!isJsonObject(patch)) throw badRequest("Invalid JSON Patch: a merge patch must be a JSON object");
  return mergePatch(object, patch) as JsonObject;
}
