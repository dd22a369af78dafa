// The errors Go's time.Parse returns for the layouts metav1.Time (RFC 3339) and metav1.MicroTime
// (RFC 3339 with exactly six fractional digits) decode with: "parsing time "x" as "2006-01-02T15:04:05Z07:00":
// cannot parse ...", "... month out of range", "... extra text: ...". Values and layouts are quoted
// the way Go's time package quotes them (byte-wise \xNN, not strconv.Quote).

const RFC3339 = "2006-01-02T15:04:05Z07:00";
const RFC3339_MICRO = "2006-01-02T15:04:05.000000Z07:00";
const isDigitAt = (s: string, i: number): boolean => s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57;

interface TimeFields { year: number; month: number; day: number }
/** An element's outcome: the rest of the value, "bad" (cannot parse), or the name of a field out of range. */
type Step = string | { bad: true } | { range: string };
const BAD = { bad: true } as const;

/**
 * Whether value is in the form servers and clients write (UTC, whole seconds or exactly six
 * digits: 2024-05-01T10:00:00Z) with every field in range: then Go parses it. Read by character
 * codes, without a regular expression's match arrays: every timestamp of every write comes here.
 */
function isCommonValid(value: string, micro: boolean): boolean {
  if (value.length !== (micro ? 27 : 20) || value.charCodeAt(value.length - 1) !== 90 /* Z */) return false;
  if (value[4] !== "-" || value[7] !== "-" || value[10] !== "T" || value[13] !== ":" || value[16] !== ":") return false;
  if (micro && (value[19] !== "." || numberAt(value, 20, 6) < 0)) return false;
  const year = numberAt(value, 0, 4);
  const month = numberAt(value, 5, 2);
  const day = numberAt(value, 8, 2);
  const hour = numberAt(value, 11, 2);
  const minute = numberAt(value, 14, 2);
  const second = numberAt(value, 17, 2);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return false;
  return month >= 1 && month <= 12 && day >= 1 && day <= daysIn(month, year) && hour <= 23 && minute <= 59 && second <= 59;
}

/** The decimal number of `count` digits at `start`, or -1 if one is not a digit. */
function numberAt(s: string, start: number, count: number): number {
  let n = 0;
  for (let i = start; i < start + count; i++) {
    if (!isDigitAt(s, i)) return -1;
    n = n * 10 + (s.charCodeAt(i) - 48);
  }
  return n;
}

/** Go's time.Parse(RFC3339 or RFC3339Micro, value) error, as metav1.Time / MicroTime report it, or undefined. */
export function timeParseError(value: string, micro: boolean): string | undefined {
  if (isCommonValid(value, micro)) return undefined;
  const layout = micro ? RFC3339_MICRO : RFC3339;
  const elements = ["2006", "-", "01", "-", "02", "T", "15", ":", "04", ":", "05", ...(micro ? [".000000"] : []), "Z07:00"];
  const fields: TimeFields = { year: 0, month: 0, day: 0 };
  const prefix = `parsing time ${timeQuote(value)}`;
  let rest = value;
  for (const [i, el] of elements.entries()) {
    const step: Step = el.length === 1 ? (rest[0] === el ? rest.slice(1) : BAD) : timeElement(el, rest, fields, elements[i + 1]);
    if (typeof step === "string") rest = step;
    else if ("range" in step) return `${prefix}: ${step.range} out of range`;
    else return `${prefix} as ${timeQuote(layout)}: cannot parse ${timeQuote(rest)} as ${timeQuote(el)}`;
  }
  if (rest) return `${prefix}: extra text: ${timeQuote(rest)}`;
  if (fields.day < 1 || fields.day > daysIn(fields.month, fields.year)) return `${prefix}: day out of range`;
  return undefined;
}

/** Go's getnum: one or two digits (exactly two when fixed). */
function getnum(s: string, fixed: boolean): [number, string] | undefined {
  if (!isDigitAt(s, 0)) return undefined;
  if (!isDigitAt(s, 1)) return fixed ? undefined : [Number(s[0]), s.slice(1)];
  return [Number(s.slice(0, 2)), s.slice(2)];
}

function timeElement(el: string, rest: string, f: TimeFields, next: string | undefined): Step {
  const ranged = (n: [number, string] | undefined, max: number, what: string): Step => (!n ? BAD : n[0] > max ? { range: what } : n[1]);
  switch (el) {
    case "2006":
      if (!/^\d{4}/.test(rest)) return BAD;
      f.year = Number(rest.slice(0, 4));
      return rest.slice(4);
    case "01": {
      const n = getnum(rest, true);
      if (n && (n[0] < 1 || n[0] > 12)) return { range: "month" };
      f.month = n?.[0] ?? 0;
      return n ? n[1] : BAD;
    }
    case "02": {
      const n = getnum(rest, true);
      f.day = n?.[0] ?? 0;
      return n ? n[1] : BAD;
    }
    case "15": return ranged(getnum(rest, false), 23, "hour");
    case "04": return ranged(getnum(rest, true), 59, "minute");
    case "05": {
      const step = ranged(getnum(rest, true), 59, "second");
      // A fraction the layout does not spell out is accepted after the seconds.
      if (typeof step !== "string" || next === ".000000" || !/^[.,]\d/.test(step)) return step;
      return step.replace(/^[.,]\d+/, "");
    }
    case ".000000":
      return rest.length >= 7 && /^[.,][+-]?\d*$/.test(rest.slice(0, 7)) ? rest.slice(7) : BAD;
    default:
      return zoneElement(rest);
  }
}

/** "Z07:00": "Z", or ±hh:mm with hours up to 24 and minutes up to 60, as Go allows. */
function zoneElement(rest: string): Step {
  if (rest[0] === "Z") return rest.slice(1);
  if (rest.length < 6 || rest[3] !== ":") return BAD;
  const hh = getnum(rest.slice(1, 3), true);
  const mm = hh && getnum(rest.slice(4, 6), true);
  if (hh && hh[0] > 24) return { range: "time zone offset hour" };
  if (mm && mm[0] > 60) return { range: "time zone offset minute" };
  return mm && (rest[0] === "+" || rest[0] === "-") ? rest.slice(6) : BAD;
}

function daysIn(month: number, year: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Go's time.quote: non-ASCII and control bytes as \xNN, quotes and backslashes escaped. */
function timeQuote(s: string): string {
  let out = '"';
  for (const byte of new TextEncoder().encode(s)) {
    const c = String.fromCharCode(byte);
    if (byte >= 0x80 || byte < 0x20) out += `\\x${byte.toString(16).padStart(2, "0")}`;
    else out += c === '"' || c === "\\" ? `\\${c}` : c;
  }
  return `${out}"`;
}
