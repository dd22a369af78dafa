// metav1.Time as controllers read and write it: RFC 3339 strings in objects, epoch milliseconds
// from the injected clock. An absent or unparsable time is undefined (Go's zero time), never NaN.

/** Milliseconds of an RFC 3339 timestamp; undefined when absent or unparsable (Go's zero time). */
export function timeMs(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/** upstream metav1.Time: RFC 3339 at second precision in UTC. */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}
