// Cron schedules as CronJobs accept them: upstream parses spec.schedule with robfig/cron v3's
// ParseStandard (five fields, names for months and weekdays, ranges, steps, "@hourly"-style
// descriptors, "@every <duration>", an optional TZ=/CRON_TZ= prefix). parseCronSchedule returns the
// allowed values of each field, or the parser's own error text (which validation reports verbatim).

export interface CronSchedule {
  minutes: Set<number>;
  hours: Set<number>;
  daysOfMonth: Set<number>;
  months: Set<number>;
  daysOfWeek: Set<number>;
  /** True when a day field was "*" or "?": cron then matches on the other day field alone. */
  anyDayOfMonth: boolean;
  anyDayOfWeek: boolean;
  /** The time zone of a TZ= prefix, if any. */
  timeZone?: string;
  /** For "@every <duration>": the period in milliseconds. */
  everyMs?: number;
}

interface Bounds {
  min: number;
  max: number;
  names?: Record<string, number>;
}

const MONTH_NAMES = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 };
const DAY_NAMES = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };
const FIELDS: Bounds[] = [{ min: 0, max: 59 }, { min: 0, max: 23 }, { min: 1, max: 31 }, { min: 1, max: 12, names: MONTH_NAMES }, { min: 0, max: 6, names: DAY_NAMES }];

const DESCRIPTORS: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

class CronError extends Error {}

/** The parsed schedule, or robfig/cron's error message. */
export function parseCronSchedule(spec: string): CronSchedule | string {
  try {
    return parse(spec);
  } catch (err) {
    if (err instanceof CronError) return err.message;
    throw err;
  }
}

function parse(input: string): CronSchedule {
  if (input.length === 0) throw new CronError("empty spec string");
  let spec = input;
  let timeZone: string | undefined;
  if (spec.startsWith("TZ=") || spec.startsWith("CRON_TZ=")) {
    const space = spec.indexOf(" ");
    const zone = spec.slice(spec.indexOf("=") + 1, space < 0 ? undefined : space);
    if (!isKnownTimeZone(zone)) throw new CronError(`provided bad location ${zone}: unknown time zone ${zone}`);
    timeZone = zone;
    spec = space < 0 ? "" : spec.slice(space).trim();
  }
  if (spec.startsWith("@")) return { ...parseDescriptor(spec), timeZone };
  const fields = spec.split(/\s+/).filter(Boolean);
  if (fields.length !== 5) throw new CronError(`expected exactly 5 fields, found ${fields.length}: [${fields.join(" ")}]`);
  const sets = fields.map((field, i) => parseField(field, FIELDS[i] as Bounds));
  const [minutes, hours, daysOfMonth, months, daysOfWeek] = sets.map((s) => s.values) as [Set<number>, Set<number>, Set<number>, Set<number>, Set<number>];
  return { minutes, hours, daysOfMonth, months, daysOfWeek, anyDayOfMonth: sets[2]?.star ?? false, anyDayOfWeek: sets[4]?.star ?? false, timeZone };
}

function parseDescriptor(descriptor: string): CronSchedule {
  const standard = DESCRIPTORS[descriptor];
  if (standard) return parse(standard);
  if (descriptor.startsWith("@every ")) {
    const text = descriptor.slice("@every ".length);
    const ms = parseGoDuration(text);
    if (ms === undefined) throw new CronError(`failed to parse duration ${descriptor}: time: invalid duration ${JSON.stringify(text)}`);
    const all = (lo: number, hi: number) => new Set(Array.from({ length: hi - lo + 1 }, (_, i) => lo + i));
    return { minutes: all(0, 59), hours: all(0, 23), daysOfMonth: all(1, 31), months: all(1, 12), daysOfWeek: all(0, 6), anyDayOfMonth: true, anyDayOfWeek: true, everyMs: ms };
  }
  throw new CronError(`unrecognized descriptor: ${descriptor}`);
}

function parseField(field: string, bounds: Bounds): { values: Set<number>; star: boolean } {
  const values = new Set<number>();
  let star = false;
  for (const expr of field.split(",").filter(Boolean)) {
    const range = parseRange(expr, bounds);
    range.values.forEach((v) => values.add(v));
    star ||= range.star;
  }
  return { values, star };
}

function parseRange(expr: string, bounds: Bounds): { values: number[]; star: boolean } {
  const rangeAndStep = expr.split("/");
  const lowAndHigh = (rangeAndStep[0] ?? "").split("-");
  let start: number;
  let end: number;
  let star = false;
  if (lowAndHigh[0] === "*" || lowAndHigh[0] === "?") {
    [start, end, star] = [bounds.min, bounds.max, true];
  } else {
    start = parseIntOrName(lowAndHigh[0] ?? "", bounds.names);
    if (lowAndHigh.length > 2) throw new CronError(`too many hyphens: ${expr}`);
    end = lowAndHigh.length === 2 ? parseIntOrName(lowAndHigh[1] ?? "", bounds.names) : start;
  }
  let step = 1;
  if (rangeAndStep.length === 2) {
    step = parseNonNegativeInt(rangeAndStep[1] ?? "");
    if (lowAndHigh.length === 1) end = bounds.max;
    if (step > 1) star = false;
  } else if (rangeAndStep.length > 2) {
    throw new CronError(`too many slashes: ${expr}`);
  }
  if (start < bounds.min) throw new CronError(`beginning of range (${start}) below minimum (${bounds.min}): ${expr}`);
  if (end > bounds.max) throw new CronError(`end of range (${end}) above maximum (${bounds.max}): ${expr}`);
  if (start > end) throw new CronError(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  if (step === 0) throw new CronError(`step of range should be a positive number: ${expr}`);
  const values: number[] = [];
  for (let v = start; v <= end; v += step) values.push(v);
  return { values, star };
}

function parseIntOrName(expr: string, names: Record<string, number> | undefined): number {
  const named = names?.[expr.toLowerCase()];
  return named ?? parseNonNegativeInt(expr);
}

/** robfig's mustParseInt over Go's strconv.Atoi. */
function parseNonNegativeInt(expr: string): number {
  if (!/^[+-]?\d+$/.test(expr)) throw new CronError(`failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: invalid syntax`);
  const num = Number(expr);
  if (!Number.isSafeInteger(num)) throw new CronError(`failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: value out of range`);
  if (num < 0) throw new CronError(`negative number (${num}) not allowed: ${expr}`);
  return num;
}

const DURATION_UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, "µs": 1e-3, ms: 1, s: 1000, m: 60000, h: 3600000 };

/** Go's time.ParseDuration for positive durations such as "90s", "1h30m", "1.5h"; undefined when invalid. */
export function parseGoDuration(text: string): number | undefined {
  const part = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/y;
  if (text === "0") return 0;
  let total = 0;
  let at = 0;
  while (at < text.length) {
    part.lastIndex = at;
    const match = part.exec(text);
    if (!match) return undefined;
    total += Number(match[1]) * (DURATION_UNITS[match[2] ?? ""] ?? 0);
    at = part.lastIndex;
  }
  return text.length > 0 ? total : undefined;
}

/** Whether the runtime knows an IANA time zone (Go's time.LoadLocation). */
export function isKnownTimeZone(zone: string): boolean {
  if (zone === "" || zone === "UTC" || zone === "Local") return true;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
