// Applies validate rules to one admission request (Kyverno's validation engine): for each policy
// and each of its rules (its own and the auto-generated ones) that matches the request, the
// preconditions gate the rule, then its pattern, anyPattern or deny conditions decide pass or
// fail, with Kyverno's messages ("validation error: <message>. rule <name> failed at path <path>").
// An update that fails an Enforce rule the stored object already failed is let through
// (Kyverno's allowExistingViolations, on unless a rule turns it off), so controllers can keep
// writing objects created before the policy.
import { evaluateConditions } from "./conditions.js";
import { type MatchTarget, ruleApplies } from "./match.js";
import { matchPattern } from "./pattern.js";
import { type FailureAction, failureActionOf, type PolicySpec, type Rule } from "./policy.js";
import { substitute, type VariableContext } from "./variables.js";

export interface CompiledPolicy {
  name: string;
  /** Set for a namespaced Policy. */
  namespace?: string;
  spec: PolicySpec;
  /** The policy's rules followed by its auto-generated ones. */
  rules: Rule[];
}

export type RuleStatus = "pass" | "fail" | "skip" | "error";

export interface RuleResponse {
  policy: CompiledPolicy;
  rule: string;
  status: RuleStatus;
  message: string;
  action: FailureAction;
}

/** The stored object of an UPDATE, and the variables as if it were being created. */
export interface PriorState {
  resource: unknown;
  context: VariableContext;
}

export function applyPolicies(policies: readonly CompiledPolicy[], target: MatchTarget, resource: unknown, context: VariableContext, prior?: PriorState): RuleResponse[] {
  const responses: RuleResponse[] = [];
  for (const policy of policies) {
    if (policy.spec.admission === false) continue;
    for (const rule of policy.rules) {
      if (!rule.validate || !ruleApplies(rule.match, rule.exclude, target)) continue;
      const respond = (status: RuleStatus, message: string) => responses.push({ policy, rule: rule.name, status, message, action: failureActionOf(rule, policy.spec) });
      try {
        if (!evaluateConditions(rule.preconditions, context).holds) {
          respond("skip", "preconditions not met");
          continue;
        }
        const [status, message] = validateRule(rule, resource, context);
        if (status === "fail" && prior && failureActionOf(rule, policy.spec) === "Enforce" && rule.validate.allowExistingViolations !== false && validateRule(rule, prior.resource, prior.context)[0] === "fail") {
          respond("skip", "skipping the rule evaluation as pre-existing violations are allowed");
          continue;
        }
        respond(status, message);
      } catch (err) {
        respond("error", `validation error: rule ${rule.name} execution error: ${(err as Error).message}`);
      }
    }
  }
  return responses;
}

function validateRule(rule: Rule, resource: unknown, context: VariableContext): [RuleStatus, string] {
  const validate = rule.validate!;
  const message = validate.message === undefined ? undefined : String(substitute(validate.message, context));
  if (validate.deny) {
    const denied = evaluateConditions(validate.deny.conditions, context);
    if (!denied.holds) return ["pass", `validation rule '${rule.name}' passed.`];
    const text = [message, ...denied.messages].filter(Boolean).join("; ");
    return ["fail", text || `validation error: rule ${rule.name} failed`];
  }
  if (validate.pattern !== undefined) {
    const result = matchPattern(resource, substitute(validate.pattern, context));
    if (result.outcome === "pass") return ["pass", `validation rule '${rule.name}' passed.`];
    if (result.outcome === "skip") return ["skip", result.message];
    return ["fail", patternFailure(rule.name, message, result.path)];
  }
  const failures: string[] = [];
  let skipped = 0;
  for (const [i, pattern] of (validate.anyPattern ?? []).entries()) {
    const result = matchPattern(resource, substitute(pattern, context));
    if (result.outcome === "pass") return ["pass", `validation rule '${rule.name}' anyPattern[${i}] passed.`];
    if (result.outcome === "skip") skipped++;
    else failures.push(`rule ${rule.name}[${i}] failed at path ${result.path}`);
  }
  if (failures.length === 0 && skipped > 0) return ["skip", `rule ${rule.name} skipped`];
  const errors = failures.join(" ");
  if (message === undefined) return ["fail", `validation error: ${errors}`];
  return ["fail", `validation error: ${message}${message.endsWith(".") ? "" : "."} ${errors}`];
}

function patternFailure(ruleName: string, message: string | undefined, path: string): string {
  if (message === undefined || message === "") return `validation error: rule ${ruleName} failed at path ${path}`;
  return `validation error: ${message.endsWith(".") ? message : `${message}.`} rule ${ruleName} failed at path ${path}`;
}
