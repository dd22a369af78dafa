// JSON values as the patch engines see them, and the structural helpers they share: narrowing,
// deep equality and deep copies. Guarantees: nothing here mutates its arguments; equality is
// JSON equality (object key order is irrelevant, array order matters, -0 equals 0).

export type JsonObject = { [key: string]: unknown };

/** A plain JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Structural equality of two JSON values. Allocates nothing (no key arrays, no closures): writes
 * compare whole objects with it.
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const left = a as JsonObject;
  const right = b as JsonObject;
  let keys = 0;
  for (const key in left) {
    if (!Object.hasOwn(right, key) || !jsonEqual(left[key], right[key])) return false;
    keys++;
  }
  for (const _ in right) keys--;
  return keys === 0;
}

/**
 * A deep copy of a JSON value (undefined stays undefined). Plain objects and arrays are copied
 * here, several times faster than structuredClone; anything else (a Date, a Buffer) goes to
 * structuredClone, so the result is the same as structuredClone's for any input without cycles.
 */
export function jsonClone<T>(value: T): T {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) {
    const out: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = jsonClone(value[i] as unknown);
    return out as T;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return structuredClone(value);
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  // for-in visits a plain object's own keys in Object.keys order without allocating their array.
  for (const key in source) {
    const copy = jsonClone(source[key]);
    // Assigning "__proto__" would set the prototype: define it as the own property JSON.parse makes.
    if (key === "__proto__") Object.defineProperty(out, key, { value: copy, writable: true, enumerable: true, configurable: true });
    else out[key] = copy;
  }
  return out as T;
}

/** Go's reflect-kind view of a JSON value, used where upstream compares value types. */
export type JsonKind = "null" | "boolean" | "number" | "string" | "array" | "object";

export function jsonKind(value: unknown): JsonKind {
  if (value === null || value === undefined) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "object") return "object";
  if (typeof value === "boolean") return "boolean";
  if (typeof value === "number") return "number";
  return "string";
}
