// Strategic-merge-patch metadata of one field, read from the schema's x-kubernetes-patch-strategy
// and x-kubernetes-patch-merge-key (upstream reads the same facts from Go struct tags).
// A field the schema does not know (custom resources, unknown fields) has no strategy: maps merge
// and lists are replaced, which is JSON merge patch semantics.
import type { Schema, SchemaRegistry } from "../schema.js";
import { fieldSchema, itemsSchema } from "./schema-fields.js";

export interface PatchMeta {
  /** The field's name, for messages. */
  field: string;
  /** The field's own schema (resolved), if known. */
  schema: Schema | undefined;
  /** For lists: the schema of the items. */
  items: Schema | undefined;
  /** "merge", "replace" or "" (none): upstream's strategy once retainKeys is taken out. */
  strategy: string;
  retainKeys: boolean;
  mergeKey: string | undefined;
}

export function patchMeta(registry: SchemaRegistry, parent: Schema | undefined, field: string): PatchMeta {
  const schema = fieldSchema(registry, parent, field);
  const strategies = (schema?.["x-kubernetes-patch-strategy"] ?? "").split(",").filter((s) => s !== "");
  return {
    field,
    schema,
    items: itemsSchema(registry, schema),
    strategy: strategies.find((s) => s !== "retainKeys") ?? "",
    retainKeys: strategies.includes("retainKeys"),
    mergeKey: schema?.["x-kubernetes-patch-merge-key"],
  };
}
