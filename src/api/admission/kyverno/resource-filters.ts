// Kyverno's default resourceFilters (its ConfigMap's `[kind,namespace,name]` entries): requests the
// engine never evaluates, whatever the policies say — events, nodes, the system namespaces,
// ReplicaSets (their Deployment was checked), bindings and reviews, its own reports; and, in
// kubelite, Leases (node heartbeats are the busiest writes and no policy is about them).
import { wildcardMatch } from "./wildcard.js";
import { kindMatches } from "./match.js";

const FILTERS: ReadonlyArray<[kind: string, namespace: string]> = [
  ["Event", "*"], ["*/*", "kube-system"], ["*/*", "kube-public"], ["*/*", "kube-node-lease"], ["*/*", "kyverno"],
  ["Node", "*"], ["Node/*", "*"], ["APIService", "*"], ["APIService/*", "*"], ["TokenReview", "*"], ["SubjectAccessReview", "*"], ["SelfSubjectAccessReview", "*"],
  ["Binding", "*"], ["Pod/binding", "*"], ["ReplicaSet", "*"], ["ReplicaSet/*", "*"], ["Lease", "*"], ["PolicyReport", "*"], ["ClusterPolicyReport", "*"],
];

export function filteredOut(target: { group: string; version: string; kind: string; subresource: string | undefined; namespace: string | undefined }): boolean {
  return FILTERS.some(([kind, namespace]) => {
    if (namespace !== "*" && (target.namespace === undefined || !wildcardMatch(namespace, target.namespace))) return false;
    if (kind === "*/*") return true;
    return kindMatches(kind, target);
  });
}
