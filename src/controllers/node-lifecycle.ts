// The node lifecycle controller (upstream pkg/controller/nodelifecycle), level-triggered per node:
// - a node whose kubelet has neither renewed its Lease nor posted a new Ready heartbeat for longer
//   than --node-monitor-grace-period gets Ready, MemoryPressure, DiskPressure and PIDPressure set to
//   Unknown ("NodeStatusUnknown", "Kubelet stopped posting node status.") through nodes/status;
// - conditions become NoSchedule taints (not-ready, unreachable, memory-, disk-, pid-pressure,
//   network-unavailable, and unschedulable for a cordoned node), and Ready False/Unknown the
//   mutually exclusive not-ready/unreachable NoExecute taints, stamped with timeAdded, that the taint
//   eviction controller acts on; all are removed when the conditions clear;
// - pods on a node that is not Ready get their Ready condition set False (MarkPodsNotReady).
// Heartbeats are timed on this controller's clock, as upstream's nodeHealthMap: a node's probe time
// is when a change of its Lease renewTime or Ready heartbeat was observed, so clock skew between
// hosts does not matter, and a restarted controller gives every node a full grace period. Each
// node is requeued for the moment its grace period ends: there is no polling loop.
// Like upstream's disruption handling, no NoExecute taint is kept while every node is NotReady (the
// control plane is more likely cut off than every node dead), and none is added while a zone of at
// most 50 nodes has more than 2 and at least 55% of them NotReady.
import { StatusError } from "../api/errors.js";
import type { KubeObject } from "../api/resource.js";
import { CORE_V1, type ResourceRef } from "../client/client.js";
import { defineController, enqueueObject, type Controller, type ReconcileResult } from "../client/controller.js";
import { indexFuncs, keyFor } from "../client/indexer.js";
import type { Informer } from "../client/informer.js";
import type { ControllerContext, ControllerRegistration } from "./controller-context.js";
import { NODE_NAME_INDEX, taintsOf, type Taint } from "./taint-eviction.js";
import { rfc3339 } from "../api/meta-time.js";

const NODES = CORE_V1("nodes");
const PODS = CORE_V1("pods");
const LEASES: ResourceRef = { group: "coordination.k8s.io", version: "v1", resource: "leases" };
const NODE_LEASE_NAMESPACE = "kube-node-lease";

export const TAINT_NODE_NOT_READY = "node.kubernetes.io/not-ready";
export const TAINT_NODE_UNREACHABLE = "node.kubernetes.io/unreachable";
export const TAINT_NODE_UNSCHEDULABLE = "node.kubernetes.io/unschedulable";

/** Event reasons. */
export const RegisteredNode = "RegisteredNode";
export const RemovingNode = "RemovingNode";
export const NodeNotReady = "NodeNotReady";

/** upstream nodeConditionToTaintKeyStatusMap: which condition status means which taint key. */
const CONDITION_TAINTS: Record<string, Record<string, string>> = {
  Ready: { False: TAINT_NODE_NOT_READY, Unknown: TAINT_NODE_UNREACHABLE },
  MemoryPressure: { True: "node.kubernetes.io/memory-pressure" },
  DiskPressure: { True: "node.kubernetes.io/disk-pressure" },
  NetworkUnavailable: { True: "node.kubernetes.io/network-unavailable" },
  PIDPressure: { True: "node.kubernetes.io/pid-pressure" },
};
const CONDITION_TAINT_KEYS = new Set(Object.values(CONDITION_TAINTS).flatMap((byStatus) => Object.values(byStatus)));
/** The conditions set Unknown when the kubelet goes silent (NetworkUnavailable is the network's). */
const KUBELET_CONDITIONS = ["Ready", "MemoryPressure", "DiskPressure", "PIDPressure"];
/** upstream --unhealthy-zone-threshold and --large-cluster-size-threshold defaults. */
const UNHEALTHY_ZONE_THRESHOLD = 0.55;
const LARGE_CLUSTER_THRESHOLD = 50;
const EXCLUDE_DISRUPTION_LABEL = "node.kubernetes.io/exclude-disruption";

export interface NodeCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastHeartbeatTime?: string;
  lastTransitionTime?: string;
}

/** What this controller last heard from a node, and when (on its own clock) it heard it. */
export interface Heartbeat {
  /** The Lease's renewTime and the Ready condition's lastHeartbeatTime, as one comparable string. */
  signal: string;
  probeTimestampMs: number;
}

export type ZoneState = "Normal" | "PartialDisruption" | "FullDisruption";
/** How NoExecute taints may change: as the Ready condition says, only swapped, or all removed. */
export type EvictionMode = "normal" | "hold" | "none";

export const nodeLifecycleController: ControllerRegistration = {
  name: "node-lifecycle",
  component: "node-controller",
  create: (ctx) => new NodeLifecycleController(ctx).controller,
};

// --- the decisions (pure) ------------------------------------------------------------------------

/** The heartbeat signal of a node: its Lease's renewTime and its Ready condition's heartbeat. */
export function heartbeatSignal(node: KubeObject, lease: KubeObject | undefined): string {
  const renewTime = (lease?.spec as { renewTime?: string } | undefined)?.renewTime ?? "";
  return `${renewTime}|${readyCondition(node)?.lastHeartbeatTime ?? ""}`;
}

/** upstream tryUpdateNodeHealth's probe timestamp: now when first seen or when the signal changed. */
export function observeHeartbeat(saved: Heartbeat | undefined, signal: string, nowMs: number): Heartbeat {
  return saved?.signal === signal ? saved : { signal, probeTimestampMs: nowMs };
}

/**
 * The conditions of a node whose kubelet went silent: the kubelet's conditions Unknown (added with
 * NodeStatusNeverUpdated when missing). Undefined when Ready would not change, as upstream writes
 * only then.
 */
export function unknownConditions(node: KubeObject, now: string): NodeCondition[] | undefined {
  const conditions = conditionsOf(node).map((c) => ({ ...c }));
  for (const type of KUBELET_CONDITIONS) {
    const current = conditions.find((c) => c.type === type);
    if (!current) {
      const lastHeartbeatTime = node.metadata?.creationTimestamp;
      conditions.push({ type, status: "Unknown", reason: "NodeStatusNeverUpdated", message: "Kubelet never posted node status.", lastHeartbeatTime, lastTransitionTime: now });
    } else if (current.status !== "Unknown") {
      Object.assign(current, { status: "Unknown", reason: "NodeStatusUnknown", message: "Kubelet stopped posting node status.", lastTransitionTime: now });
    }
  }
  const before = readyCondition(node);
  const after = conditions.find((c) => c.type === "Ready");
  return before && JSON.stringify(before) === JSON.stringify(after) ? undefined : conditions;
}

/** upstream doNoScheduleTaintingPass: the NoSchedule taints the conditions and cordon call for. */
export function noScheduleTaints(node: KubeObject): Taint[] {
  const keys = conditionsOf(node).flatMap((c) => CONDITION_TAINTS[c.type]?.[c.status] ?? []);
  if ((node.spec as { unschedulable?: boolean } | undefined)?.unschedulable === true) keys.push(TAINT_NODE_UNSCHEDULABLE);
  return keys.map((key) => ({ key, effect: "NoSchedule" }));
}

/** upstream processTaintBaseEviction: the NoExecute taint the Ready condition calls for, in this mode. */
export function noExecuteTaints(ready: string | undefined, current: readonly Taint[], mode: EvictionMode): Taint[] {
  const key = ready === "False" ? TAINT_NODE_NOT_READY : ready === "Unknown" ? TAINT_NODE_UNREACHABLE : undefined;
  if (!key || mode === "none") return [];
  if (mode === "hold" && !current.some(isNoExecuteTaint)) return [];
  return [{ key, effect: "NoExecute" }];
}

/** Taints this controller owns; any other taint is left alone. */
export function isControllerTaint(taint: Taint): boolean {
  if (taint.effect === "NoSchedule") return CONDITION_TAINT_KEYS.has(taint.key) || taint.key === TAINT_NODE_UNSCHEDULABLE;
  return isNoExecuteTaint(taint);
}

function isNoExecuteTaint(taint: Taint): boolean {
  return taint.effect === "NoExecute" && (taint.key === TAINT_NODE_NOT_READY || taint.key === TAINT_NODE_UNREACHABLE);
}

/**
 * The node's taints with the controller's own set to `desired` (matched by key and effect, as
 * upstream's TaintSetDiff): kept ones keep their timeAdded, added ones get `now`. Undefined when
 * nothing changes.
 */
export function swapControllerTaints(current: readonly Taint[], desired: readonly Taint[], now: string): Taint[] | undefined {
  const same = (a: Taint, b: Taint) => a.key === b.key && a.effect === b.effect;
  const kept = current.filter((t) => !isControllerTaint(t) || desired.some((d) => same(d, t)));
  const added = desired.filter((d) => !current.some((t) => same(d, t))).map((d) => ({ ...d, timeAdded: now }));
  return kept.length === current.length && added.length === 0 ? undefined : [...kept, ...added];
}

/** upstream ComputeZoneState over the Ready statuses of a zone's nodes. */
export function computeZoneState(readyStatuses: readonly (string | undefined)[]): ZoneState {
  const notReady = readyStatuses.filter((s) => s !== "True").length;
  if (notReady > 0 && notReady === readyStatuses.length) return "FullDisruption";
  if (notReady > 2 && notReady / readyStatuses.length >= UNHEALTHY_ZONE_THRESHOLD) return "PartialDisruption";
  return "Normal";
}

/**
 * The conditions of a pod on a node that stopped being Ready, with Ready False; undefined when
 * it is not Ready already, or became Ready after the node's transition (a live kubelet said so).
 */
export function podConditionsNotReady(pod: KubeObject, nodeTransitionMs: number, now: string): NodeCondition[] | undefined {
  const conditions = (pod.status as { conditions?: NodeCondition[] } | undefined)?.conditions ?? [];
  const ready = conditions.find((c) => c.type === "Ready");
  if (!ready || ready.status === "False") return undefined;
  if (Date.parse(ready.lastTransitionTime ?? "") > nodeTransitionMs) return undefined;
  return conditions.map((c) => (c === ready ? { ...c, status: "False", lastTransitionTime: now } : c));
}

export function readyCondition(node: KubeObject | undefined): NodeCondition | undefined {
  return node ? conditionsOf(node).find((c) => c.type === "Ready") : undefined;
}

function conditionsOf(node: KubeObject): NodeCondition[] {
  return (node.status as { conditions?: NodeCondition[] } | undefined)?.conditions ?? [];
}

/** upstream GetZoneKey: region and zone from the topology (or older failure-domain) labels. */
function zoneKey(node: KubeObject): string {
  const labels = node.metadata?.labels ?? {};
  const region = labels["topology.kubernetes.io/region"] ?? labels["failure-domain.beta.kubernetes.io/region"] ?? "";
  const zone = labels["topology.kubernetes.io/zone"] ?? labels["failure-domain.beta.kubernetes.io/zone"] ?? "";
  return region === "" && zone === "" ? "" : `${region}:\u0000:${zone}`;
}

function ignoreNotFound(err: unknown): void {
  if (!(err instanceof StatusError && err.code === 404)) throw err;
}

// --- the controller ------------------------------------------------------------------------------

class NodeLifecycleController {
  readonly controller: Controller;
  private readonly nodes: Informer;
  private readonly leases: Informer;
  private readonly pods: Informer;
  private readonly heartbeats = new Map<string, Heartbeat>();
  /** Nodes seen, with their uid (RegisteredNode/RemovingNode) and last Ready status. */
  private readonly known = new Map<string, { uid: string; ready: string | undefined }>();
  /** The nodes seen whose Ready is not True: the only ones a change of zone state concerns. */
  private readonly notReady = new Set<string>();

  constructor(private readonly ctx: ControllerContext) {
    this.nodes = ctx.informers.informerFor(NODES);
    this.leases = ctx.informers.informerFor(LEASES, { namespace: NODE_LEASE_NAMESPACE });
    this.pods = ctx.informers.informerFor(PODS);
    this.pods.addIndexer(NODE_NAME_INDEX, indexFuncs.nodeName);
    this.controller = defineController({
      name: "node-lifecycle",
      workers: 8,
      watches: [
        { informer: this.nodes, keys: enqueueObject },
        { informer: this.leases, keys: (lease) => [lease.metadata?.name ?? ""] },
        // upstream processPod: a pod on a node that is not Ready is marked NotReady too.
        { informer: this.pods, keys: (pod) => this.notReadyNodeOf(pod) },
      ],
      reconcile: (name) => this.syncNode(name),
      clock: ctx.clock,
      logger: ctx.log,
    });
  }

  private async syncNode(name: string): Promise<ReconcileResult> {
    const node = this.nodes.get(name);
    if (!node) return this.forgetNode(name);
    await this.registerNode(node);
    const nowMs = this.ctx.clock.now();
    const signal = heartbeatSignal(node, this.leases.get(keyFor(NODE_LEASE_NAMESPACE, name)));
    const heartbeat = observeHeartbeat(this.heartbeats.get(name), signal, nowMs);
    this.heartbeats.set(name, heartbeat);
    const deadlineMs = heartbeat.probeTimestampMs + this.ctx.settings.nodeMonitorGracePeriodMs;
    // After a write, the watch event of the written node brings the next step.
    if (nowMs > deadlineMs && (await this.markNodeUnknown(node, nowMs))) return;
    if (await this.syncTaints(node, nowMs)) return;
    await this.markPodsNotReady(node, nowMs);
    return nowMs > deadlineMs ? undefined : { requeueAfterMs: deadlineMs - nowMs + 1 };
  }

  /** upstream tryUpdateNodeHealth's write: true when the status was written (or the node is gone). */
  private async markNodeUnknown(node: KubeObject, nowMs: number): Promise<boolean> {
    const conditions = unknownConditions(node, rfc3339(nowMs));
    if (!conditions) return false;
    const updated = structuredClone(node);
    updated.status = { ...(updated.status as Record<string, unknown> | undefined), conditions };
    try {
      await this.ctx.client.update(NODES, undefined, updated, { subresource: "status" });
    } catch (err) {
      ignoreNotFound(err);
      return true;
    }
    this.ctx.log.info("node stopped posting status; conditions set Unknown", { node: node.metadata?.name });
    if (readyCondition(node)?.status === "True") await this.recordNodeEvent(node, NodeNotReady, `Node ${node.metadata?.name} status is now: ${NodeNotReady}`);
    return true;
  }

  /** NoSchedule and NoExecute taints as the conditions say (one compare-and-swap update); true if written. */
  private async syncTaints(node: KubeObject, nowMs: number): Promise<boolean> {
    const current = taintsOf(node);
    const ready = readyCondition(node)?.status;
    const noExecute = ready === "True" || ready === undefined ? [] : noExecuteTaints(ready, current, this.evictionMode(node));
    const taints = swapControllerTaints(current, [...noScheduleTaints(node), ...noExecute], rfc3339(nowMs));
    if (!taints) return false;
    const updated = structuredClone(node);
    const spec: Record<string, unknown> = { ...(updated.spec as Record<string, unknown> | undefined), taints };
    if (taints.length === 0) delete spec.taints;
    updated.spec = spec;
    try {
      await this.ctx.client.update(NODES, undefined, updated);
    } catch (err) {
      ignoreNotFound(err);
    }
    return true;
  }

  /** upstream handleDisruption, recomputed from the node cache (only for nodes that are not Ready). */
  private evictionMode(node: KubeObject): EvictionMode {
    const counted = this.nodes.list().filter((n) => n.metadata?.labels?.[EXCLUDE_DISRUPTION_LABEL] === undefined);
    if (counted.length > 0 && counted.every((n) => readyCondition(n)?.status !== "True")) return "none";
    const zone = zoneKey(node);
    const zoneReady = counted.filter((n) => zoneKey(n) === zone).map((n) => readyCondition(n)?.status);
    const small = zoneReady.length <= LARGE_CLUSTER_THRESHOLD;
    return small && computeZoneState(zoneReady) === "PartialDisruption" ? "hold" : "normal";
  }

  /** upstream MarkPodsNotReady: every pod of a node that is not Ready gets Ready False. */
  private async markPodsNotReady(node: KubeObject, nowMs: number): Promise<void> {
    const ready = readyCondition(node);
    if (!ready || ready.status === "True") return;
    const since = Date.parse(ready.lastTransitionTime ?? "");
    const failures: unknown[] = [];
    for (const pod of this.pods.byIndex(NODE_NAME_INDEX, node.metadata?.name ?? "")) {
      const conditions = podConditionsNotReady(pod, since, rfc3339(nowMs));
      if (!conditions) continue;
      await this.markPodNotReady(pod, conditions).catch((err: unknown) => failures.push(err));
    }
    if (failures.length > 0) throw new AggregateError(failures, `unable to mark all pods NotReady on node ${node.metadata?.name}`);
  }

  private async markPodNotReady(pod: KubeObject, conditions: NodeCondition[]): Promise<void> {
    const updated = structuredClone(pod);
    updated.status = { ...(updated.status as Record<string, unknown> | undefined), conditions };
    try {
      await this.ctx.client.update(PODS, pod.metadata?.namespace, updated, { subresource: "status" });
    } catch (err) {
      return ignoreNotFound(err);
    }
    await this.ctx.recorder.event(pod, "Warning", NodeNotReady, "Node is not ready");
  }

  /** First sight of a node (RegisteredNode), or a change of its Ready status: peers are looked at again. */
  private async registerNode(node: KubeObject): Promise<void> {
    const name = node.metadata?.name ?? "";
    const ready = readyCondition(node)?.status;
    const seen = this.known.get(name);
    this.known.set(name, { uid: node.metadata?.uid ?? "", ready });
    if (ready === "True") this.notReady.delete(name);
    else this.notReady.add(name);
    if (!seen) await this.recordNodeEvent(node, RegisteredNode, `Node ${name} event: Registered Node ${name} in Controller`);
    if (!seen || seen.ready !== ready) this.requeueNotReadyNodes(name);
  }

  private async forgetNode(name: string): Promise<void> {
    const seen = this.known.get(name);
    this.heartbeats.delete(name);
    this.notReady.delete(name);
    if (!seen) return;
    this.known.delete(name);
    const ref: KubeObject = { apiVersion: "v1", kind: "Node", metadata: { name, uid: seen.uid } };
    await this.recordNodeEvent(ref, RemovingNode, `Node ${name} event: Removing Node ${name} from Controller`);
    this.requeueNotReadyNodes(name);
  }

  /** Zone states changed: nodes that are not Ready may now keep, gain or lose NoExecute taints. */
  private requeueNotReadyNodes(except: string): void {
    for (const name of this.notReady) if (name !== except) this.controller.enqueue(name);
  }

  /**
   * The pod's node when it was not Ready at its last sync: a node turning NotReady is synced (its
   * update is queued), and that sync marks every pod on it, so pods need only the nodes already seen.
   */
  private notReadyNodeOf(pod: KubeObject): string[] {
    const nodeName = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
    return nodeName && this.notReady.has(nodeName) ? [nodeName] : [];
  }

  private recordNodeEvent(node: KubeObject, reason: string, message: string): Promise<void> {
    return this.ctx.recorder.event({ apiVersion: "v1", kind: "Node", metadata: { name: node.metadata?.name, uid: node.metadata?.uid } }, "Normal", reason, message);
  }
}
