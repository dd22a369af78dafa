// How one validate rule judges a resource (Kyverno's validator): a pattern, anyPattern (one must
// match) or deny conditions, or `foreach` over a list from the variables (`request.object.spec.
// containers`), where each element is checked with `element`/`elementIndex` set and patterns apply
// to the element itself. Messages are Kyverno's: "validation error: <message>. rule <name> failed
// at path <path>", "validation failure: ..." for a foreach element.
import { evaluateConditions } from "./conditions.js";
import { matchPattern } from "./pattern.js";
import type { Conditions, Rule } from "./policy.js";
import { evaluate, substitute, type VariableContext } from "./variables.js";

export type RuleStatus = "pass" | "fail" | "skip" | "error";

/** What one check holds: exactly one of these. */
interface Check {
  pattern?: unknown;
  anyPattern?: unknown[];
  deny?: { conditions?: Conditions };
}

export interface ForEachValidation extends Check {
  list: string;
  preconditions?: Conditions;
  elementScope?: boolean;
}

export function validateRule(rule: Rule, resource: unknown, context: VariableContext): [RuleStatus, string] {
  const validate = rule.validate!;
  const message = validate.message === undefined ? undefined : String(substitute(validate.message, context));
  if (validate.foreach) return validateForEach(rule.name, message, validate.foreach, resource, context);
  return check(rule.name, message, validate, resource, context);
}

function validateForEach(ruleName: string, message: string | undefined, foreach: ForEachValidation[], resource: unknown, context: VariableContext): [RuleStatus, string] {
  let applied = 0;
  for (const entry of foreach) {
    const list = evaluate(entry.list.replace(/^\s*\{\{|\}\}\s*$/g, ""), context);
    if (!Array.isArray(list)) continue;
    for (const [index, element] of list.entries()) {
      if (element === null || element === undefined) continue;
      const elementContext = { ...context, element, elementIndex: index };
      if (!evaluateConditions(entry.preconditions, elementContext).holds) continue;
      const scoped = entry.elementScope ?? true;
      const [status, text] = check(ruleName, message, entry, scoped ? element : resource, elementContext);
      if (status === "skip") continue;
      if (status !== "pass") return [status, `validation failure: ${text}`];
      applied++;
    }
  }
  return applied === 0 ? ["skip", `rule ${ruleName} skipped: no elements to check`] : ["pass", "rule passed"];
}

function check(ruleName: string, message: string | undefined, validate: Check, resource: unknown, context: VariableContext): [RuleStatus, string] {
  if (validate.deny) {
    const denied = evaluateConditions(validate.deny.conditions, context);
    if (!denied.holds) return ["pass", `validation rule '${ruleName}' passed.`];
    const text = [message, ...denied.messages].filter(Boolean).join("; ");
    return ["fail", text || `validation error: rule ${ruleName} failed`];
  }
  if (validate.pattern !== undefined) {
    const result = matchPattern(resource, substitute(validate.pattern, context));
    if (result.outcome === "pass") return ["pass", `validation rule '${ruleName}' passed.`];
    if (result.outcome === "skip") return ["skip", result.message];
    return ["fail", patternFailure(ruleName, message, result.path)];
  }
  const failures: string[] = [];
  let skipped = 0;
  for (const [i, pattern] of (validate.anyPattern ?? []).entries()) {
    const result = matchPattern(resource, substitute(pattern, context));
    if (result.outcome === "pass") return ["pass", `validation rule '${ruleName}' anyPattern[${i}] passed.`];
    if (result.outcome === "skip") skipped++;
    else failures.push(`rule ${ruleName}[${i}] failed at path ${result.path}`);
  }
  if (failures.length === 0 && skipped > 0) return ["skip", `rule ${ruleName} skipped`];
  const errors = failures.join(" ");
  if (message === undefined) return ["fail", `validation error: ${errors}`];
  return ["fail", `validation error: ${withPeriod(message)} ${errors}`];
}

function patternFailure(ruleName: string, message: string | undefined, path: string): string {
  if (message === undefined || message === "") return `validation error: rule ${ruleName} failed at path ${path}`;
  return `validation error: ${withPeriod(message)} rule ${ruleName} failed at path ${path}`;
}

function withPeriod(message: string): string {
  return message.endsWith(".") ? message : `${message}.`;
}
