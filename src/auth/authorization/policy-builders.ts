// Small builders for the default policy's rules and objects, so the policy files read like
// upstream's bootstrap policy: rule(verbs, groups, resources), urls(verbs, paths).
import type { KubeObject } from "../../api/resource.js";
import type { PolicyRule } from "./policy-rule.js";

export const READ = ["get", "list", "watch"] as const;
export const WRITE = ["create", "update", "patch", "delete", "deletecollection"] as const;
export const READ_WRITE = [...READ, ...WRITE] as const;

/** Labels upstream puts on every default role and binding. */
export const BOOTSTRAP_LABELS = { "kubernetes.io/bootstrapping": "rbac-defaults" };
export const AUTOUPDATE_ANNOTATION = "rbac.authorization.kubernetes.io/autoupdate";

export function rule(verbs: readonly string[], groups: readonly string[], resources: readonly string[], resourceNames?: readonly string[]): PolicyRule {
  return { verbs: [...verbs], apiGroups: [...groups], resources: [...resources], ...(resourceNames ? { resourceNames: [...resourceNames] } : {}) };
}

export function urls(verbs: readonly string[], paths: readonly string[]): PolicyRule {
  return { verbs: [...verbs], nonResourceURLs: [...paths] };
}

/** What components that record events need (core and events.k8s.io). */
export function eventsRule(): PolicyRule {
  return rule(["create", "update", "patch"], ["", "events.k8s.io"], ["events"]);
}

export interface ClusterRoleSpec {
  name: string;
  rules: PolicyRule[];
  labels?: Record<string, string>;
  /** Label selectors (matchLabels) whose ClusterRoles' rules are aggregated into this one. */
  aggregateFrom?: Record<string, string>[];
}

export function clusterRoleObject(spec: ClusterRoleSpec): KubeObject {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: { name: spec.name, labels: { ...BOOTSTRAP_LABELS, ...spec.labels }, annotations: { [AUTOUPDATE_ANNOTATION]: "true" } },
    ...(spec.aggregateFrom ? { aggregationRule: { clusterRoleSelectors: spec.aggregateFrom.map((matchLabels) => ({ matchLabels })) } } : {}),
    rules: spec.aggregateFrom ? [] : spec.rules,
  };
}

export interface Subject {
  kind: "User" | "Group" | "ServiceAccount";
  name: string;
  namespace?: string;
}

export const user = (name: string): Subject => ({ kind: "User", name });
export const group = (name: string): Subject => ({ kind: "Group", name });
export const serviceAccount = (namespace: string, name: string): Subject => ({ kind: "ServiceAccount", name, namespace });

export function clusterRoleBindingObject(name: string, role: string, subjects: Subject[]): KubeObject {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRoleBinding",
    metadata: { name, labels: { ...BOOTSTRAP_LABELS }, annotations: { [AUTOUPDATE_ANNOTATION]: "true" } },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role },
    subjects: subjects.map((s) => (s.kind === "ServiceAccount" ? { ...s } : { ...s, apiGroup: "rbac.authorization.k8s.io" })),
  };
}
