// The schema as server-side apply sees it (structured-merge-diff's schema, which upstream derives
// from OpenAPI in kube-openapi's schemaconv): scalars, structs (declared properties), maps
// (additionalProperties), and lists that are atomic, sets, or maps keyed by
// x-kubernetes-list-map-keys; x-kubernetes-map-type: atomic makes a struct or map one leaf.
// Without list-type, a list with patch strategy "merge" is associative (keyed by its merge key),
// any other list atomic. Unknown schemas are "deduced" from the value: objects are granular maps,
// arrays atomic lists, anything else a scalar (how upstream treats schemaless custom resources).
import { badRequest } from "../errors.js";
import type { Schema, SchemaRegistry } from "../schema.js";
import { isJsonObject } from "./json-value.js";
import { keyElement, type PathElement } from "./field-path.js";
import { itemsSchema, propertySchema, valuesSchema } from "./schema-fields.js";

export type FieldType =
  | { kind: "scalar" }
  | { kind: "struct"; schema: Schema; atomic: boolean }
  | { kind: "map"; schema: Schema | undefined; atomic: boolean }
  | { kind: "list"; schema: Schema | undefined; relationship: "atomic" | "set" | "map"; keys: readonly string[] }
  | { kind: "deduced" };

/** A value's type with "deduced" resolved against the value itself. */
export type ConcreteType = Exclude<FieldType, { kind: "deduced" }>;

/**
 * Values upstream's OpenAPI v3 gives list-map key fields as defaults, so that items which omit
 * them still have a key (the Swagger 2.0 document kubelite serves carries no defaults).
 */
const KEY_FIELD_DEFAULTS: Readonly<Record<string, unknown>> = { protocol: "TCP" };

const DEDUCED: FieldType = Object.freeze({ kind: "deduced" });
const SCALAR: ConcreteType = Object.freeze({ kind: "scalar" });
const DEDUCED_MAP: ConcreteType = Object.freeze({ kind: "map", schema: undefined, atomic: false });
const DEDUCED_LIST: ConcreteType = Object.freeze({ kind: "list", schema: undefined, relationship: "atomic", keys: [] });

/**
 * Types of schemas, memoised: every write walks the same few definitions, so each type is worked
 * out once per resolver and the same FieldType object comes back after that. Keep one resolver
 * per SchemaRegistry for as long as the registry lives.
 */
export class TypeResolver {
  private readonly bySchema = new WeakMap<Schema, FieldType>();
  /** Per struct or map type: its declared fields' types, and under "" the type of any other field. */
  private readonly fields = new WeakMap<ConcreteType, Map<string, FieldType>>();
  private readonly items = new WeakMap<ConcreteType, FieldType>();

  constructor(private readonly registry: SchemaRegistry) {}

  typeOf(schema: Schema | undefined): FieldType {
    if (!schema) return DEDUCED;
    let type = this.bySchema.get(schema);
    if (!type) this.bySchema.set(schema, (type = this.compute(schema)));
    return type;
  }

  private compute(schema: Schema): FieldType {
    const resolved = { ...this.registry.resolve(schema), ...extensionsOnly(schema) };
    const atomic = resolved["x-kubernetes-map-type"] === "atomic";
    if (resolved.type === "array" || resolved.items) return listType(resolved);
    if (resolved.properties) return { kind: "struct", schema: resolved, atomic };
    if (typeof resolved.additionalProperties === "object") return { kind: "map", schema: resolved, atomic };
    if (resolved.type === undefined || resolved.type === "object") return DEDUCED;
    return SCALAR;
  }

  /** The type of a value under a struct or map field. */
  fieldType(parent: ConcreteType, field: string): FieldType {
    if (parent.kind !== "struct" && parent.kind !== "map") return DEDUCED;
    if (!parent.schema) return DEDUCED;
    let known = this.fields.get(parent);
    if (!known) this.fields.set(parent, (known = new Map()));
    // A declared field seen before: its type without resolving the schema again.
    if (parent.kind === "struct" && field !== "") {
      const seen = known.get(field);
      if (seen) return seen;
    }
    // Map keys and undeclared fields share one type, so the memo does not grow with the data.
    const declared = parent.kind === "struct" && Object.hasOwn(this.registry.resolve(parent.schema).properties ?? {}, field);
    const slot = declared ? field : "";
    let type = known.get(slot);
    if (!type) {
      type = this.typeOf(declared ? propertySchema(this.registry, parent.schema, field) : valuesSchema(this.registry, parent.schema));
      known.set(slot, type);
    }
    return type;
  }

  itemType(list: ConcreteType): FieldType {
    if (list.kind !== "list") return DEDUCED;
    let type = this.items.get(list);
    if (!type) this.items.set(list, (type = this.typeOf(itemsSchema(this.registry, list.schema))));
    return type;
  }

  /** The type below a path element of a value of type `parent`. */
  childType(parent: ConcreteType, element: PathElement): FieldType {
    return "field" in element ? this.fieldType(parent, element.field) : this.itemType(parent);
  }

  /** Whether `field` is a declared property of a struct: upstream's "named field". */
  isNamedField(parent: ConcreteType, field: string): boolean {
    return parent.kind === "struct" && propertySchema(this.registry, parent.schema, field) !== undefined;
  }
}

function extensionsOnly(schema: Schema): Partial<Schema> {
  return Object.fromEntries(Object.entries(schema).filter(([key]) => key.startsWith("x-"))) as Partial<Schema>;
}

function listType(schema: Schema): ConcreteType {
  const declared = schema["x-kubernetes-list-type"];
  if (declared === "map") return { kind: "list", schema, relationship: "map", keys: schema["x-kubernetes-list-map-keys"] ?? [] };
  if (declared === "set" || declared === "atomic") return { kind: "list", schema, relationship: declared, keys: [] };
  const strategies = (schema["x-kubernetes-patch-strategy"] ?? "").split(",");
  const mergeKey = schema["x-kubernetes-patch-merge-key"];
  if (!strategies.includes("merge")) return { kind: "list", schema, relationship: "atomic", keys: [] };
  return mergeKey ? { kind: "list", schema, relationship: "map", keys: [mergeKey] } : { kind: "list", schema, relationship: "set", keys: [] };
}

/** Resolves "deduced" against a value; other types come back unchanged. */
export function concrete(type: FieldType, value: unknown): ConcreteType {
  if (type.kind !== "deduced") return type;
  if (isJsonObject(value)) return DEDUCED_MAP;
  if (Array.isArray(value)) return DEDUCED_LIST;
  return SCALAR;
}

/** Whether a type is a single leaf for ownership: scalars and atomic lists, structs and maps. */
export function isAtomic(type: ConcreteType): boolean {
  if (type.kind === "scalar") return true;
  if (type.kind === "list") return type.relationship === "atomic";
  return type.atomic;
}

/** The path element of a list item: its key fields for list-maps, its value for sets. */
export function listItemElement(list: ConcreteType, item: unknown): PathElement {
  if (list.kind !== "list" || list.relationship !== "map") return { value: item };
  if (!isJsonObject(item)) throw badRequest(`associative list with keys has an element that is not a map: ${JSON.stringify(item)}`);
  return keyElement(list.keys.map((name) => [name, keyValue(item, name)] as const));
}

function keyValue(item: Record<string, unknown>, name: string): unknown {
  if (Object.hasOwn(item, name)) return item[name];
  if (Object.hasOwn(KEY_FIELD_DEFAULTS, name)) return KEY_FIELD_DEFAULTS[name];
  throw badRequest(`associative list with keys has an element that omits key field ${JSON.stringify(name)} (and doesn't have default value)`);
}
