// The set of fields an object specifies (structured-merge-diff's TypedValue.ToFieldSet): what an
// applier owns after an apply. Rules, as upstream: scalars and atomic lists/maps are leaves; list
// items (list-map entries, set values) are members themselves and their fields below them; map
// entries that are not declared struct fields are members; a declared struct field is a member
// only when it is null or an empty object (otherwise its own fields say what is owned).
// Pure: the value is only read.
import { fieldElement, serializeElement, type FieldPath, type PathElement } from "./field-path.js";
import { FieldSet } from "./field-set.js";
import { concrete, isAtomic, listItemElement, type ConcreteType, type FieldType, type TypeResolver } from "./field-type.js";
import { isJsonObject } from "./json-value.js";

export function fieldsOf(value: unknown, type: FieldType, types: TypeResolver): FieldSet {
  const set = new FieldSet();
  walk(value, type, [], set, types);
  return set;
}

function walk(value: unknown, type: FieldType, path: FieldPath, set: FieldSet, types: TypeResolver): void {
  const resolved = concrete(type, value);
  if (isAtomic(resolved)) {
    set.insert(path);
    return;
  }
  if (resolved.kind === "list" && Array.isArray(value)) walkItems(value, resolved, path, set, types);
  if ((resolved.kind === "struct" || resolved.kind === "map") && isJsonObject(value)) walkEntries(value, resolved, path, set, types);
}

function walkItems(items: unknown[], list: ConcreteType, path: FieldPath, set: FieldSet, types: TypeResolver): void {
  const itemType = types.itemType(list);
  const elements = items.map((item) => listItemElement(list, item));
  const counts = new Map<string, number>();
  for (const element of elements) counts.set(serializeElement(element), (counts.get(serializeElement(element)) ?? 0) + 1);
  items.forEach((item, i) => {
    const itemPath = [...path, elements[i] as PathElement];
    // A duplicated item is owned as a whole: upstream does not descend into duplicates.
    if (counts.get(serializeElement(elements[i] as PathElement)) === 1) walk(item, itemType, itemPath, set, types);
    set.insert(itemPath);
  });
}

function walkEntries(entries: Record<string, unknown>, parent: ConcreteType, path: FieldPath, set: FieldSet, types: TypeResolver): void {
  for (const [key, child] of Object.entries(entries)) {
    const childPath = [...path, fieldElement(key)];
    walk(child, types.fieldType(parent, key), childPath, set, types);
    const empty = child === null || (isJsonObject(child) && Object.keys(child).length === 0);
    if (empty || !types.isNamedField(parent, key)) set.insert(childPath);
  }
}
