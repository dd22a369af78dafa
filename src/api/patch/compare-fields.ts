// Which fields differ between two versions of an object (structured-merge-diff's
// TypedValue.Compare): leaves (scalars, atomic lists/maps, containers empty on both sides) are
// added, removed or modified; a container that appears or disappears is itself added or removed
// (that is where fieldsV1 gets its `".": {}` entries), and its fields below are listed too.
// An Update's manager gains `added ∪ modified`; other managers lose whatever changed.
// Pure: the values are only read; `undefined` means "absent", `null` is a present value.
import { fieldElement, fieldId, serializeElement, type PathElement } from "./field-path.js";
import { FieldSet } from "./field-set.js";
import { concrete, isAtomic, listItemElement, type ConcreteType, type FieldType, type TypeResolver } from "./field-type.js";
import { isJsonObject, jsonEqual, jsonKind } from "./json-value.js";

export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

export function compareFields(lhs: unknown, rhs: unknown, type: FieldType, types: TypeResolver): Comparison {
  const walk = new Walk(types);
  walk.compareNode(lhs, rhs, type);
  return walk.out;
}

/** Fields that are new or have a new value: what a writer is taken to have set. */
export function changedFields(comparison: Comparison): FieldSet {
  return comparison.added.union(comparison.modified);
}

/**
 * One comparison's walk. The current path is a stack of elements and their serialised forms,
 * pushed and popped as the walk descends, so visiting a node allocates no path.
 */
class Walk {
  readonly out: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  private readonly elements: PathElement[] = [];
  private readonly ids: string[] = [];

  constructor(private readonly types: TypeResolver) {}

  compareNode(lhs: unknown, rhs: unknown, type: FieldType): void {
    const resolved = concrete(type, rhs !== undefined ? rhs : lhs);
    if (isLeaf(lhs, rhs, resolved)) {
      this.compareLeaf(lhs, rhs);
      return;
    }
    if (resolved.kind === "list") this.compareItems(asList(lhs), asList(rhs), resolved);
    else this.compareEntries(asMap(lhs), asMap(rhs), resolved);
    if (lhs === undefined) this.record(this.out.added);
    else if (rhs === undefined) this.record(this.out.removed);
  }

  private compareLeaf(lhs: unknown, rhs: unknown): void {
    // A property whose value is undefined is absent (JSON leaves it out): nothing to compare.
    if (lhs === undefined && rhs === undefined) return;
    if (lhs === undefined) this.record(this.out.added);
    else if (rhs === undefined) this.record(this.out.removed);
    else if (!jsonEqual(lhs, rhs)) this.record(this.out.modified);
  }

  private compareEntries(lhs: Record<string, unknown>, rhs: Record<string, unknown>, parent: ConcreteType): void {
    for (const key in lhs) this.compareEntry(lhs, rhs, parent, key);
    for (const key in rhs) if (!Object.hasOwn(lhs, key)) this.compareEntry(lhs, rhs, parent, key);
  }

  private compareEntry(lhs: Record<string, unknown>, rhs: Record<string, unknown>, parent: ConcreteType, key: string): void {
    const left = Object.hasOwn(lhs, key) ? lhs[key] : undefined;
    const right = Object.hasOwn(rhs, key) ? rhs[key] : undefined;
    // Equal values differ in no field. Checked at the top level, where a write leaves whole parts
    // alone (a status write, the spec; a spec write, the status): a plain equality test is cheaper
    // than the typed walk, and stops at the first difference.
    if (this.elements.length === 0 && left !== undefined && jsonEqual(left, right)) return;
    this.push(fieldElement(key), fieldId(key));
    this.compareNode(left, right, this.types.fieldType(parent, key));
    this.pop();
  }

  /** List items are matched by their path element (key fields or value), not by position. */
  private compareItems(lhs: unknown[], rhs: unknown[], list: ConcreteType): void {
    const groups = new Map<string, ItemGroup>();
    const group = (element: PathElement) => {
      const id = serializeElement(element);
      let existing = groups.get(id);
      if (!existing) groups.set(id, (existing = { element, lhs: [], rhs: [] }));
      return existing;
    };
    for (const item of lhs) group(listItemElement(list, item)).lhs.push(item);
    for (const item of rhs) group(listItemElement(list, item)).rhs.push(item);
    const itemType = this.types.itemType(list);
    for (const [id, { element, lhs: left, rhs: right }] of groups) {
      this.push(element, id);
      this.compareGroup(left, right, itemType);
      this.pop();
    }
  }

  /** upstream's handling of duplicated items: compared as a whole, owned as a whole. */
  private compareGroup(lhs: unknown[], rhs: unknown[], itemType: FieldType): void {
    if (lhs.length <= 1 && rhs.length <= 1) return this.compareNode(lhs[0], rhs[0], itemType);
    if (lhs.length >= 2 && rhs.length >= 2) {
      if (!jsonEqual(lhs, rhs)) this.record(this.out.modified);
    } else if (lhs.length >= 2) {
      if (rhs.length !== 0) this.compareNode(undefined, rhs[0], itemType);
      this.record(this.out.removed);
    } else {
      if (lhs.length !== 0) this.compareNode(lhs[0], undefined, itemType);
      this.record(this.out.added);
    }
  }

  private push(element: PathElement, id: string): void {
    this.elements.push(element);
    this.ids.push(id);
  }

  private pop(): void {
    this.elements.pop();
    this.ids.pop();
  }

  private record(set: FieldSet): void {
    set.insertSerialized(this.elements, this.ids);
  }
}

/** Atomic types, containers that are empty (or absent) on both sides, and values of different shapes. */
export function isLeaf(lhs: unknown, rhs: unknown, type: ConcreteType): boolean {
  if (isAtomic(type)) return true;
  if (isEmpty(lhs) && isEmpty(rhs)) return true;
  const shape = type.kind === "list" ? "array" : "object";
  return (lhs !== undefined && lhs !== null && jsonKind(lhs) !== shape) || (rhs !== undefined && rhs !== null && jsonKind(rhs) !== shape);
}

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (Array.isArray(value)) return value.length === 0;
  if (!isJsonObject(value)) return false;
  for (const _ in value) return false;
  return true;
}

const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const asMap = (value: unknown): Record<string, unknown> => (isJsonObject(value) ? value : {});

interface ItemGroup {
  element: PathElement;
  lhs: unknown[];
  rhs: unknown[];
}
