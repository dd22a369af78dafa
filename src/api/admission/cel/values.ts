// JSON objects as CEL sees them: whole numbers become CEL ints (BigInt), as Kubernetes' int64 fields
// are; everything else keeps its JSON form (maps as plain objects, lists as arrays). Frozen input
// is never changed: values are copied.
export function toCel(value: unknown): unknown {
  if (typeof value === "number") return Number.isInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(toCel);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) if (v !== undefined) out[key] = toCel(v);
    return out;
  }
  return value;
}

/** A CEL result as plain JSON text, for messages. */
export function celToString(value: unknown): string {
  if (typeof value === "string") return value;
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? Number(v) : v)) ?? String(value);
}
