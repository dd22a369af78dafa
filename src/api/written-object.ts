// The object a write encoded, taken as what decoding its stored bytes would give: the watch cache
// then skips parsing back what this server has just serialised (a pod's JSON is parsed in ~13 µs,
// the walk here takes a fraction of that). It must equal the decode exactly: same members in the
// same order, resourceVersion last in metadata, nothing JSON.stringify would drop or change. So the
// walk removes members whose value is undefined (stringify omits them) and gives up, for a decode
// instead, on anything JSON does not round-trip: functions, non-finite numbers, holes or undefined in
// arrays, class instances, a symbol. Parts already frozen came from a decode or an earlier adoption
// and are taken as they are.
import type { KubeObject } from "./resource.js";

/** `object` (not changed afterwards by anyone) with metadata.resourceVersion set, or undefined if it does not round-trip. */
export function adoptWritten(object: KubeObject, revision: number): KubeObject | undefined {
  if (!isPlainJson(object)) return undefined;
  const { resourceVersion: _stored, ...metadata } = object.metadata ?? {};
  metadata.resourceVersion = String(revision);
  return { ...object, metadata };
}

/** True when `value` round-trips through JSON unchanged once its undefined members are gone (which this removes). */
function isPlainJson(value: unknown): boolean {
  switch (typeof value) {
    case "string":
    case "boolean":
      return true;
    case "number":
      return Number.isFinite(value);
    case "object":
      break;
    default:
      return false;
  }
  if (value === null || Object.isFrozen(value)) return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      if (!(i in value) || value[i] === undefined || !isPlainJson(value[i])) return false;
    }
    return true;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) return false;
  const record = value as Record<string, unknown>;
  for (const key in record) {
    const member = record[key];
    if (member === undefined) delete record[key];
    else if (!isPlainJson(member)) return false;
  }
  return true;
}
