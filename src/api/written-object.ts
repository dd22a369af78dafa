// The object a write encoded, taken as what decoding its stored bytes would give: the watch cache
// then skips parsing back what this server has just serialised (a pod's JSON is parsed in ~13 µs,
// the walk here takes a fraction of that). It must equal the decode exactly: same members in the
// same order, resourceVersion last in metadata, nothing JSON.stringify would drop or change. So the
// walk removes members whose value is undefined (stringify omits them) and gives up, for a decode
// instead, on anything JSON does not round-trip: functions, non-finite numbers, holes or undefined in
// arrays, class instances, a symbol. Parts already frozen came from a decode or an earlier adoption
// and are taken as they are.
import type { KubeObject } from "./resource.js";

/** A shell of `object` with metadata.resourceVersion set last, as decodeFromStorage sets it; the rest is shared. */
export function withResourceVersion(object: KubeObject, revision: number): KubeObject {
  const { resourceVersion: _stored, ...metadata } = object.metadata ?? {};
  metadata.resourceVersion = String(revision);
  return { ...object, metadata };
}

/**
 * True when `value` is as a decode would give it once its undefined members are gone (which this
 * removes); everything checked is frozen in the same walk, as the cache freezes what it keeps. On
 * false, parts already walked may be frozen: the caller decodes instead and must not mutate
 * `value` anyway.
 */
export function asDecoded(value: unknown): boolean {
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
    // A hole reads as undefined too.
    for (let i = 0; i < value.length; i++) {
      if (value[i] === undefined || !asDecoded(value[i])) return false;
    }
  } else {
    if (Object.getPrototypeOf(value) !== Object.prototype) return false;
    const record = value as Record<string, unknown>;
    for (const key in record) {
      const member = record[key];
      if (member === undefined) delete record[key];
      else if (!asDecoded(member)) return false;
    }
  }
  Object.freeze(value);
  return true;
}
