// fieldsV1 nodes built once and shared (hash-consing). Objects made from one template own the same
// fields, so their managedFields hold identical trees (some twenty objects for a pod). Built
// through here, every equal subtree is one frozen object, which the watch cache, the informers and
// each later revision share instead of keeping a copy per object, and which decoding into a
// FieldSet can remember (see FieldSet.fromStoredFieldsV1). A node is identified by its entries'
// names and their values' identities, so looking one up never walks below its children.
// The table is bounded and keeps what is in use (recent-map.ts): an object's own unique nodes,
// such as those above a generated volume name, pass through. Nodes handed out stay valid.
import { RecentMap } from "../recent-map.js";
import type { JsonObject } from "./json-value.js";

/** `{}`: an owned leaf, and the value of every `"."`. */
export const OWNED_LEAF: JsonObject = Object.freeze({}) as JsonObject;

const idOf = new WeakMap<JsonObject, number>([[OWNED_LEAF, 0]]);
let nextId = 1;
/** Nodes by key; 20,000 distinct nodes a generation is far more than a cluster's shapes of objects. */
const table = new RecentMap<string, JsonObject>(20_000);

/**
 * The node `{".": {}, names[0]: values[0], ...}` (without `"."` unless `owned`), frozen and shared.
 * Every value must itself have come from here; names are written in the order given.
 */
export function internedNode(owned: boolean, names: readonly string[], values: readonly JsonObject[]): JsonObject {
  if (!owned && names.length === 0) return OWNED_LEAF;
  // Names are length-prefixed, so no name can pass for the separator. Joined, not concatenated: a
  // key kept in the table is then one flat string, not a rope of parts.
  const parts: Array<string | number> = [owned ? "." : ""];
  for (let i = 0; i < names.length; i++) {
    const name = names[i] as string;
    parts.push(name.length, name, idOf.get(values[i] as JsonObject) ?? notInterned());
  }
  const key = parts.join("\u0000");
  const found = table.get(key);
  if (found) return found;
  const node: JsonObject = owned ? { ".": OWNED_LEAF } : {};
  for (let i = 0; i < names.length; i++) node[names[i] as string] = values[i] as JsonObject;
  Object.freeze(node);
  idOf.set(node, nextId++);
  table.set(key, node);
  return node;
}

function notInterned(): never {
  throw new Error("internedNode: a value that was not interned");
}
