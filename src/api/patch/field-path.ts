// Path elements of managed-fields paths, as structured-merge-diff defines them: a struct or map
// field (`f:name`), a list-map item by its key fields (`k:{"name":"api-server"}`, key fields sorted
// by name), a set item by value (`v:"x"`), a list item by index (`i:3`). Serialisation, parsing,
// the total order upstream sorts them in, and the human form used in conflict messages
// (`.spec.template.spec.containers[name="api-server"].image`). Pure functions.
import { isJsonObject } from "./json-value.js";
import { RecentMap } from "../recent-map.js";

export type PathElement =
  | { readonly field: string }
  | { readonly key: ReadonlyArray<readonly [string, unknown]> }
  | { readonly value: unknown }
  | { readonly index: number };

export type FieldPath = readonly PathElement[];

export const fieldElement = (field: string): PathElement => ({ field });

/** A key element from name/value pairs (sorted by name, as upstream does). */
export function keyElement(fields: ReadonlyArray<readonly [string, unknown]>): PathElement {
  return { key: [...fields].sort(([a], [b]) => compareStrings(a, b)) };
}

/**
 * `f:` + name, made once per name: a key built afresh is a new string that each object it keys
 * must look up in V8's string table, and a create's fieldsV1 has a hundred of them.
 */
export function fieldId(name: string): string {
  let id = fieldIds.get(name);
  if (id === undefined) fieldIds.set(name, (id = `f:${name}`));
  return id;
}

const fieldIds = new RecentMap<string, string>(5_000);

/** The fieldsV1 form of an element; also its identity (two elements are equal iff these are). */
export function serializeElement(element: PathElement): string {
  if ("field" in element) return fieldId(element.field);
  if ("key" in element) return `k:{${element.key.map(([name, value]) => `${goJson(name)}:${goJson(value)}`).join(",")}}`;
  if ("value" in element) return `v:${goJson(element.value)}`;
  return `i:${element.index}`;
}

/** Parses a fieldsV1 key; undefined for kinds of element this version does not know (upstream skips them). */
export function parseElement(text: string): PathElement | undefined {
  if (text.length < 2 || text[1] !== ":") throw new Error(`invalid managed fields key ${JSON.stringify(text)}`);
  const body = text.slice(2);
  switch (text[0]) {
    case "f": return { field: body };
    case "v": return { value: JSON.parse(body) as unknown };
    case "i": return { index: parseIndex(body) };
    case "k": return keyElement(Object.entries(parseKeyObject(body)));
    default: return undefined;
  }
}

function parseIndex(body: string): number {
  const index = Number(body);
  if (!Number.isInteger(index)) throw new Error(`invalid managed fields index ${JSON.stringify(body)}`);
  return index;
}

function parseKeyObject(body: string): Record<string, unknown> {
  const parsed: unknown = JSON.parse(body);
  if (!isJsonObject(parsed)) throw new Error(`invalid managed fields key ${JSON.stringify(body)}`);
  return parsed;
}

/** upstream PathElement.Compare: fields < keys < values < indexes, then by content. */
export function compareElements(a: PathElement, b: PathElement): number {
  const rank = (e: PathElement) => ("field" in e ? 0 : "key" in e ? 1 : "value" in e ? 2 : 3);
  const byKind = rank(a) - rank(b);
  if (byKind !== 0) return Math.sign(byKind);
  if ("field" in a && "field" in b) return compareStrings(a.field, b.field);
  if ("key" in a && "key" in b) return compareKeys(a.key, b.key);
  if ("value" in a && "value" in b) return compareValues(a.value, b.value);
  if ("index" in a && "index" in b) return Math.sign(a.index - b.index);
  return 0;
}

function compareKeys(a: ReadonlyArray<readonly [string, unknown]>, b: ReadonlyArray<readonly [string, unknown]>): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const left = a[i];
    const right = b[i];
    if (!left || !right) return left ? 1 : -1;
    const byName = compareStrings(left[0], right[0]);
    if (byName !== 0) return byName;
    const byValue = compareValues(left[1], right[1]);
    if (byValue !== 0) return byValue;
  }
  return 0;
}

/** upstream value.Compare's order of kinds: numbers, strings, booleans, lists, maps, null. */
function compareValues(a: unknown, b: unknown): number {
  const rank = (v: unknown) => (typeof v === "number" ? 0 : typeof v === "string" ? 1 : typeof v === "boolean" ? 2
    : Array.isArray(v) ? 3 : isJsonObject(v) ? 4 : 5);
  const byKind = rank(a) - rank(b);
  if (byKind !== 0) return Math.sign(byKind);
  if (typeof a === "number" && typeof b === "number") return Math.sign(a - b);
  if (typeof a === "string" && typeof b === "string") return compareStrings(a, b);
  if (typeof a === "boolean" && typeof b === "boolean") return Number(a) - Number(b);
  return compareStrings(JSON.stringify(a), JSON.stringify(b));
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The human form upstream prints in conflicts: `.f`, `[k="v",k2=80]`, `[="v"]`, `[3]`. */
export function elementString(element: PathElement): string {
  if ("field" in element) return `.${element.field}`;
  if ("key" in element) return `[${element.key.map(([name, value]) => `${name}=${valueString(value)}`).join(",")}]`;
  if ("value" in element) return `[=${valueString(element.value)}]`;
  return `[${element.index}]`;
}

export function pathString(path: FieldPath): string {
  return path.map(elementString).join("");
}

/** upstream value.ToString: strings quoted, numbers and booleans bare. */
function valueString(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(valueString).join(",")}]`;
  if (isJsonObject(value)) return Object.entries(value).map(([k, v]) => `${k}=${valueString(v)}`).join("");
  return String(value);
}

/** JSON as Go's encoding/json writes it (HTML-significant characters escaped), key order kept. */
function goJson(value: unknown): string {
  const json = JSON.stringify(value ?? null);
  if (!GO_ESCAPED.test(json)) return json;
  return json
    .replace(/</g, "\\u003c").replace(/>/g, "\\u003e").replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

/** Characters Go's encoder escapes and JSON.stringify does not. */
const GO_ESCAPED = /[<>&\u2028\u2029]/;
