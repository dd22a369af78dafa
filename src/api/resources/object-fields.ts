// Small typed accessors for reading and defaulting fields inside KubeObjects (plain JSON), so kind
// files never cast: every read narrows (a wrong type reads as absent), every default writes only
// where upstream's SetDefaults_* would (absent or null, or an empty string for string fields).

export type JsonRecord = Record<string, unknown>;

export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The value at a path of property names, or undefined when any step is missing or not an object. */
export function valueAt(root: unknown, ...path: string[]): unknown {
  return valueAtPath(root, path);
}

/** valueAt for the accessors below, which pass their own rest array on instead of spreading it again. */
function valueAtPath(root: unknown, path: readonly string[]): unknown {
  let current = root;
  for (let i = 0; i < path.length; i++) {
    if (!isRecord(current)) return undefined;
    current = current[path[i] as string];
  }
  return current;
}

export function recordAt(root: unknown, ...path: string[]): JsonRecord | undefined {
  const value = valueAtPath(root, path);
  return isRecord(value) ? value : undefined;
}

export function stringAt(root: unknown, ...path: string[]): string | undefined {
  const value = valueAtPath(root, path);
  return typeof value === "string" ? value : undefined;
}

export function numberAt(root: unknown, ...path: string[]): number | undefined {
  const value = valueAtPath(root, path);
  return typeof value === "number" ? value : undefined;
}

export function booleanAt(root: unknown, ...path: string[]): boolean | undefined {
  const value = valueAtPath(root, path);
  return typeof value === "boolean" ? value : undefined;
}

export function arrayAt(root: unknown, ...path: string[]): unknown[] | undefined {
  const value = valueAtPath(root, path);
  return Array.isArray(value) ? value : undefined;
}

/** The objects of a list (non-objects skipped); empty when the list is absent. */
export function recordsAt(root: unknown, ...path: string[]): JsonRecord[] {
  const value = valueAtPath(root, path);
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

/** The strings of a list (non-strings skipped); empty when the list is absent. */
export function stringsAt(root: unknown, ...path: string[]): string[] {
  const value = valueAtPath(root, path);
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

/** A map of strings (labels, selectors, data); non-string values are skipped. */
export function stringMapAt(root: unknown, ...path: string[]): Record<string, string> | undefined {
  const value = valueAtPath(root, path);
  if (!isRecord(value)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) if (typeof v === "string") out[k] = v;
  return out;
}

/** The child object under `key`, created (or replaced, when not an object) if needed. */
export function ensureRecord(parent: JsonRecord, key: string): JsonRecord {
  const existing = parent[key];
  if (isRecord(existing)) return existing;
  const created: JsonRecord = {};
  parent[key] = created;
  return created;
}

/** Sets `key` when it is absent or null (a nil pointer in upstream's Go types). */
export function defaultValue(parent: JsonRecord, key: string, value: unknown): void {
  if (parent[key] === undefined || parent[key] === null) parent[key] = value;
}

/** Sets a string field when it is absent, null or empty (upstream's `if x == ""`). */
export function defaultString(parent: JsonRecord, key: string, value: string): void {
  if (parent[key] === undefined || parent[key] === null || parent[key] === "") parent[key] = value;
}

/** Structural equality of JSON values (object key order ignored), upstream's apiequality.Semantic.DeepEqual for JSON. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => jsonEqual(item, b[i]));
  }
  if (!isRecord(a) || !isRecord(b)) return false;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) if (!jsonEqual(a[key], b[key])) return false;
  return true;
}
