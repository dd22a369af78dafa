// metav1.Time as objects carry it: RFC 3339 strings at second precision in UTC, read back as epoch
// milliseconds. An absent or unparsable time is undefined (Go's zero time), never NaN. The one
// place the API server, controllers, the scheduler and nodes format timestamps.

/** upstream metav1.Time: RFC 3339 at second precision in UTC, from a Date or epoch milliseconds. */
export function rfc3339(time: Date | number): string {
  const ms = typeof time === "number" ? time : time.getTime();
  // Every write stamps the time, and most of them within the same second as the last.
  const second = Math.floor(ms / 1000);
  if (second !== lastSecond) {
    lastText = new Date(second * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
    lastSecond = second;
  }
  return lastText;
}

let lastSecond = Number.NaN;
let lastText = "";

/** Milliseconds of an RFC 3339 timestamp; undefined when absent or unparsable (Go's zero time). */
export function timeMs(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}
