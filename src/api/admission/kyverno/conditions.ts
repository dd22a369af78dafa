// Kyverno's conditions (deny.conditions and preconditions): `{key, operator, value}` after variable
// substitution, combined as `any` (one holds) and `all` (every one holds); an older plain list means
// all. Operators as Kyverno's: Equals/NotEquals (wildcards in the value), AnyIn/AllIn/AnyNotIn/
// AllNotIn (In and NotIn, deprecated, as AllIn and AnyNotIn), and GreaterThan(OrEquals)/LessThan(OrEquals)
// for numbers, quantities and durations.
import { matchesValue } from "./pattern-value.js";
import type { Condition, Conditions } from "./policy.js";
import { substitute, type VariableContext } from "./variables.js";
import { wildcardMatch } from "./wildcard.js";

export interface ConditionsResult {
  holds: boolean;
  /** Messages of the conditions that held (deny) — Kyverno appends them to the rule's message. */
  messages: string[];
}

export function evaluateConditions(conditions: Conditions | undefined, context: VariableContext): ConditionsResult {
  if (!conditions) return { holds: true, messages: [] };
  const { any, all } = Array.isArray(conditions) ? { any: undefined, all: conditions } : conditions;
  const messages: string[] = [];
  const check = (c: Condition) => {
    const held = evaluateCondition(c, context);
    if (held && c.message) messages.push(String(substitute(c.message, context)));
    return held;
  };
  const allHold = (all ?? []).every(check);
  const anyHolds = !any || any.length === 0 || any.some(check);
  return { holds: allHold && anyHolds, messages };
}

export function evaluateCondition(condition: Condition, context: VariableContext): boolean {
  const key = substitute(condition.key, context);
  const value = substitute(condition.value, context);
  switch (condition.operator.toLowerCase()) {
    case "equals":
    case "equal":
      return equals(key, value);
    case "notequals":
    case "notequal":
      return !equals(key, value);
    case "anyin":
      return listOf(key).some((k) => inSet(k, value));
    case "allin":
    case "in":
      return listOf(key).every((k) => inSet(k, value));
    case "anynotin":
    case "notin":
      return listOf(key).some((k) => !inSet(k, value));
    case "allnotin":
      return listOf(key).every((k) => !inSet(k, value));
    case "greaterthan":
      return ordered(key, value, ">");
    case "greaterthanorequals":
      return ordered(key, value, ">=");
    case "lessthan":
      return ordered(key, value, "<");
    case "lessthanorequals":
      return ordered(key, value, "<=");
    default:
      throw new Error(`unsupported condition operator ${condition.operator}`);
  }
}

function equals(key: unknown, value: unknown): boolean {
  if (typeof key === "string" && typeof value === "string") return wildcardMatch(value, key) || (key !== "" && value !== "" && matchesValue(key, value));
  if (typeof key === "number" && (typeof value === "number" || typeof value === "string")) return matchesValue(key, value);
  return JSON.stringify(key) === JSON.stringify(value);
}

function listOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

/** Whether one key is in the value: a list of (wildcard) entries, or a single (wildcard) string. */
function inSet(key: unknown, value: unknown): boolean {
  const entries = Array.isArray(value) ? value : [value];
  return entries.some((entry) => (typeof entry === "string" && typeof key === "string" ? wildcardMatch(entry, key) : JSON.stringify(entry) === JSON.stringify(key)));
}

function ordered(key: unknown, value: unknown, op: ">" | ">=" | "<" | "<="): boolean {
  if (typeof value !== "number" && typeof value !== "string") return false;
  return matchesValue(key, `${op}${String(value)}`);
}
