// Kubernetes resource quantities (k8s.io/apimachinery/pkg/api/resource at v1.32): parsing, the
// canonical form upstream serialises, comparison, arithmetic and the rounded-up integer views the
// scheduler uses. A quantity is an exact decimal coef × 10^exp, never a float; coef stays a JS number
// while it is a safe integer (the common case: "100m", "512Mi", "2") and becomes a bigint beyond.
// Parsing mirrors upstream's two paths: the int64 fast path (no rounding, keeps the input text when
// it is already canonical, even "+1" or "01") and the arbitrary-precision path (rounds up to 1n,
// caps binary quantities at 2^63-1). Instances are immutable.

export type QuantityFormat = "DecimalExponent" | "BinarySI" | "DecimalSI";

export const ERR_FORMAT_WRONG = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
export const ERR_NUMERIC = "unable to parse numeric part of quantity";
export const ERR_SUFFIX = "unable to parse quantity's suffix";

export class QuantityError extends Error {
  override readonly name = "QuantityError";
}

/** An exact integer: a number while it is a safe integer, a bigint beyond. */
type Int = number | bigint;

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MAX_INT64 = (1n << 63n) - 1n;
const SUFFIX_CHARS = "eEinumkKMGTP";
const DECIMAL_SUFFIXES: ReadonlyMap<string, number> = new Map([["", 0], ["n", -9], ["u", -6], ["m", -3], ["k", 3], ["M", 6], ["G", 9], ["T", 12], ["P", 15], ["E", 18]]);
const BINARY_SUFFIXES: ReadonlyMap<string, number> = new Map([["Ki", 10], ["Mi", 20], ["Gi", 30], ["Ti", 40], ["Pi", 50], ["Ei", 60]]);
const DECIMAL_NAMES: ReadonlyMap<number, string> = new Map([...DECIMAL_SUFFIXES].map(([name, exp]) => [exp, name]));
// Upstream has no suffix beyond Ei (or E): such values print without one, as upstream does.
const BINARY_NAMES: readonly string[] = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];

// ---- exact integer helpers -------------------------------------------------------------------

const norm = (b: bigint): Int => (b <= MAX_SAFE && b >= -MAX_SAFE ? Number(b) : b);
const big = (x: Int): bigint => (typeof x === "bigint" ? x : BigInt(x));
const signOf = (x: Int): number => (x > 0 ? 1 : x < 0 ? -1 : 0);
const negate = (x: Int): Int => (typeof x === "number" ? 0 - x : norm(-x));
const POW10: readonly number[] = Array.from({ length: 16 }, (_, k) => 10 ** k);
const pow10 = (k: number): Int => (k <= 15 ? (POW10[k] as number) : 10n ** BigInt(k));

function mul(a: Int, b: Int): Int {
  if (typeof a === "number" && typeof b === "number") {
    const r = a * b;
    if (Number.isSafeInteger(r)) return r;
  }
  return norm(big(a) * big(b));
}

function add(a: Int, b: Int): Int {
  if (typeof a === "number" && typeof b === "number") {
    const r = a + b;
    if (Number.isSafeInteger(r)) return r;
  }
  return norm(big(a) + big(b));
}

function cmpInt(a: Int, b: Int): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function digitCount(x: Int): number {
  const s = x.toString();
  return s.startsWith("-") ? s.length - 1 : s.length;
}

/** Moves trailing decimal zeros of coef into the exponent. */
function stripTens(coef: Int, exp: number): [Int, number] {
  if (typeof coef === "number") {
    while (coef !== 0 && coef % 10 === 0) [coef, exp] = [coef / 10, exp + 1];
    return [coef, exp];
  }
  let b = coef;
  while (b !== 0n && b % 10n === 0n) [b, exp] = [b / 10n, exp + 1];
  return [norm(b), exp];
}

/** Divides by 10^k rounding away from zero (upstream's "round up"). */
function divPow10Up(coef: Int, k: number): Int {
  if (typeof coef === "number" && k <= 15) {
    const p = POW10[k] as number;
    const r = coef % p;
    const q = (coef - r) / p;
    return r === 0 ? q : q + Math.sign(coef);
  }
  const b = big(coef);
  const p = 10n ** BigInt(k);
  const q = b / p;
  return norm(b % p === 0n ? q : q + (b > 0n ? 1n : -1n));
}

// ---- parsing ---------------------------------------------------------------------------------

interface Scanned { positive: boolean; value: string; num: string; denom: string; suffix: string }
interface Suffix { base: 2 | 10; exponent: number; format: QuantityFormat }
interface Parsed { coef: Int; exp: number; format: QuantityFormat; text?: string }

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/** upstream parseQuantityString: sign, numerator (leading zeros dropped), denominator, suffix. */
function scan(str: string): Scanned | string {
  const end = str.length;
  let pos = 0;
  const positive = str[0] !== "-";
  if (str[0] === "-" || str[0] === "+") pos++;
  while (pos < end && str.charCodeAt(pos) === 48) pos++;
  if (pos >= end) return { positive, value: "0", num: "0", denom: "", suffix: "" };
  const numStart = pos;
  while (pos < end && isDigit(str.charCodeAt(pos))) pos++;
  if (pos >= end) return { positive, value: str, num: str.slice(numStart), denom: "", suffix: "" };
  const num = str.slice(numStart, pos) || "0";
  let denom = "";
  if (str[pos] === ".") {
    const denomStart = ++pos;
    while (pos < end && isDigit(str.charCodeAt(pos))) pos++;
    denom = str.slice(denomStart, pos);
    if (pos >= end) return { positive, value: str, num, denom, suffix: "" };
  }
  const value = str.slice(0, pos);
  const suffixStart = pos;
  while (pos < end && SUFFIX_CHARS.includes(str.charAt(pos))) pos++;
  if (pos < end && (str[pos] === "-" || str[pos] === "+")) pos++;
  while (pos < end && isDigit(str.charCodeAt(pos))) pos++;
  if (pos < end) return ERR_FORMAT_WRONG;
  return { positive, value, num, denom, suffix: str.slice(suffixStart) };
}

function interpretSuffix(suffix: string): Suffix | undefined {
  const dec = DECIMAL_SUFFIXES.get(suffix);
  if (dec !== undefined) return { base: 10, exponent: dec, format: "DecimalSI" };
  const bin = BINARY_SUFFIXES.get(suffix);
  if (bin !== undefined) return { base: 2, exponent: bin, format: "BinarySI" };
  if (suffix.length > 1 && (suffix[0] === "e" || suffix[0] === "E") && /^[+-]?\d+$/.test(suffix.slice(1))) {
    const exponent = BigInt(suffix.slice(1));
    if (exponent > MAX_INT64 || exponent < -MAX_INT64 - 1n) return undefined;
    // Upstream parses an int64 and keeps its low 32 bits.
    return { base: 10, exponent: Number(BigInt.asIntN(32, exponent)), format: "DecimalExponent" };
  }
  return undefined;
}

/** upstream's int64 fast path; undefined where upstream falls back to arbitrary precision. */
function fastParse(str: string, s: Scanned, suf: Suffix): Parsed | undefined {
  let precision: number;
  let mantissa: Int = 1;
  let scale = 0;
  if (suf.base === 10) {
    scale = suf.exponent;
    precision = 18 - (s.num.length + s.denom.length);
  } else if (s.denom.length === 0) {
    mantissa = suf.exponent <= 50 ? 2 ** suf.exponent : 1n << BigInt(suf.exponent);
    precision = 14 - s.num.length - (suf.exponent * 3) / 10;
  } else return undefined;
  scale -= s.denom.length;
  if (precision < 0 || scale < -9) return undefined;
  const shifted = s.num + s.denom;
  const value: Int = shifted.length <= 15 ? Number(shifted) : norm(BigInt(shifted));
  const result = mul(value, mantissa);
  if (typeof result === "bigint" && result > MAX_INT64) return undefined;
  const coef = s.positive ? result : negate(result);
  return { coef, exp: scale, format: suf.format, text: keepsText(s, suf, value, scale) ? str : undefined };
}

/** Whether upstream reuses the input text as the serialised form (its "already canonical" test). */
function keepsText(s: Scanned, suf: Suffix, value: Int, scale: number): boolean {
  if (suf.format === "BinarySI") return typeof value === "number" ? value % 8 !== 0 : value % 8n !== 0n;
  const shifted = s.num + s.denom;
  return scale % 3 === 0 && !shifted.endsWith("000") && shifted[0] !== "0";
}

/** upstream's inf.Dec path: exact, rounded up to 1n, binary values capped at 2^63-1. */
function slowParse(s: Scanned, suf: Suffix): Parsed | string {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(s.value);
  const int = m?.[2] ?? "";
  const frac = m?.[3] ?? "";
  if (!m || int.length + frac.length === 0) return ERR_NUMERIC;
  let coef = BigInt(int + frac);
  let exp = -frac.length;
  if (suf.base === 10) exp += suf.exponent;
  else coef <<= BigInt(suf.exponent);
  if (coef !== 0n && exp < -9) [coef, exp] = [big(divPow10Up(coef, -9 - exp)), -9];
  let format = suf.format;
  if (format === "BinarySI" && exp <= 0 && coef > MAX_INT64 * 10n ** BigInt(-exp)) [coef, exp] = [MAX_INT64, 0];
  if (format === "BinarySI" && coef > 0n && exp < 0 && coef < 10n ** BigInt(-exp)) format = "DecimalSI";
  return { coef: norm(s.positive ? coef : -coef), exp, format };
}

/**
 * The common shape, unsigned digits and a suffix ("100m", "512Mi", "2"), without building the
 * scanner's pieces; same result as the general path, undefined for anything else.
 */
function quickParse(str: string): Parsed | undefined {
  let value = 0;
  let i = 0;
  for (let c = str.charCodeAt(0); i < str.length && i < 15 && isDigit(c); c = str.charCodeAt(++i)) value = value * 10 + (c - 48);
  if (i === 0 || (i < str.length && isDigit(str.charCodeAt(i)))) return undefined;
  const suffix = i === str.length ? "" : str.slice(i);
  const dec = DECIMAL_SUFFIXES.get(suffix);
  if (dec !== undefined) {
    const text = dec % 3 === 0 && value % 1000 !== 0 ? str : undefined;
    return { coef: value, exp: dec, format: "DecimalSI", text };
  }
  const bin = BINARY_SUFFIXES.get(suffix);
  let significant = 1; // upstream counts digits without leading zeros
  for (let v = value; v >= 10; v = Math.floor(v / 10)) significant++;
  if (bin === undefined || 14 - significant - (bin * 3) / 10 < 0) return undefined;
  return { coef: value * 2 ** bin, exp: 0, format: "BinarySI", text: value % 8 !== 0 ? str : undefined };
}

function parse(str: string): Parsed | string {
  if (str.length === 0) return ERR_FORMAT_WRONG;
  if (str === "0") return { coef: 0, exp: 0, format: "DecimalSI", text: "0" };
  const quick = quickParse(str);
  if (quick) return quick;
  const s = scan(str);
  if (typeof s === "string") return s;
  const suf = interpretSuffix(s.suffix);
  if (!suf) return ERR_SUFFIX;
  return fastParse(str, s, suf) ?? slowParse(s, suf);
}

// ---- canonical form --------------------------------------------------------------------------

function canonicalize(coef: Int, exp: number, format: QuantityFormat): string {
  if (coef === 0 || coef === 0n) return "0";
  if (format === "BinarySI") {
    const binary = binaryCanonical(coef, exp);
    if (binary !== undefined) return binary;
    format = "DecimalSI";
  }
  let [c, e] = stripTens(coef, exp);
  while (e % 3 !== 0) [c, e] = [mul(c, 10), e - 1];
  if (format === "DecimalExponent") return e === 0 ? c.toString() : `${c}e${e}`;
  return c.toString() + (DECIMAL_NAMES.get(e) ?? "");
}

/** "1536Mi"-style text, or undefined where upstream falls back to decimal (|v| < 1024 or fractional). */
function binaryCanonical(coef: Int, exp: number): string | undefined {
  if (compareMagnitude(coef, exp, 1024, 0) < 0) return undefined;
  const [c, e] = stripTens(coef, exp);
  if (e < 0) return undefined;
  let n = big(mul(c, pow10(e)));
  let times = 0;
  while (n % 1024n === 0n) [n, times] = [n / 1024n, times + 1];
  return n.toString() + (BINARY_NAMES[times] ?? "");
}

/** Compares |a|·10^ea with |b|·10^eb without materialising huge powers of ten. */
function compareMagnitude(a: Int, ea: number, b: Int, eb: number): number {
  a = a < 0 ? negate(a) : a;
  b = b < 0 ? negate(b) : b;
  if (ea === eb) return cmpInt(a, b);
  if (a === 0 || a === 0n || b === 0 || b === 0n) return cmpInt(a, b);
  if (typeof a === "number" && typeof b === "number" && Math.abs(ea - eb) <= 15) {
    // Fast path: align the smaller exponent's partner while it stays exact.
    const scaled = ea > eb ? a * (POW10[ea - eb] as number) : b * (POW10[eb - ea] as number);
    if (Number.isSafeInteger(scaled)) return ea > eb ? cmpInt(scaled, b) : cmpInt(a, scaled);
  }
  const order = digitCount(a) + ea - (digitCount(b) + eb);
  if (order !== 0) return Math.sign(order);
  return ea > eb ? cmpInt(mul(a, pow10(ea - eb)), b) : cmpInt(a, mul(b, pow10(eb - ea)));
}

// ---- the public type -------------------------------------------------------------------------

export class Quantity {
  private text: string | undefined;

  private constructor(
    private readonly coef: Int,
    private readonly exp: number,
    readonly format: QuantityFormat,
    text?: string,
  ) {
    this.text = text;
  }

  /** Parses upstream's syntax ("100m", "1.5", "512Mi", "1e3"); throws QuantityError with upstream's message. */
  static parse(text: string): Quantity {
    const p = parse(text);
    if (typeof p === "string") throw new QuantityError(p);
    return new Quantity(p.coef, p.exp, p.format, p.text);
  }

  /** The parse error upstream would report for text, or undefined when it is a valid quantity. */
  static check(text: string): string | undefined {
    const p = parse(text);
    return typeof p === "string" ? p : undefined;
  }

  /**
   * A quantity from its JSON form: a string (surrounding whitespace ignored, as upstream) or a number.
   * Upstream sees a number's original text; here "1e3" arrives as 1000 and so keeps DecimalSI form.
   */
  static fromJSON(value: string | number): Quantity {
    return Quantity.parse(typeof value === "number" ? String(value).replace("e+", "e") : value.trim());
  }

  static fromInt(value: number | bigint, format: QuantityFormat = "DecimalSI"): Quantity {
    return new Quantity(norm(big(value)), 0, format);
  }

  /** value/1000, as upstream NewMilliQuantity. */
  static fromMilli(value: number | bigint, format: QuantityFormat = "DecimalSI"): Quantity {
    return new Quantity(norm(big(value)), -3, format);
  }

  static zero(format: QuantityFormat = "DecimalSI"): Quantity {
    return new Quantity(0, 0, format);
  }

  sign(): number {
    return signOf(this.coef);
  }

  isZero(): boolean {
    return this.coef === 0 || this.coef === 0n;
  }

  /** -1, 0 or 1 as this is less than, equal to or greater than other. */
  cmp(other: Quantity): number {
    const sa = this.sign();
    const sb = other.sign();
    if (sa !== sb) return sa < sb ? -1 : 1;
    const m = compareMagnitude(this.coef, this.exp, other.coef, other.exp);
    return sa < 0 ? -m : m;
  }

  equals(other: Quantity): boolean {
    return this.cmp(other) === 0;
  }

  /** The sum; a zero quantity takes the other's format, as upstream Add. */
  add(other: Quantity): Quantity {
    const format = this.isZero() ? other.format : this.format;
    if (other.isZero()) return new Quantity(this.coef, this.exp, format);
    const e = Math.min(this.exp, other.exp);
    const c = add(mul(this.coef, pow10(this.exp - e)), mul(other.coef, pow10(other.exp - e)));
    return new Quantity(c, e, format);
  }

  sub(other: Quantity): Quantity {
    return this.add(other.neg());
  }

  neg(): Quantity {
    return new Quantity(negate(this.coef), this.exp, this.format);
  }

  /** ceil(q) away from zero, as upstream Value(); exact below 2^53. */
  value(): number {
    return this.scaledValue(0);
  }

  /** ceil(q × 1000) away from zero, as upstream MilliValue(); exact below 2^53. */
  milliValue(): number {
    return this.scaledValue(-3);
  }

  /** ceil(q / 10^scale) away from zero, as a number (exact while a safe integer). */
  scaledValue(scale: number): number {
    const diff = this.exp - scale;
    if (typeof this.coef === "number" && diff >= -15 && diff <= 15) {
      const r = diff >= 0 ? this.coef * (POW10[diff] as number) : divPow10Up(this.coef, -diff);
      if (Number.isSafeInteger(r)) return r as number;
    }
    if (diff > 400) return this.sign() * Infinity;
    return Number(this.scaledValueBig(scale));
  }

  /** ceil(q / 10^scale) away from zero, exact (upstream would overflow int64 where this does not). */
  scaledValueBig(scale: number): bigint {
    const diff = this.exp - scale;
    return diff >= 0 ? big(this.coef) * 10n ** BigInt(diff) : big(divPow10Up(this.coef, -diff));
  }

  /** The value as a float, possibly inexact (upstream AsApproximateFloat64). */
  toNumber(): number {
    return Number(this.coef) * 10 ** this.exp;
  }

  /** The canonical form upstream serialises: "1500m", "1536Mi", "1e3", "0". */
  toString(): string {
    return (this.text ??= canonicalize(this.coef, this.exp, this.format));
  }

  toJSON(): string {
    return this.toString();
  }
}
