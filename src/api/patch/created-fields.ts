// The fieldsV1 a create gives its writer, built in one walk of the new object: the same set that
// comparing the object against the empty object of its kind yields (compare-fields.ts, with
// empty-object.ts's skeleton) minus the server-managed fields, written straight into upstream's
// order without building a FieldSet first. Creates are most writes (pods, events), so this is the
// path they take; objects it does not model (duplicated list items, items without their keys) get
// undefined and go the general way. Pure.
import { compareElements, fieldId, serializeElement, type PathElement } from "./field-path.js";
import { isLeaf } from "./compare-fields.js";
import { FIELDS_V1_LEAF } from "./field-set.js";
import { concrete, listItemElement, type ConcreteType, type FieldType, type TypeResolver } from "./field-type.js";
import { isJsonObject, jsonEqual, type JsonObject } from "./json-value.js";

/** Metadata fields the server manages, which no writer owns (upstream's stripMetaManager's set). */
export const SERVER_MANAGED_METADATA: readonly string[] = ["name", "namespace", "creationTimestamp", "selfLink", "uid", "clusterName", "generation", "managedFields", "resourceVersion"];

/** Fields no writer owns, left out as the walk meets them (deleting them after costs more). */
const TOP_LEVEL_SKIPPED: ReadonlySet<string> = new Set(["apiVersion", "kind"]);
const METADATA_SKIPPED: ReadonlySet<string> = new Set(SERVER_MANAGED_METADATA);

/** Thrown inside the walk when the object needs the general path. */
class NotModelled extends Error {}

/**
 * The writer's fieldsV1 for creating `created` (without managedFields), given the empty object of
 * its kind; an empty object when it owns nothing; undefined when the general path must decide.
 */
export function createdFieldsV1(created: JsonObject, empty: JsonObject, type: FieldType, types: TypeResolver): JsonObject | undefined {
  try {
    return new CreateWalk(types).node(empty, created, type, TOP_LEVEL_SKIPPED) ?? {};
  } catch (err) {
    if (err instanceof NotModelled) return undefined;
    throw err;
  }
}

/**
 * One node's children as parallel lists, sorted in place by insertion (nodes have few children;
 * Array.prototype.sort would allocate for each of them, and every create walks hundreds).
 */
class Children {
  readonly ids: string[] = [];
  readonly values: JsonObject[] = [];
  /** Path elements, for list items only (fields sort by name). */
  readonly elements: PathElement[] = [];

  addField(name: string, value: JsonObject): void {
    let i = this.ids.length;
    const id = fieldId(name);
    this.ids.push(id);
    this.values.push(value);
    // "f:" + name sorts as name does.
    while (i > 0 && (this.ids[i - 1] as string) > id) {
      this.ids[i] = this.ids[i - 1] as string;
      this.values[i] = this.values[i - 1] as JsonObject;
      i--;
    }
    this.ids[i] = id;
    this.values[i] = value;
  }

  addItem(element: PathElement, id: string, value: JsonObject | undefined): void {
    for (const existing of this.ids) if (existing === id) throw new NotModelled();
    let i = this.ids.length;
    this.ids.push(id);
    this.values.push(value ?? FIELDS_V1_LEAF);
    this.elements.push(element);
    while (i > 0 && compareElements(this.elements[i - 1] as PathElement, element) > 0) {
      this.ids[i] = this.ids[i - 1] as string;
      this.values[i] = this.values[i - 1] as JsonObject;
      this.elements[i] = this.elements[i - 1] as PathElement;
      i--;
    }
    this.ids[i] = id;
    this.values[i] = value ?? FIELDS_V1_LEAF;
    this.elements[i] = element;
  }
}

class CreateWalk {
  constructor(private readonly types: TypeResolver) {}

  /**
   * The fieldsV1 value of a node (its children's entries, `"."` when the node itself is owned), or
   * undefined when nothing at or below it is. `lhs` is the empty object's node: absent, null or a
   * value-typed struct's `{}`.
   */
  node(lhs: unknown, rhs: unknown, type: FieldType, skipped?: ReadonlySet<string>): JsonObject | undefined {
    const resolved = concrete(type, rhs !== undefined ? rhs : lhs);
    if (isLeaf(lhs, rhs, resolved)) {
      if (rhs === undefined) return undefined;
      return lhs === undefined || !jsonEqual(lhs, rhs) ? FIELDS_V1_LEAF : undefined;
    }
    const children = new Children();
    if (resolved.kind === "list") this.items(rhs, resolved, children);
    else this.fields(lhs, rhs, resolved, children, skipped);
    // Nobody owns metadata itself, only fields in it.
    const owned = lhs === undefined && skipped !== METADATA_SKIPPED;
    if (children.ids.length === 0) return owned ? FIELDS_V1_LEAF : undefined;
    const out: JsonObject = owned ? { ".": FIELDS_V1_LEAF } : {};
    for (let i = 0; i < children.ids.length; i++) out[children.ids[i] as string] = children.values[i];
    return out;
  }

  private fields(lhs: unknown, rhs: unknown, parent: ConcreteType, children: Children, skipped: ReadonlySet<string> | undefined): void {
    const before = isJsonObject(lhs) ? lhs : undefined;
    const after = isJsonObject(rhs) ? rhs : {};
    for (const key in after) {
      if (skipped?.has(key)) continue;
      const inner = skipped === TOP_LEVEL_SKIPPED && key === "metadata" ? METADATA_SKIPPED : undefined;
      const value = this.node(before && Object.hasOwn(before, key) ? before[key] : undefined, after[key], this.types.fieldType(parent, key), inner);
      if (value) children.addField(key, value);
    }
  }

  /** List items are new on a create: each is owned, by its key (list-maps) or value (sets). */
  private items(rhs: unknown, list: ConcreteType, children: Children): void {
    const itemType = this.types.itemType(list);
    for (const item of Array.isArray(rhs) ? rhs : []) {
      const element = itemElement(list, item);
      children.addItem(element, serializeElement(element), this.node(undefined, item, itemType));
    }
  }
}

/** An item's path element; an item without its keys (a 400 on the general path) is not modelled. */
function itemElement(list: ConcreteType, item: unknown): PathElement {
  try {
    return listItemElement(list, item);
  } catch {
    throw new NotModelled();
  }
}
