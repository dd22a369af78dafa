// The pod garbage collector (upstream pkg/controller/podgc/gc_controller.go). One pass over the
// cached pods and nodes:
// - gcTerminated: beyond settings.terminatedPodGCThreshold terminated pods (0 disables), the
//   excess goes, evicted pods first, then the oldest;
// - gcTerminating: terminating pods on NotReady nodes tainted node.kubernetes.io/out-of-service;
// - gcOrphaned: pods bound to a node that does not exist, once the node has been missing for the
//   quarantine and a live GET confirms it (pods may name a node the cache has not seen yet);
// - gcUnscheduledTerminating: terminating pods that were never scheduled.
// Each is marked Failed (with a DisruptionTarget condition when orphaned) unless finished, then
// force-deleted (grace 0). Deviations: upstream runs every 20 s; this pass also runs on pod and
// node changes, at most once a second. The quarantine (upstream's fixed 40 s) is
// settings.nodeMonitorGracePeriodMs, also 40 s by default, so that tests can shorten it.
import { StatusError } from "../api/errors.js";
import type { KubeObject } from "../api/resource.js";
import { type Client, CORE_V1 } from "../client/client.js";
import type { Clock } from "../client/clock.js";
import { defineController, type ReconcileResult } from "../client/controller.js";
import type { Informer } from "../client/informer.js";
import type { Logger } from "../log.js";
import type { ControllerContext, ControllerRegistration } from "./controller-context.js";
import { rfc3339 } from "../api/meta-time.js";

const PODS = CORE_V1("pods");
const NODES = CORE_V1("nodes");
const GC_KEY = "pod-gc";
/** upstream's gcCheckPeriod. */
const GC_CHECK_PERIOD_MS = 20_000;
/** The least time between two passes however often pods change. */
const MIN_PASS_INTERVAL_MS = 1_000;
/** Force deletions in flight at once (upstream parallelizes by 50). */
const DELETE_BATCH = 50;
const TAINT_NODE_OUT_OF_SERVICE = "node.kubernetes.io/out-of-service";
/** The field manager of the Failed-phase status apply, as upstream. */
const FIELD_MANAGER = "PodGC";

export const podGCController: ControllerRegistration = {
  name: "pod-garbage-collector",
  component: "pod-garbage-collector",
  create: (ctx) => {
    const pods = ctx.informers.informerFor(PODS);
    const nodes = ctx.informers.informerFor(NODES);
    const gc = new PodGC(ctx, pods, nodes);
    const controller = defineController({
      name: "pod-garbage-collector",
      reconcile: async (_key, rctx) => gc.gc(rctx.logger),
      watches: [pods, nodes].map((informer) => ({ informer, keys: () => [GC_KEY] })),
      clock: ctx.clock,
      logger: ctx.log,
    });
    controller.enqueue(GC_KEY);
    return controller;
  },
};

interface PodCondition {
  type: string;
  status: string;
  reason: string;
  message: string;
}

const ORPHANED_CONDITION: PodCondition = { type: "DisruptionTarget", status: "True", reason: "DeletionByPodGC", message: "PodGC: node no longer exists" };

class PodGC {
  private readonly client: Client;
  private readonly clock: Clock;
  private readonly quarantine: NodeQuarantine;
  private lastPassMs = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly pods: Informer,
    private readonly nodes: Informer,
  ) {
    this.client = ctx.client;
    this.clock = ctx.clock;
    this.quarantine = new NodeQuarantine(ctx.settings.nodeMonitorGracePeriodMs);
  }

  /** One pass; returns when to look again. */
  async gc(log: Logger): Promise<ReconcileResult> {
    const now = this.clock.now();
    if (now - this.lastPassMs < MIN_PASS_INTERVAL_MS) return { requeueAfterMs: this.lastPassMs + MIN_PASS_INTERVAL_MS - now };
    this.lastPassMs = now;
    const pods = this.pods.list();
    const threshold = this.ctx.settings.terminatedPodGCThreshold;
    const failures: Error[] = [];
    const attempt = async (pass: () => Promise<void>) => pass().catch((err: unknown) => void failures.push(err instanceof Error ? err : new Error(String(err))));
    if (threshold > 0) await attempt(() => this.gcTerminated(pods, threshold, log));
    await attempt(() => this.gcTerminating(pods, log));
    await attempt(() => this.gcOrphaned(pods, now, log));
    await attempt(() => this.gcUnscheduledTerminating(pods, log));
    if (failures.length > 0) throw new Error(failures.map((e) => e.message).join("; "));
    const nextQuarantineEnd = this.quarantine.nextDueMs();
    return { requeueAfterMs: Math.max(MIN_PASS_INTERVAL_MS, Math.min(GC_CHECK_PERIOD_MS, nextQuarantineEnd - now)) };
  }

  private async gcTerminated(pods: readonly KubeObject[], threshold: number, log: Logger): Promise<void> {
    const terminated = pods.filter(isPodTerminated);
    const deleteCount = terminated.length - threshold;
    if (deleteCount <= 0) return;
    log.info("garbage collecting terminated pods", { count: deleteCount, threshold });
    await this.markFailedAndDeletePods(terminated.sort(byEvictionAndCreationTimestamp).slice(0, deleteCount));
  }

  private async gcTerminating(pods: readonly KubeObject[], log: Logger): Promise<void> {
    const onOutOfServiceNodes = pods.filter((pod) => {
      if (!isPodTerminating(pod)) return false;
      const node = this.nodes.get(nodeNameOf(pod));
      return node !== undefined && !isNodeReady(node) && hasTaint(node, TAINT_NODE_OUT_OF_SERVICE);
    });
    if (onOutOfServiceNodes.length === 0) return;
    log.info("garbage collecting terminating pods on out-of-service nodes", { count: onOutOfServiceNodes.length });
    await this.markFailedAndDeletePods(onOutOfServiceNodes.sort(byEvictionAndCreationTimestamp));
  }

  private async gcOrphaned(pods: readonly KubeObject[], now: number, log: Logger): Promise<void> {
    for (const pod of pods) {
      const node = nodeNameOf(pod);
      if (node && !this.nodes.get(node)) this.quarantine.add(node, now);
    }
    const deleted = await this.discoverDeletedNodes(now);
    if (deleted.size === 0) return;
    const orphaned = pods.filter((pod) => deleted.has(nodeNameOf(pod)));
    log.info("garbage collecting pods bound to nodes that no longer exist", { nodes: [...deleted], count: orphaned.length });
    await this.markFailedAndDeletePods(orphaned, ORPHANED_CONDITION);
  }

  /** Nodes whose quarantine is over and which a live GET does not find. */
  private async discoverDeletedNodes(now: number): Promise<Set<string>> {
    const deleted = new Set<string>();
    for (const node of this.quarantine.takeDue(now)) {
      if (this.nodes.get(node)) continue;
      if (!(await this.nodeExists(node))) deleted.add(node);
    }
    return deleted;
  }

  private async gcUnscheduledTerminating(pods: readonly KubeObject[], log: Logger): Promise<void> {
    const unscheduled = pods.filter((pod) => pod.metadata?.deletionTimestamp && !nodeNameOf(pod));
    if (unscheduled.length === 0) return;
    log.info("garbage collecting unscheduled terminating pods", { count: unscheduled.length });
    await this.markFailedAndDeletePods(unscheduled);
  }

  private async nodeExists(name: string): Promise<boolean> {
    try {
      await this.client.get(NODES, undefined, name);
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  private async markFailedAndDeletePods(pods: readonly KubeObject[], condition?: PodCondition): Promise<void> {
    for (let i = 0; i < pods.length; i += DELETE_BATCH) {
      await Promise.all(pods.slice(i, i + DELETE_BATCH).map((pod) => this.markFailedAndDeletePod(pod, condition)));
    }
  }

  /** upstream's markFailedAndDeletePodWithCondition: phase Failed first (no kubelet may ever say so), then force delete. */
  private async markFailedAndDeletePod(pod: KubeObject, condition?: PodCondition): Promise<void> {
    const namespace = pod.metadata?.namespace;
    const name = pod.metadata?.name ?? "";
    try {
      if (!isFinished(pod)) await this.client.patch(PODS, namespace, name, "apply", this.failedStatus(pod, condition), { subresource: "status", force: true, fieldManager: FIELD_MANAGER });
      await this.client.delete(PODS, namespace, name, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata?.uid } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  private failedStatus(pod: KubeObject, condition: PodCondition | undefined): KubeObject {
    const lastTransitionTime = rfc3339(this.clock.now());
    const status: Record<string, unknown> = { phase: "Failed" };
    if (condition) status.conditions = [{ ...condition, lastTransitionTime }];
    return { apiVersion: "v1", kind: "Pod", metadata: { name: pod.metadata?.name, namespace: pod.metadata?.namespace }, status };
  }
}

/** Node names seen missing, each with the time its quarantine ends (upstream's delaying nodeQueue). */
class NodeQuarantine {
  private readonly dueAt = new Map<string, number>();

  constructor(private readonly quarantineMs: number) {}

  /** Starts a quarantine unless one is running (as a delaying queue keeps the earliest time). */
  add(node: string, now: number): void {
    if (!this.dueAt.has(node)) this.dueAt.set(node, now + this.quarantineMs);
  }

  /** The nodes whose quarantine is over, removed from quarantine. */
  takeDue(now: number): string[] {
    const due = [...this.dueAt].filter(([, at]) => at <= now).map(([node]) => node);
    for (const node of due) this.dueAt.delete(node);
    return due;
  }

  nextDueMs(): number {
    return Math.min(Number.POSITIVE_INFINITY, ...this.dueAt.values());
  }
}

function nodeNameOf(pod: KubeObject): string {
  const node = (pod.spec as { nodeName?: unknown } | undefined)?.nodeName;
  return typeof node === "string" ? node : "";
}

function phaseOf(pod: KubeObject): string {
  return (pod.status as { phase?: string } | undefined)?.phase ?? "";
}

/** upstream's isPodTerminated: any phase but Pending, Running and Unknown. */
function isPodTerminated(pod: KubeObject): boolean {
  const phase = phaseOf(pod);
  return phase !== "Pending" && phase !== "Running" && phase !== "Unknown";
}

function isPodTerminating(pod: KubeObject): boolean {
  return !isPodTerminated(pod) && pod.metadata?.deletionTimestamp !== undefined;
}

function isFinished(pod: KubeObject): boolean {
  return phaseOf(pod) === "Succeeded" || phaseOf(pod) === "Failed";
}

function isEvicted(pod: KubeObject): boolean {
  return phaseOf(pod) === "Failed" && (pod.status as { reason?: string } | undefined)?.reason === "Evicted";
}

/** Evicted pods first, then by creationTimestamp, then by name (upstream's byEvictionAndCreationTimestamp). */
function byEvictionAndCreationTimestamp(a: KubeObject, b: KubeObject): number {
  if (isEvicted(a) !== isEvicted(b)) return isEvicted(a) ? -1 : 1;
  // RFC 3339 UTC timestamps order as strings.
  return compare(a.metadata?.creationTimestamp ?? "", b.metadata?.creationTimestamp ?? "") || compare(a.metadata?.name ?? "", b.metadata?.name ?? "");
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isNodeReady(node: KubeObject): boolean {
  const conditions = (node.status as { conditions?: { type?: string; status?: string }[] } | undefined)?.conditions ?? [];
  return conditions.some((c) => c.type === "Ready" && c.status === "True");
}

function hasTaint(node: KubeObject, key: string): boolean {
  const taints = (node.spec as { taints?: { key?: string }[] } | undefined)?.taints ?? [];
  return taints.some((t) => t.key === key);
}

function isNotFound(err: unknown): boolean {
  return err instanceof StatusError && err.code === 404;
}
