// The errors a strategic merge patch can fail with, worded as upstream's mergepatch/strategicpatch
// packages word them, with the HTTP codes upstream's apiserver gives them
// (interpretStrategicMergePatchError): malformed directives are 400, lists of lists and retainKeys
// mismatches 422. Upstream answers other patch-content errors (a missing merge key, an unknown
// `$patch`) with a 500; kubelite answers 400, since the request is at fault.
import { StatusError, badRequest } from "../errors.js";

export const badPatch = (message: string): StatusError => badRequest(message);

export const invalidPatch = (message: string): StatusError => new StatusError(422, "Invalid", message);

export const badPatchType = (directive: unknown, map: unknown): StatusError =>
  badPatch(`unknown patch type: ${String(directive)} in map: ${JSON.stringify(map)}`);

export const noMergeKey = (map: unknown, key: string): StatusError =>
  badPatch(`map: ${JSON.stringify(map)} does not contain declared merge key: ${key}`);

export const badArgType = (expected: string, actual: unknown): StatusError =>
  badPatch(`expected a ${expected}, but received a ${describeKind(actual)}`);

export const BAD_PRIMITIVE_LIST = "invalid patch format of primitive list";
export const BAD_RETAIN_KEYS = "invalid patch format of retainKeys";
export const BAD_SET_ELEMENT_ORDER = "invalid patch format of setElementOrder list";
export const NO_LIST_OF_LISTS = "lists of lists are not supported";

function describeKind(value: unknown): string {
  if (value === null || value === undefined) return "nil";
  if (Array.isArray(value)) return "[]interface {}";
  if (typeof value === "object") return "map[string]interface {}";
  if (typeof value === "number") return "float64";
  if (typeof value === "boolean") return "bool";
  return "string";
}
