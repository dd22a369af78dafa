// Label and field selectors of a LIST or WATCH request, compiled once and matched against every
// cached object (by its indexed labels and field values) or a decoded object from the Store.
import type { KubeObject, ResourceDef } from "./resource.js";
import type { CachedObject } from "./watch-cache.js";

export interface ListFilter {
  /** True when no selector was given: everything matches. */
  readonly everything: boolean;
  matches(o: CachedObject): boolean;
  matchesObject(obj: KubeObject, key: string): boolean;
}

export const EVERYTHING: ListFilter = { everything: true, matches: () => true, matchesObject: () => true };

/** The field values a kind supports in field selectors, for an object. */
export function fieldValues(def: ResourceDef, obj: KubeObject): Record<string, string | undefined> {
  const meta = obj.metadata ?? {};
  const values: Record<string, string | undefined> = { "metadata.name": meta.name, "metadata.namespace": meta.namespace ?? "" };
  const selectors = def.fieldSelectors;
  for (const field in selectors) values[field] = selectors[field]?.(obj);
  return values;
}
