// Durations as kubectl prints them, ported from upstream's k8s.io/apimachinery/pkg/util/duration:
// HumanDuration (AGE, RESTARTS "(5m ago)", job DURATION: 2-3 significant figures such as "3m2s",
// "2d5h") and ShortHumanDuration (one unit: "5m", "2d"). Durations are in milliseconds; clocks
// up to two seconds apart count as "now" and larger negative durations print "<invalid>".

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const YEAR = 365 * DAY;

/** Go's integer division of a duration: truncates toward zero. */
function whole(ms: number, unit: number): number {
  return Math.trunc(ms / unit);
}

/** The "almost now" rule both formats share; undefined when the duration is positive enough to format. */
function nowOrInvalid(ms: number): string | undefined {
  const seconds = whole(ms, SECOND);
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  return undefined;
}

/** One unit with limited precision: "45s", "5m", "3h", "12d", "2y". */
export function shortHumanDuration(ms: number): string {
  const special = nowOrInvalid(ms);
  if (special !== undefined) return special;
  const seconds = whole(ms, SECOND);
  if (seconds < 60) return `${seconds}s`;
  const minutes = whole(ms, MINUTE);
  if (minutes < 60) return `${minutes}m`;
  const hours = whole(ms, HOUR);
  if (hours < 24) return `${hours}h`;
  if (hours < 24 * 365) return `${Math.trunc(hours / 24)}d`;
  return `${whole(ms, YEAR)}y`;
}

/** Two units where it helps: "90s", "3m2s", "15m", "5h30m", "20h", "2d5h", "30d", "3y45d", "10y". */
export function humanDuration(ms: number): string {
  const special = nowOrInvalid(ms);
  if (special !== undefined) return special;
  const seconds = whole(ms, SECOND);
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = whole(ms, MINUTE);
  if (minutes < 10) return withRemainder(minutes, "m", seconds % 60, "s");
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = whole(ms, HOUR);
  if (hours < 8) return withRemainder(hours, "h", minutes % 60, "m");
  if (hours < 48) return `${hours}h`;
  const days = Math.trunc(hours / 24);
  if (hours < 24 * 8) return withRemainder(days, "d", hours % 24, "h");
  if (hours < 24 * 365 * 2) return `${days}d`;
  const years = Math.trunc(days / 365);
  if (hours < 24 * 365 * 8) return withRemainder(years, "y", days % 365, "d");
  return `${years}y`;
}

function withRemainder(major: number, majorUnit: string, minor: number, minorUnit: string): string {
  return minor === 0 ? `${major}${majorUnit}` : `${major}${majorUnit}${minor}${minorUnit}`;
}

/** Upstream's translateTimestampSince: the human duration from a timestamp to now, or "<unknown>". */
export function sinceTimestamp(timestamp: string | undefined | null, now: Date): string {
  if (!timestamp) return "<unknown>";
  const at = Date.parse(timestamp);
  if (Number.isNaN(at)) return "<unknown>";
  return humanDuration(now.getTime() - at);
}
