// Applies validate rules to one admission request (Kyverno's validation engine): for each policy
// and each of its rules (its own and the auto-generated ones) that matches the request, the
// preconditions gate the rule, then its pattern, anyPattern or deny conditions decide pass or
// fail, with Kyverno's messages ("validation error: <message>. rule <name> failed at path <path>").
// An update that fails an Enforce rule the stored object already failed is let through
// (Kyverno's allowExistingViolations, on unless a rule turns it off), so controllers can keep
// writing objects created before the policy.
import { evaluateConditions } from "./conditions.js";
import { type MatchTarget, ruleApplies } from "./match.js";
import { type FailureAction, failureActionOf, type PolicySpec, type Rule } from "./policy.js";
import { validateRule } from "./validate-rule.js";
import type { VariableContext } from "./variables.js";

export interface CompiledPolicy {
  name: string;
  /** Set for a namespaced Policy. */
  namespace?: string;
  spec: PolicySpec;
  /** The policy's rules followed by its auto-generated ones. */
  rules: Rule[];
}

export type { RuleStatus } from "./validate-rule.js";
import type { RuleStatus } from "./validate-rule.js";

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
