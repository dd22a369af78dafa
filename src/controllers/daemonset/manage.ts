// What `manage` must do for a DaemonSet (upstream podsShouldBeOnNode and manage in
// daemon_controller.go), node by node:
// - should run, no pod: a node needing a daemon pod;
// - may continue running: failed pods are deleted (behind a per-node backoff, with a
//   FailedDaemonPod event), succeeded ones too (SucceededDaemonPod); without surge only the oldest
//   running pod stays; with surge at most the oldest new and the oldest old pod stay, the old one
//   going when it is not ready or the new one is available;
// - must not run: every pod there is deleted;
// plus pods pinned (by node affinity) to nodes that no longer exist and never bound, which the pod
// GC would never see. Returns the plan; the caller carries it out and records the events.
import type { EventType } from "../../client/event-recorder.js";
import { isPodAvailable, isPodReady } from "../pods.js";
import { failedPodsBackoffKey, type FailedPodsBackoff } from "./failed-pods-backoff.js";
import { nodeShouldRunDaemonPod } from "./node-should-run.js";
import {
  ControllerRevisionHashLabelKey, FailedDaemonPodReason, SucceededDaemonPodReason, byCreationTimestampAndPhase,
  type DaemonPod, type DaemonSet, type Node, type NodeToDaemonPods,
} from "./objects.js";
import { allowsSurge } from "./rolling.js";

export interface PlannedEvent {
  type: EventType;
  reason: string;
  message: string;
}

export interface ManagePlan {
  nodesNeedingDaemonPods: string[];
  podsToDelete: string[];
  events: PlannedEvent[];
  /** Look again this soon: a failed pod waits out its backoff. */
  requeueAfterMs?: number;
}

export interface ManageInput {
  ds: DaemonSet;
  nodes: readonly Node[];
  nodeToDaemonPods: NodeToDaemonPods;
  hash: string;
  backoff: FailedPodsBackoff;
  nowMs: number;
}

export function planManage(input: ManageInput): ManagePlan {
  const plan: ManagePlan = { nodesNeedingDaemonPods: [], podsToDelete: [], events: [] };
  for (const node of input.nodes) podsShouldBeOnNode(input, node, plan);
  plan.podsToDelete.push(...getUnscheduledPodsWithoutNode(input.nodes, input.nodeToDaemonPods));
  return plan;
}

function podsShouldBeOnNode(input: ManageInput, node: Node, plan: ManagePlan): void {
  const { ds, nodeToDaemonPods } = input;
  const nodeName = node.metadata.name ?? "";
  const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(node, ds);
  const daemonPods = nodeToDaemonPods.get(nodeName);
  if (shouldRun && daemonPods === undefined) {
    plan.nodesNeedingDaemonPods.push(nodeName);
  } else if (shouldContinueRunning) {
    const running = pruneFinishedPods(input, nodeName, daemonPods ?? [], plan);
    keepOnePodPerNode(input, nodeName, running, shouldRun, plan);
  } else if (daemonPods !== undefined) {
    for (const pod of daemonPods) if (!pod.metadata.deletionTimestamp) plan.podsToDelete.push(pod.metadata.name ?? "");
  }
}

/** Failed and succeeded pods are deleted (failed ones behind the backoff); returns the running rest. */
function pruneFinishedPods(input: ManageInput, nodeName: string, pods: readonly DaemonPod[], plan: ManagePlan): DaemonPod[] {
  const { ds, backoff } = input;
  const running: DaemonPod[] = [];
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    const podRef = `${pod.metadata.namespace ?? ""}/${pod.metadata.name ?? ""}`;
    const phase = pod.status?.phase;
    if (phase === "Failed") {
      // This is where a DaemonSet often fights a kubelet that rejects its pods: back off.
      const key = failedPodsBackoffKey(ds.metadata.uid ?? "", ds.status?.observedGeneration ?? 0, nodeName);
      if (backoff.isInBackOff(key)) {
        plan.requeueAfterMs = Math.min(plan.requeueAfterMs ?? Infinity, backoff.delayMs(key));
        continue;
      }
      backoff.next(key);
      plan.events.push({ type: "Warning", reason: FailedDaemonPodReason, message: `Found failed daemon pod ${podRef} on node ${nodeName}, will try to kill it` });
      plan.podsToDelete.push(pod.metadata.name ?? "");
    } else if (phase === "Succeeded") {
      plan.events.push({ type: "Normal", reason: SucceededDaemonPodReason, message: `Found succeeded daemon pod ${podRef} on node ${nodeName}, will try to delete it` });
      plan.podsToDelete.push(pod.metadata.name ?? "");
    } else {
      running.push(pod);
    }
  }
  return running;
}

function keepOnePodPerNode(input: ManageInput, nodeName: string, running: DaemonPod[], shouldRun: boolean, plan: ManagePlan): void {
  const sorted = [...running].sort(byCreationTimestampAndPhase);
  if (!allowsSurge(input.ds)) {
    // Without surge, every pod but the oldest goes.
    for (const pod of sorted.slice(1)) plan.podsToDelete.push(pod.metadata.name ?? "");
    return;
  }
  if (sorted.length <= 1) {
    // Surging needs at least one live pod on the node.
    if (sorted.length === 0 && shouldRun) plan.nodesNeedingDaemonPods.push(nodeName);
    return;
  }
  keepOldestNewAndOld(input, sorted, plan);
}

/**
 * With surge two pods may share a node: the oldest of the current revision and the oldest of an
 * older one. The old one goes when it is not ready, or when the new one is available.
 */
function keepOldestNewAndOld(input: ManageInput, sorted: readonly DaemonPod[], plan: ManagePlan): void {
  let oldestNew: DaemonPod | undefined;
  let oldestOld: DaemonPod | undefined;
  for (const pod of sorted) {
    const isNew = pod.metadata.labels?.[ControllerRevisionHashLabelKey] === input.hash;
    if (isNew && !oldestNew) oldestNew = pod;
    else if (!isNew && !oldestOld) oldestOld = pod;
    else plan.podsToDelete.push(pod.metadata.name ?? "");
  }
  if (!oldestNew || !oldestOld) return;
  if (!isPodReady(oldestOld) || isPodAvailable(oldestNew, input.ds.spec.minReadySeconds ?? 0, input.nowMs)) {
    plan.podsToDelete.push(oldestOld.metadata.name ?? "");
  }
}

/** getUnscheduledPodsWithoutNode: never-bound pods pinned to nodes that do not exist. */
export function getUnscheduledPodsWithoutNode(nodes: readonly Node[], nodeToDaemonPods: NodeToDaemonPods): string[] {
  const existing = new Set(nodes.map((n) => n.metadata.name ?? ""));
  const result: string[] = [];
  for (const [nodeName, pods] of nodeToDaemonPods) {
    if (existing.has(nodeName)) continue;
    for (const pod of pods) if ((pod.spec?.nodeName ?? "") === "") result.push(pod.metadata.name ?? "");
  }
  return result;
}
