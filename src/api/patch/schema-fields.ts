// Schema lookups the patch engines share: the schema of one field, of map values and of list items.
// Guarantee: a property that is a $ref keeps its own x-kubernetes-* extensions (upstream puts e.g.
// `x-kubernetes-patch-strategy: retainKeys` on DeploymentSpec.strategy, beside the $ref), which
// SchemaRegistry.child() would lose when it resolves the reference. Schemas are never mutated.
import type { Schema, SchemaRegistry } from "../schema.js";

/** The resolved schema of a declared property, with the property's own extensions on top. */
export function propertySchema(registry: SchemaRegistry, parent: Schema, field: string): Schema | undefined {
  const property = registry.resolve(parent).properties?.[field];
  if (!property) return undefined;
  if (property.$ref === undefined) return property;
  return { ...registry.resolve(property), ...extensionsOf(property) };
}

/** The resolved schema of a map's values (additionalProperties), if the schema declares one. */
export function valuesSchema(registry: SchemaRegistry, parent: Schema): Schema | undefined {
  const values = registry.resolve(parent).additionalProperties;
  return typeof values === "object" ? registry.resolve(values) : undefined;
}

/** The schema of a field of an object: a declared property, else the map-values schema. */
export function fieldSchema(registry: SchemaRegistry, parent: Schema | undefined, field: string): Schema | undefined {
  if (!parent) return undefined;
  return propertySchema(registry, parent, field) ?? valuesSchema(registry, parent);
}

/** The resolved schema of a list's items. */
export function itemsSchema(registry: SchemaRegistry, list: Schema | undefined): Schema | undefined {
  const items = list ? registry.resolve(list).items : undefined;
  return items ? registry.resolve(items) : undefined;
}

function extensionsOf(schema: Schema): Partial<Schema> {
  const extensions: Partial<Schema> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key.startsWith("x-")) (extensions as Record<string, unknown>)[key] = value;
  }
  return extensions;
}
