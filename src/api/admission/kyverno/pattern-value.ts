// How one scalar of a Kyverno pattern matches one value of the resource (Kyverno's
// pkg/engine/pattern): booleans and numbers compare by value (numbers also against numeric
// strings); `null` matches an empty or zero value; a string pattern is alternatives joined by `|`,
// each a conjunction joined by `&`, each an operator (`>`, `<`, `>=`, `<=`, `!`, none for
// equality, ranges `a-b` and `a!-b`) applied to a duration ("30s"), a quantity ("100Mi", "2") or,
// for (in)equality, a wildcard string ("nginx:*").
import { Quantity } from "../../quantity.js";
import { wildcardMatch } from "./wildcard.js";

type Operator = "" | ">=" | "<=" | ">" | "<" | "!" | "-" | "!-";

const NUMBER_WITH_UNIT = String.raw`[-+]?\d+(?:\.\d+)?[A-Za-z]*`;
const IN_RANGE = new RegExp(`^(${NUMBER_WITH_UNIT})-(${NUMBER_WITH_UNIT})$`);
const NOT_IN_RANGE = new RegExp(`^(${NUMBER_WITH_UNIT})!-(${NUMBER_WITH_UNIT})$`);

export function matchesValue(value: unknown, pattern: unknown): boolean {
  switch (typeof pattern) {
    case "boolean":
      return value === pattern;
    case "number":
      return matchesNumber(value, pattern);
    case "string":
      return matchesStringPattern(value, pattern);
    case "object":
      if (pattern === null) return matchesNull(value);
      if (Array.isArray(pattern)) return false;
      return typeof value === "object" && value !== null && !Array.isArray(value);
    default:
      return false;
  }
}

function matchesNumber(value: unknown, pattern: number): boolean {
  if (typeof value === "number") return value === pattern;
  if (typeof value === "string" && value.trim() !== "" && !Number.isNaN(Number(value))) return Number(value) === pattern;
  return false;
}

function matchesNull(value: unknown): boolean {
  return value === null || value === undefined || value === 0 || value === "" || value === false;
}

function matchesStringPattern(value: unknown, pattern: string): boolean {
  if (value === pattern) return true;
  return pattern.split("|").some((alternative) => alternative.trim().split("&").every((condition) => matchesCondition(value, condition.trim())));
}

function operatorOf(pattern: string): Operator {
  if (pattern.length < 2) return "";
  for (const op of [">=", "<=", ">", "<", "!"] as const) if (pattern.startsWith(op)) return op;
  if (NOT_IN_RANGE.test(pattern)) return "!-";
  if (IN_RANGE.test(pattern)) return "-";
  return "";
}

function matchesCondition(value: unknown, condition: string): boolean {
  const op = operatorOf(condition);
  if (op === "-" || op === "!-") {
    const [, low = "", high = ""] = (op === "-" ? IN_RANGE : NOT_IN_RANGE).exec(condition) ?? [];
    return op === "-" ? compare(value, low, ">=") && compare(value, high, "<=") : compare(value, low, "<") || compare(value, high, ">");
  }
  return compare(value, condition.slice(op.length).trim(), op);
}

function compare(value: unknown, operand: string, op: Operator): boolean {
  const durations = compareAs(value, operand, parseDuration);
  if (durations !== undefined) return applyOrder(durations, op);
  const quantities = compareAs(value, operand, parseQuantity);
  if (quantities !== undefined) return applyOrder(quantities, op);
  if (op !== "" && op !== "!") return false; // ordering applies to numbers, quantities and durations only
  const text = scalarText(value);
  if (text === undefined) return false;
  const matched = wildcardMatch(operand, text);
  return op === "!" ? !matched : matched;
}

/** sign(value - operand) when both parse with `parse`, else undefined. A missing value counts as 0. */
function compareAs(value: unknown, operand: string, parse: (text: string) => number | Quantity | undefined): number | undefined {
  const right = parse(operand);
  if (right === undefined) return undefined;
  const text = value === undefined || value === null ? "0" : typeof value === "number" ? String(value) : typeof value === "string" ? value : undefined;
  const left = text === undefined ? undefined : parse(text);
  if (left === undefined) return undefined;
  if (left instanceof Quantity && right instanceof Quantity) return left.cmp(right);
  return Math.sign((left as number) - (right as number));
}

function applyOrder(sign: number, op: Operator): boolean {
  switch (op) {
    case "":
      return sign === 0;
    case "!":
      return sign !== 0;
    case ">":
      return sign > 0;
    case "<":
      return sign < 0;
    case ">=":
      return sign >= 0;
    case "<=":
      return sign <= 0;
    default:
      return false;
  }
}

function parseQuantity(text: string): Quantity | undefined {
  if (text.trim() === "" || Quantity.check(text.trim()) !== undefined) return undefined;
  return Quantity.parse(text.trim());
}

const DURATION_UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, "µs": 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go's time.ParseDuration ("1h30m", "500ms", "-2s"; a bare "0"), in milliseconds. */
export function parseDuration(text: string): number | undefined {
  const match = /^([-+]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h))+$/.exec(text);
  if (text === "0") return 0;
  if (!match) return undefined;
  let total = 0;
  for (const part of text.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/g)) total += Number(part[1]) * DURATION_UNITS[part[2]!]!;
  return match[1] === "-" ? -total : total;
}

function scalarText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined;
}
