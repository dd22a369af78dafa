// The RBAC authorizer: allows a request when a rule of a role bound to the user (by a
// ClusterRoleBinding, or a RoleBinding in the request's namespace) allows it; otherwise no opinion,
// with the resolution errors (a binding to a missing role) as the reason, as upstream.
//
// Lookups go through RbacIndex (bindings by subject), so a decision costs the rules of the user's
// own bindings, not a scan of all bindings. Components ask the same questions over and over (the
// scheduler binds every pod), so a decision allowed by a rule without resourceNames is remembered
// per (user, verb, resource, namespace) until the next RBAC change.
import type { UserInfo } from "../authenticate.js";
import type { Attributes } from "./attributes.js";
import { NO_OPINION, type AuthorizationResult, type Authorizer } from "./authorizer.js";
import { ruleAllows, type PolicyRule } from "./policy-rule.js";
import { subjectKeys, type IndexedBinding, type RbacIndex } from "./rbac-index.js";

/** Visits each rule; returns false to stop. `error` reports a binding whose role is missing. */
export interface RuleVisitor {
  rule(rule: PolicyRule, binding: IndexedBinding): boolean;
  error?(message: string): void;
}

/** Decisions remembered at most; the memo is emptied when full (identities are few). */
const MEMO_LIMIT = 10_000;

export class RbacAuthorizer implements Authorizer {
  private memo = new Map<string, true>();
  private memoGeneration = -1;

  constructor(readonly index: RbacIndex) {}

  authorize(attrs: Attributes): AuthorizationResult {
    const memoKey = attrs.kind === "resource" ? this.memoKey(attrs) : undefined;
    if (memoKey !== undefined && this.memo.has(memoKey)) return { decision: "allow", reason: "" };
    let allowedBy: PolicyRule | undefined;
    const errors: string[] = [];
    const namespace = attrs.kind === "resource" ? attrs.namespace : "";
    this.visitRules(attrs.user, namespace, {
      rule: (rule) => {
        if (!ruleAllows(attrs, rule)) return true;
        allowedBy = rule;
        return false;
      },
      error: (message) => errors.push(message),
    });
    if (allowedBy) {
      if (memoKey !== undefined && (allowedBy.resourceNames ?? []).length === 0) this.remember(memoKey);
      return { decision: "allow", reason: "" };
    }
    return errors.length === 0 ? NO_OPINION : { decision: "noOpinion", reason: `RBAC: ${errors.join(", ")}` };
  }

  /** Every rule that applies to the user in the namespace ("" = cluster-wide rules only). */
  rulesFor(user: UserInfo, namespace: string): { rules: PolicyRule[]; errors: string[] } {
    const rules: PolicyRule[] = [];
    const errors: string[] = [];
    this.visitRules(user, namespace, { rule: (rule) => (rules.push(rule), true), error: (message) => errors.push(message) });
    return { rules, errors };
  }

  /** ClusterRoleBindings first, then RoleBindings of the namespace (upstream VisitRulesFor). */
  visitRules(user: UserInfo, namespace: string, visitor: RuleVisitor): void {
    const keys = subjectKeys(user);
    const seen = new Set<IndexedBinding>();
    const visitBinding = (binding: IndexedBinding): boolean => {
      if (seen.has(binding)) return true;
      seen.add(binding);
      const rules = this.index.rulesOf(binding);
      if (!rules) {
        const kind = binding.roleRef.kind === "Role" ? "role" : "clusterrole";
        visitor.error?.(`${kind}.rbac.authorization.k8s.io ${JSON.stringify(binding.roleRef.name)} not found`);
        return true;
      }
      for (const rule of rules) if (!visitor.rule(rule, binding)) return false;
      return true;
    };
    for (const key of keys) {
      for (const binding of this.index.clusterBindingsFor(key) ?? []) if (!visitBinding(binding)) return;
    }
    if (namespace === "") return;
    for (const key of keys) {
      for (const binding of this.index.roleBindingsFor(namespace, key) ?? []) if (!visitBinding(binding)) return;
    }
  }

  private memoKey(attrs: Attributes & { kind: "resource" }): string {
    if (this.memoGeneration !== this.index.generation) {
      this.memo = new Map();
      this.memoGeneration = this.index.generation;
    }
    const { user } = attrs;
    return `${user.name}\u0000${user.groups.join("\u0001")}\u0000${attrs.verb}\u0000${attrs.apiGroup}\u0000${attrs.resource}\u0000${attrs.subresource}\u0000${attrs.namespace}`;
  }

  private remember(key: string): void {
    if (this.memo.size >= MEMO_LIMIT) this.memo.clear();
    this.memo.set(key, true);
  }
}
