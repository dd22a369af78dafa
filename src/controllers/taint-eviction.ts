// The taint eviction controller (upstream pkg/controller/tainteviction): a pod bound to a node with
// NoExecute taints is deleted at once when one of them is not tolerated; when all are tolerated and
// a matching toleration has tolerationSeconds, it is deleted once that many seconds have passed
// since the taint's timeAdded (the node lifecycle controller stamps it). Level-triggered per pod:
// instead of upstream's timed worker queue, the pod's key is requeued for the moment its eviction
// is due, so the decision is always recomputed from the caches and nothing is lost on restart.
// Before the delete the pod gets the DisruptionTarget condition, and a TaintManagerEviction event
// says "Marking for deletion Pod ns/name"; a scheduled eviction that is no longer due (the taint
// went away) says "Cancelling deletion of Pod ns/name", as upstream.
import { StatusError } from "../api/errors.js";
import type { KubeObject } from "../api/resource.js";
import { CORE_V1 } from "../client/client.js";
import { defineController, type Controller, type ReconcileResult } from "../client/controller.js";
import { indexFuncs, objectKey, splitKey } from "../client/indexer.js";
import type { Informer } from "../client/informer.js";
import type { ControllerContext, ControllerRegistration } from "./controller-context.js";
import { rfc3339 } from "../api/meta-time.js";

const PODS = CORE_V1("pods");
const NODES = CORE_V1("nodes");
/** upstream's name for the pods-by-node index. */
export const NODE_NAME_INDEX = "spec.nodeName";
/** Event reason of both the eviction and its cancellation. */
export const TaintManagerEviction = "TaintManagerEviction";

export interface Taint {
  key: string;
  value?: string;
  effect: string;
  /** RFC 3339; set on NoExecute taints by whoever adds them. */
  timeAdded?: string;
}

export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

interface PodCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export const taintEvictionController: ControllerRegistration = {
  name: "taint-eviction-controller",
  component: "taint-eviction-controller",
  create: (ctx) => new TaintEvictionController(ctx).controller,
};

// --- the decision (pure) -------------------------------------------------------------------------

/** upstream Toleration.ToleratesTaint: empty effect or key match any; an empty operator is Equal. */
export function toleratesTaint(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  switch (toleration.operator ?? "") {
    case "":
    case "Equal":
      return (toleration.value ?? "") === (taint.value ?? "");
    case "Exists":
      return true;
    default:
      return false;
  }
}

/** upstream GetMatchingTolerations: per taint, the first toleration of it; undefined if one has none. */
export function matchingTolerations(taints: readonly Taint[], tolerations: readonly Toleration[]): Toleration[] | undefined {
  const used: Toleration[] = [];
  for (const taint of taints) {
    const match = tolerations.find((t) => toleratesTaint(t, taint));
    if (!match) return undefined;
    used.push(match);
  }
  return used;
}

/**
 * When a pod with these tolerations must leave a node with these NoExecute taints, in ms since the
 * epoch: -Infinity (at once) when a taint is not tolerated or a matching toleration has
 * tolerationSeconds <= 0; undefined when every taint is tolerated forever; otherwise the earliest
 * timeAdded + tolerationSeconds over the taints, a taint without timeAdded counting from `sinceMs`.
 */
export function evictionTimeMs(taints: readonly Taint[], tolerations: readonly Toleration[], sinceMs: number): number | undefined {
  const used = matchingTolerations(taints, tolerations);
  if (!used) return -Infinity;
  let due: number | undefined;
  for (const [i, taint] of taints.entries()) {
    const seconds = used[i]?.tolerationSeconds;
    if (seconds === undefined) continue;
    const at = seconds <= 0 ? -Infinity : taintStartMs(taint, sinceMs) + seconds * 1000;
    due = due === undefined ? at : Math.min(due, at);
  }
  return due;
}

function taintStartMs(taint: Taint, sinceMs: number): number {
  const added = taint.timeAdded ? Date.parse(taint.timeAdded) : NaN;
  return Number.isNaN(added) ? sinceMs : added;
}

/** The node's spec.taints (none for a missing node). */
export function taintsOf(node: KubeObject | undefined): Taint[] {
  return (node?.spec as { taints?: Taint[] } | undefined)?.taints ?? [];
}

function tolerationsOf(pod: KubeObject): Toleration[] {
  return (pod.spec as { tolerations?: Toleration[] } | undefined)?.tolerations ?? [];
}

function nodeNameOf(pod: KubeObject): string {
  return (pod.spec as { nodeName?: string } | undefined)?.nodeName ?? "";
}

// --- the controller ------------------------------------------------------------------------------

class TaintEvictionController {
  readonly controller: Controller;
  private readonly pods: Informer;
  private readonly nodes: Informer;
  /** Pods whose deletion is scheduled, with when it was first scheduled (upstream's CreatedAt). */
  private readonly scheduled = new Map<string, number>();

  constructor(private readonly ctx: ControllerContext) {
    this.pods = ctx.informers.informerFor(PODS);
    this.nodes = ctx.informers.informerFor(NODES);
    this.pods.addIndexer(NODE_NAME_INDEX, indexFuncs.nodeName);
    this.controller = defineController({
      name: "taint-eviction-controller",
      workers: 8,
      watches: [
        { informer: this.pods, keys: (pod) => (nodeNameOf(pod) ? [objectKey(pod)] : []) },
        { informer: this.nodes, keys: (node) => this.pods.byIndex(NODE_NAME_INDEX, node.metadata?.name ?? "").map(objectKey) },
      ],
      reconcile: (key) => this.syncPod(key),
      clock: ctx.clock,
      logger: ctx.log,
    });
  }

  /** upstream processPodOnNode, recomputed from the caches each time. */
  private async syncPod(key: string): Promise<ReconcileResult> {
    const pod = this.pods.get(key);
    if (!pod || pod.metadata?.deletionTimestamp) {
      this.scheduled.delete(key);
      return;
    }
    const taints = taintsOf(this.nodes.get(nodeNameOf(pod))).filter((t) => t.effect === "NoExecute");
    const now = this.ctx.clock.now();
    const due = evictionTimeMs(taints, tolerationsOf(pod), this.scheduled.get(key) ?? now);
    if (due === undefined) return this.cancelEviction(pod, key);
    if (due <= now) return this.evict(pod, key);
    if (!this.scheduled.has(key)) this.scheduled.set(key, now);
    return { requeueAfterMs: due - now };
  }

  private async cancelEviction(pod: KubeObject, key: string): Promise<void> {
    if (!this.scheduled.delete(key)) return;
    await this.ctx.recorder.event(pod, "Normal", TaintManagerEviction, `Cancelling deletion of Pod ${key}`);
  }

  /** upstream deletePodHandler: event, DisruptionTarget condition, delete. */
  private async evict(pod: KubeObject, key: string): Promise<void> {
    this.scheduled.delete(key);
    this.ctx.log.info("deleting pod", { pod: key, node: nodeNameOf(pod) });
    await this.ctx.recorder.event(pod, "Normal", TaintManagerEviction, `Marking for deletion Pod ${key}`);
    if (!(await this.addDisruptionTarget(pod))) return;
    const { namespace, name } = splitKey(key);
    try {
      await this.ctx.client.delete(PODS, namespace, name, { preconditions: { uid: pod.metadata?.uid } });
    } catch (err) {
      if (!(err instanceof StatusError && err.code === 404)) throw err;
    }
  }

  /** Sets DisruptionTarget=True (compare-and-swap on pods/status); false when the pod is gone. */
  private async addDisruptionTarget(pod: KubeObject): Promise<boolean> {
    const conditions = withDisruptionTarget(conditionsOf(pod), rfc3339(this.ctx.clock.now()));
    if (!conditions) return true;
    const updated = structuredClone(pod);
    updated.status = { ...(updated.status as Record<string, unknown> | undefined), conditions };
    try {
      await this.ctx.client.update(PODS, pod.metadata?.namespace, updated, { subresource: "status" });
      return true;
    } catch (err) {
      if (err instanceof StatusError && err.code === 404) return false;
      throw err;
    }
  }
}

function conditionsOf(pod: KubeObject): PodCondition[] {
  return (pod.status as { conditions?: PodCondition[] } | undefined)?.conditions ?? [];
}

/** The conditions with upstream's DeletionByTaintManager DisruptionTarget; undefined if already there. */
function withDisruptionTarget(conditions: readonly PodCondition[], now: string): PodCondition[] | undefined {
  const target = { type: "DisruptionTarget", status: "True", reason: "DeletionByTaintManager", message: "Taint manager: deleting due to NoExecute taint" };
  const existing = conditions.find((c) => c.type === target.type);
  if (existing && existing.status === target.status && existing.reason === target.reason && existing.message === target.message) return undefined;
  const lastTransitionTime = existing?.status === target.status ? existing.lastTransitionTime : now;
  return [...conditions.filter((c) => c.type !== target.type), { ...target, lastTransitionTime }];
}
