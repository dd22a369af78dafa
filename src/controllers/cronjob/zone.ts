// Wall-clock time in an IANA time zone, for the cron schedule walk: the calendar fields of an
// instant in the zone (Intl), and Go's time.Date (wall fields, normalized, to an instant; a wall
// time skipped or repeated by a DST change resolves as Go resolves it). UTC needs no Intl.
// Times are milliseconds since the epoch at whole seconds.

export interface Wall {
  year: number;
  /** 1 to 12. */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0 (Sunday) to 6. */
  weekday: number;
}

const PART_NAMES = ["year", "month", "day", "hour", "minute", "second"] as const;

export class Zone {
  private readonly format?: Intl.DateTimeFormat;

  /** name: an IANA zone, "UTC" or "" (UTC), or "Local" (this process's zone). */
  constructor(readonly name: string) {
    const zone = name === "Local" ? Intl.DateTimeFormat().resolvedOptions().timeZone : name;
    if (zone === "" || zone === "UTC") return;
    this.format = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
  }

  /** The calendar fields of the instant in this zone (t.In(loc).Date(), .Clock(), .Weekday()). */
  wall(ms: number): Wall {
    const seconds = Math.floor(ms / 1000) * 1000;
    if (!this.format) return utcWall(seconds);
    const fields: Record<string, number> = {};
    for (const part of this.format.formatToParts(seconds)) {
      if ((PART_NAMES as readonly string[]).includes(part.type)) fields[part.type] = Number(part.value);
    }
    return utcWall(Date.UTC(fields.year ?? 1970, (fields.month ?? 1) - 1, fields.day ?? 1, fields.hour ?? 0, fields.minute ?? 0, fields.second ?? 0));
  }

  /** The zone's offset from UTC at the instant, in milliseconds. */
  offset(ms: number): number {
    if (!this.format) return 0;
    const w = this.wall(ms);
    return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - Math.floor(ms / 1000) * 1000;
  }

  /**
   * Go's time.Date(year, month, day, hour, min, sec, 0, loc): out-of-range fields carry over; the
   * offset is the one in force at the wall time read as UTC, unless the result falls outside that
   * offset's period, in which case the offset at the result is used.
   */
  date(year: number, month: number, day: number, hour: number, minute: number, second: number): number {
    const wallAsUTC = Date.UTC(year, month - 1, day, hour, minute, second);
    if (!this.format) return wallAsUTC;
    return wallAsUTC - this.offset(wallAsUTC - this.offset(wallAsUTC));
  }
}

function utcWall(ms: number): Wall {
  const d = new Date(ms);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    weekday: d.getUTCDay(),
  };
}

/** Go's t.In(zone).Format(time.RFC3339): "2006-01-02T15:04:05-07:00", "Z" for a zero offset. */
export function formatRFC3339(ms: number, zone: Zone): string {
  const w = zone.wall(ms);
  const offsetMinutes = Math.round(zone.offset(ms) / 60000);
  const suffix = offsetMinutes === 0 ? "Z" : `${offsetMinutes < 0 ? "-" : "+"}${pad(Math.floor(Math.abs(offsetMinutes) / 60))}:${pad(Math.abs(offsetMinutes) % 60)}`;
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}${suffix}`;
}

const DAY_NAMES = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTH_NAMES = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** Go's t.UTC().Format(time.RFC1123Z): "Mon, 02 Jan 2006 15:04:05 +0000". */
export function formatRFC1123Z(ms: number): string {
  const w = utcWall(ms);
  return `${DAY_NAMES[w.weekday]}, ${pad(w.day)} ${MONTH_NAMES[w.month - 1]} ${pad(w.year, 4)} ${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)} +0000`;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}
