// Which fields differ between two versions of an object (structured-merge-diff's
// TypedValue.Compare): leaves (scalars, atomic lists/maps, containers empty on both sides) are
// added, removed or modified; a container that appears or disappears is itself added or removed
// (that is where fieldsV1 gets its `".": {}` entries), and its fields below are listed too.
// An Update's manager gains `added ∪ modified`; other managers lose whatever changed.
// Pure: the values are only read; `undefined` means "absent", `null` is a present value.
import { fieldElement, serializeElement, type FieldPath, type PathElement } from "./field-path.js";
import { FieldSet } from "./field-set.js";
import { concrete, isAtomic, listItemElement, type ConcreteType, type FieldType, type TypeResolver } from "./field-type.js";
import { isJsonObject, jsonEqual, jsonKind } from "./json-value.js";

export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

export function compareFields(lhs: unknown, rhs: unknown, type: FieldType, types: TypeResolver): Comparison {
  const comparison: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  compareNode(lhs, rhs, type, [], comparison, types);
  return comparison;
}

/** Fields that are new or have a new value: what a writer is taken to have set. */
export function changedFields(comparison: Comparison): FieldSet {
  return comparison.added.union(comparison.modified);
}

function compareNode(lhs: unknown, rhs: unknown, type: FieldType, path: FieldPath, out: Comparison, types: TypeResolver): void {
  const resolved = concrete(type, rhs !== undefined ? rhs : lhs);
  if (isLeaf(lhs, rhs, resolved)) {
    compareLeaf(lhs, rhs, path, out);
    return;
  }
  if (resolved.kind === "list") compareItems(asList(lhs), asList(rhs), resolved, path, out, types);
  else compareEntries(asMap(lhs), asMap(rhs), resolved, path, out, types);
  if (lhs === undefined) out.added.insert(path);
  else if (rhs === undefined) out.removed.insert(path);
}

/** Atomic types, containers that are empty (or absent) on both sides, and values of different shapes. */
function isLeaf(lhs: unknown, rhs: unknown, type: ConcreteType): boolean {
  if (isAtomic(type)) return true;
  if (isEmpty(lhs) && isEmpty(rhs)) return true;
  const shape = type.kind === "list" ? "array" : "object";
  return [lhs, rhs].some((value) => value !== undefined && value !== null && jsonKind(value) !== shape);
}

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (Array.isArray(value)) return value.length === 0;
  return isJsonObject(value) && Object.keys(value).length === 0;
}

function compareLeaf(lhs: unknown, rhs: unknown, path: FieldPath, out: Comparison): void {
  if (lhs === undefined) out.added.insert(path);
  else if (rhs === undefined) out.removed.insert(path);
  else if (!jsonEqual(lhs, rhs)) out.modified.insert(path);
}

const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const asMap = (value: unknown): Record<string, unknown> => (isJsonObject(value) ? value : {});

function compareEntries(lhs: Record<string, unknown>, rhs: Record<string, unknown>, parent: ConcreteType, path: FieldPath, out: Comparison, types: TypeResolver): void {
  const keys = new Set([...Object.keys(lhs), ...Object.keys(rhs)]);
  for (const key of keys) {
    const left = Object.hasOwn(lhs, key) ? lhs[key] : undefined;
    const right = Object.hasOwn(rhs, key) ? rhs[key] : undefined;
    compareNode(left, right, types.fieldType(parent, key), [...path, fieldElement(key)], out, types);
  }
}

interface ItemGroup {
  element: PathElement;
  lhs: unknown[];
  rhs: unknown[];
}

/** List items are matched by their path element (key fields or value), not by position. */
function compareItems(lhs: unknown[], rhs: unknown[], list: ConcreteType, path: FieldPath, out: Comparison, types: TypeResolver): void {
  const groups = new Map<string, ItemGroup>();
  const group = (element: PathElement) => {
    const id = serializeElement(element);
    const existing = groups.get(id) ?? { element, lhs: [], rhs: [] };
    groups.set(id, existing);
    return existing;
  };
  for (const item of lhs) group(listItemElement(list, item)).lhs.push(item);
  for (const item of rhs) group(listItemElement(list, item)).rhs.push(item);
  const itemType = types.itemType(list);
  for (const { element, lhs: left, rhs: right } of groups.values()) {
    compareGroup(left, right, itemType, [...path, element], out, types);
  }
}

/** upstream's handling of duplicated items: compared as a whole, owned as a whole. */
function compareGroup(lhs: unknown[], rhs: unknown[], itemType: FieldType, path: FieldPath, out: Comparison, types: TypeResolver): void {
  if (lhs.length <= 1 && rhs.length <= 1) return compareNode(lhs[0], rhs[0], itemType, path, out, types);
  if (lhs.length >= 2 && rhs.length >= 2) {
    if (!jsonEqual(lhs, rhs)) out.modified.insert(path);
  } else if (lhs.length >= 2) {
    if (rhs.length !== 0) compareNode(undefined, rhs[0], itemType, path, out, types);
    out.removed.insert(path);
  } else {
    if (lhs.length !== 0) compareNode(lhs[0], undefined, itemType, path, out, types);
    out.added.insert(path);
  }
}
