// The parts of Kyverno's kyverno.io/v1 ClusterPolicy and Policy that kubelite's engine reads:
// validate rules (pattern, anyPattern, deny conditions), match/exclude and preconditions.
// Mutate, generate and verifyImages rules are stored and counted but not run.
import type { ForEachValidation } from "./validate-rule.js";

export interface ResourceDescription {
  kinds?: string[];
  names?: string[];
  /** Deprecated single name. */
  name?: string;
  namespaces?: string[];
  annotations?: Record<string, string>;
  selector?: unknown;
  namespaceSelector?: unknown;
  operations?: string[];
}

export interface Subject {
  kind: string;
  name: string;
  namespace?: string;
}

export interface UserInfoFilter {
  subjects?: Subject[];
  roles?: string[];
  clusterRoles?: string[];
}

export interface ResourceFilter extends UserInfoFilter {
  resources?: ResourceDescription;
}

/** `match` and `exclude`: `any`/`all` of filters, or (older form) one filter written inline. */
export interface MatchResources extends ResourceFilter {
  any?: ResourceFilter[];
  all?: ResourceFilter[];
}

export interface Condition {
  key: unknown;
  operator: string;
  value?: unknown;
  message?: string;
}

/** `{any, all}`, or (older form) a list that must all hold. */
export type Conditions = { any?: Condition[]; all?: Condition[] } | Condition[];

export interface Validation {
  foreach?: ForEachValidation[];
  message?: string;
  failureAction?: string;
  pattern?: unknown;
  anyPattern?: unknown[];
  deny?: { conditions?: Conditions };
  /** An update may keep a violation the stored object already had (Kyverno's default: true). */
  allowExistingViolations?: boolean;
}

export interface Rule {
  name: string;
  match?: MatchResources;
  exclude?: MatchResources;
  preconditions?: Conditions;
  validate?: Validation;
  mutate?: unknown;
  generate?: unknown;
  verifyImages?: unknown;
}

export interface PolicySpec {
  rules?: Rule[];
  validationFailureAction?: string;
  background?: boolean;
  admission?: boolean;
  failurePolicy?: string;
}

export type FailureAction = "Enforce" | "Audit";

export const POLICY_GROUP = "kyverno.io";

/** The rule's own failureAction, else the policy's validationFailureAction; Kyverno's default is Audit. */
export function failureActionOf(rule: Rule, spec: PolicySpec): FailureAction {
  const action = rule.validate?.failureAction ?? spec.validationFailureAction ?? "Audit";
  return action.toLowerCase() === "enforce" ? "Enforce" : "Audit";
}
