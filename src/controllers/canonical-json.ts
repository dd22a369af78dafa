// A canonical JSON encoding: object keys sorted at every level, so two objects that are equal as
// Kubernetes values (key order never matters in the API) encode to the same string. Controllers use
// it to compare desired and actual objects and as hash input.

/** JSON with object keys sorted at every level (undefined members dropped, as JSON does). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== "object" || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(v).sort()) sorted[key] = (v as Record<string, unknown>)[key];
    return sorted;
  });
}
