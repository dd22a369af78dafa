// Removing a set of fields from an object (structured-merge-diff's TypedValue.RemoveItems): a
// member of the set removes that field, map entry or list item with everything below it; a child
// set recurses. Atomic values are never entered. Containers left empty by a removal disappear.
// Pure: returns a new value (undefined when nothing is left) and never mutates its input.
import { fieldElement } from "./field-path.js";
import type { FieldSet } from "./field-set.js";
import { concrete, isAtomic, listItemElement, type ConcreteType, type FieldType, type TypeResolver } from "./field-type.js";
import { isJsonObject } from "./json-value.js";

export function removeFields(value: unknown, toRemove: FieldSet, type: FieldType, types: TypeResolver): unknown {
  const resolved = concrete(type, value);
  if (toRemove.isEmpty() || isAtomic(resolved)) return value;
  if (resolved.kind === "list") return Array.isArray(value) && value.length > 0 ? removeItems(value, toRemove, resolved, types) : value;
  return isJsonObject(value) && Object.keys(value).length > 0 ? removeEntries(value, toRemove, resolved, types) : value;
}

function removeItems(items: unknown[], toRemove: FieldSet, list: ConcreteType, types: TypeResolver): unknown {
  const itemType = types.itemType(list);
  const out: unknown[] = [];
  for (const item of items) {
    const element = listItemElement(list, item);
    if (toRemove.hasMember(element)) continue;
    const below = toRemove.childSet(element);
    const kept = below ? removeFields(item, below, itemType, types) : item;
    if (kept !== undefined) out.push(kept);
  }
  return out.length > 0 ? out : undefined;
}

function removeEntries(entries: Record<string, unknown>, toRemove: FieldSet, parent: ConcreteType, types: TypeResolver): unknown {
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(entries)) {
    const element = fieldElement(key);
    if (toRemove.hasMember(element)) continue;
    const below = toRemove.childSet(element);
    const kept = below ? removeFields(child, below, types.fieldType(parent, key), types) : child;
    if (kept !== undefined) out[key] = kept;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}
