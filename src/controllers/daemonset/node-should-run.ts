// Whether a node should run a DaemonSet's pod (upstream NodeShouldRunDaemonPod and predicates in
// daemon_controller.go), decided with the scheduler's own pure predicates (src/scheduler): the
// template's nodeName, its nodeSelector and required node affinity (RequiredNodeAffinity), and the
// node's NoSchedule/NoExecute taints against the template's tolerations plus the tolerations every
// daemon pod gets (util.AddOrUpdateDaemonPodTolerations). Two answers, as upstream:
// - shouldRun: a daemon pod should be started there if none runs;
// - shouldContinueRunning: a daemon pod already there may stay (only untolerated NoExecute taints,
//   a nodeName or affinity mismatch evict it).
// Pure: no I/O, nothing mutated.
import type { Toleration } from "../../scheduler/api-types.js";
import { RequiredNodeAffinity } from "../../scheduler/node-affinity.js";
import { findMatchingUntoleratedTaint, isDoNotScheduleTaint } from "../../scheduler/taints.js";
import type { DaemonPod, DaemonPodTemplate, DaemonSet, Node } from "./objects.js";

export const TaintNodeNotReady = "node.kubernetes.io/not-ready";
export const TaintNodeUnreachable = "node.kubernetes.io/unreachable";
export const TaintNodeDiskPressure = "node.kubernetes.io/disk-pressure";
export const TaintNodeMemoryPressure = "node.kubernetes.io/memory-pressure";
export const TaintNodePIDPressure = "node.kubernetes.io/pid-pressure";
export const TaintNodeUnschedulable = "node.kubernetes.io/unschedulable";
export const TaintNodeNetworkUnavailable = "node.kubernetes.io/network-unavailable";

export interface ShouldRun {
  shouldRun: boolean;
  shouldContinueRunning: boolean;
}

/** NodeShouldRunDaemonPod. */
export function nodeShouldRunDaemonPod(node: Node, ds: DaemonSet): ShouldRun {
  const nodeName = node.metadata.name ?? "";
  const pod = newPod(ds, nodeName);
  const templateNodeName = ds.spec.template?.spec?.nodeName ?? "";
  if (templateNodeName !== "" && templateNodeName !== nodeName) return { shouldRun: false, shouldContinueRunning: false };
  const taints = node.spec?.taints ?? [];
  const tolerations = pod.spec?.tolerations ?? [];
  // The affinity of the template (not the metadata.name term the controller injects per node).
  const fitsNodeAffinity = RequiredNodeAffinity.fromPod(pod).matches({ name: nodeName, labels: node.metadata.labels ?? {} });
  if (!fitsNodeAffinity) return { shouldRun: false, shouldContinueRunning: false };
  if (findMatchingUntoleratedTaint(taints, tolerations, isDoNotScheduleTaint) === undefined) return { shouldRun: true, shouldContinueRunning: true };
  // Scheduled daemon pods continue running as long as they tolerate the NoExecute taints.
  const noExecute = findMatchingUntoleratedTaint(taints, tolerations, (t) => t.effect === "NoExecute");
  return { shouldRun: false, shouldContinueRunning: noExecute === undefined };
}

/** NewPod: the template as a pod bound to nodeName, with the daemon tolerations added. */
export function newPod(ds: DaemonSet, nodeName: string): DaemonPod {
  const template = ds.spec.template ?? {};
  const spec = { ...template.spec, nodeName, tolerations: daemonPodTolerations(template) };
  return { metadata: { ...template.metadata, namespace: ds.metadata.namespace }, spec: spec as DaemonPod["spec"] };
}

/**
 * AddOrUpdateDaemonPodTolerations: daemon pods survive node problems (not-ready and unreachable
 * NoExecute, forever) and schedule onto nodes under pressure, cordoned, or (host network pods)
 * without a network. Returns a new list; the template's tolerations are not changed.
 */
export function daemonPodTolerations(template: DaemonPodTemplate): Toleration[] {
  let tolerations: Toleration[] = [...(template.spec?.tolerations ?? [])];
  const add = (key: string, effect: string) => (tolerations = addOrUpdateToleration(tolerations, { key, operator: "Exists", effect }));
  add(TaintNodeNotReady, "NoExecute");
  add(TaintNodeUnreachable, "NoExecute");
  add(TaintNodeDiskPressure, "NoSchedule");
  add(TaintNodeMemoryPressure, "NoSchedule");
  add(TaintNodePIDPressure, "NoSchedule");
  add(TaintNodeUnschedulable, "NoSchedule");
  if (template.spec?.hostNetwork === true) add(TaintNodeNetworkUnavailable, "NoSchedule");
  return tolerations;
}

/**
 * v1helper.AddOrUpdateTolerationInPodSpec: a toleration with the same key, operator, value and
 * effect is replaced (keeping its place); otherwise the new one is appended.
 */
function addOrUpdateToleration(tolerations: readonly Toleration[], toleration: Toleration): Toleration[] {
  const same = (t: Toleration) =>
    (t.key ?? "") === (toleration.key ?? "") && (t.operator ?? "") === (toleration.operator ?? "") && (t.value ?? "") === (toleration.value ?? "") && (t.effect ?? "") === (toleration.effect ?? "");
  const index = tolerations.findIndex(same);
  if (index < 0) return [...tolerations, toleration];
  return tolerations.map((t, i) => (i === index ? toleration : t));
}
