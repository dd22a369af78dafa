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
import { fieldSchema, itemsSchema, propertySchema } from "./schema-fields.js";

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

export class TypeResolver {
  constructor(private readonly registry: SchemaRegistry) {}

  typeOf(schema: Schema | undefined): FieldType {
    if (!schema) return { kind: "deduced" };
    const resolved = { ...this.registry.resolve(schema), ...extensionsOnly(schema) };
    const atomic = resolved["x-kubernetes-map-type"] === "atomic";
    if (resolved.type === "array" || resolved.items) return listType(resolved);
    if (resolved.properties) return { kind: "struct", schema: resolved, atomic };
    if (typeof resolved.additionalProperties === "object") return { kind: "map", schema: resolved, atomic };
    if (resolved.type === undefined || resolved.type === "object") return { kind: "deduced" };
    return { kind: "scalar" };
  }

  /** The type of a value under a struct or map field. */
  fieldType(parent: ConcreteType, field: string): FieldType {
    if (parent.kind !== "struct" && parent.kind !== "map") return { kind: "deduced" };
    if (!parent.schema) return { kind: "deduced" };
    return this.typeOf(fieldSchema(this.registry, parent.schema, field));
  }

  itemType(list: ConcreteType): FieldType {
    return list.kind === "list" ? this.typeOf(itemsSchema(this.registry, list.schema)) : { kind: "deduced" };
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
  if (isJsonObject(value)) return { kind: "map", schema: undefined, atomic: false };
  if (Array.isArray(value)) return { kind: "list", schema: undefined, relationship: "atomic", keys: [] };
  return { kind: "scalar" };
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
