// PodTopologySpread's constraints (upstream plugins/podtopologyspread/common.go, v1.32): a pod's
// constraints for one whenUnsatisfiable action, compiled, with upstream's defaults (minDomains 1,
// nodeAffinityPolicy Honor, nodeTaintsPolicy Ignore) and matchLabelKeys merged into the selector;
// which nodes count as domains; and counting matching pods through the label index.
import { LabelSelector, type Labels } from "../../api/label-selector.js";
import type { TopologySpreadConstraint as ApiConstraint } from "../api-types.js";
import type { SharedLister } from "../framework.js";
import type { NodeInfo } from "../node-info.js";
import type { RequiredNodeAffinity } from "../node-affinity.js";
import type { PodInfo } from "../pod-info.js";
import { findMatchingUntoleratedTaint, isDoNotScheduleTaint } from "../taints.js";

export interface SpreadConstraint {
  readonly maxSkew: number;
  readonly topologyKey: string;
  readonly selector: LabelSelector;
  readonly minDomains: number;
  readonly nodeAffinityPolicy: string;
  readonly nodeTaintsPolicy: string;
}

/** upstream filterTopologySpreadConstraints; throws on a bad selector. */
export function spreadConstraints(pod: PodInfo, action: "DoNotSchedule" | "ScheduleAnyway"): SpreadConstraint[] {
  return (pod.pod.spec?.topologySpreadConstraints ?? []).filter((c) => c.whenUnsatisfiable === action).map((c) => ({
    maxSkew: c.maxSkew,
    topologyKey: c.topologyKey,
    selector: selectorWithMatchLabelKeys(c, pod.labels),
    minDomains: c.minDomains ?? 1,
    nodeAffinityPolicy: c.nodeAffinityPolicy ?? "Honor",
    nodeTaintsPolicy: c.nodeTaintsPolicy ?? "Ignore",
  }));
}

/** matchLabelKeys: the pod's own values for those keys are ANDed into the selector. */
function selectorWithMatchLabelKeys(c: ApiConstraint, podLabels: Labels): LabelSelector {
  const extra = (c.matchLabelKeys ?? []).filter((k) => podLabels[k] !== undefined).map((key) => ({ key, operator: "In", values: [podLabels[key] as string] }));
  if (extra.length === 0 || !c.labelSelector) return LabelSelector.fromObject(c.labelSelector);
  return LabelSelector.fromObject({ ...c.labelSelector, matchExpressions: [...(c.labelSelector.matchExpressions ?? []), ...extra] });
}

/** upstream nodeLabelsMatchSpreadConstraints: the node has every constraint's topology key. */
export function nodeHasAllTopologyKeys(labels: Labels, constraints: readonly SpreadConstraint[]): boolean {
  for (const c of constraints) if (labels[c.topologyKey] === undefined) return false;
  return true;
}

/** upstream matchNodeInclusionPolicies. */
export function matchNodeInclusionPolicies(c: SpreadConstraint, pod: PodInfo, node: NodeInfo, required: RequiredNodeAffinity): boolean {
  if (c.nodeAffinityPolicy === "Honor" && !required.matches(node)) return false;
  if (c.nodeTaintsPolicy === "Honor" && findMatchingUntoleratedTaint(node.taints, pod.pod.spec?.tolerations ?? [], isDoNotScheduleTaint)) return false;
  return true;
}

/**
 * upstream countPodsMatchSelector over the cluster: calls fn with the node of each non-terminating
 * pod in namespace that the selector matches. An empty selector matches no pod here, as upstream.
 */
export function forEachMatchingPodNode(lister: SharedLister, namespace: string, selector: LabelSelector, fn: (node: NodeInfo, pod: PodInfo) => void): void {
  if (selector.isEmpty()) return;
  lister.forEachPodMatching(namespace, selector, (pi) => {
    if (pi.terminating) return;
    const node = lister.getNodeInfo(pi.nodeName);
    if (node) fn(node, pi);
  });
}
