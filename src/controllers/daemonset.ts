// The DaemonSet controller (upstream pkg/controller/daemon): one pod of each DaemonSet on every
// node that should run it (node-should-run.ts: the template's nodeSelector and node affinity, and
// the node's taints against its tolerations plus the daemon tolerations). syncDaemonSet reads the
// DaemonSet, the nodes, its pods and ControllerRevisions from the shared caches, claims them
// (adopting orphans its selector matches), makes sure the current revision exists (history.ts),
// then `manage` creates pods on nodes lacking one (pinned there by a `metadata.name` node affinity
// term, bound by the default scheduler) and deletes pods from nodes that no longer qualify, failed
// pods (behind a backoff) and extras; with the RollingUpdate strategy it then replaces pods of old
// revisions within maxUnavailable/maxSurge (rolling.ts); OnDelete leaves them until deleted. Old
// revisions beyond revisionHistoryLimit are pruned and status written (status.ts). Pods bound to
// nodes that were deleted are left to the pod GC, as upstream. Expectations keep a sync from acting
// again before its own creates and deletes reach the cache. Events: SuccessfulCreate,
// SuccessfulDelete, FailedCreate, FailedDelete, FailedDaemonPod, SucceededDaemonPod, SelectingAll.
import type { LabelSelector } from "../api/label-selector.js";
import type { KubeObject } from "../api/resource.js";
import { isEmptyLabelSelector, selectorOf } from "../api/resources/label-selectors.js";
import { APPS_V1, CORE_V1, type ResourceRef } from "../client/client.js";
import { defineController, keyFor, objectKey, type Controller, type KeyMapper, type ReconcileResult } from "../client/controller.js";
import type { Informer } from "../client/informer.js";
import type { ControllerContext, ControllerRegistration } from "./controller-context.js";
import { DaemonSetExpectations } from "./daemonset/expectations.js";
import { FailedPodsBackoff } from "./daemonset/failed-pods-backoff.js";
import { cleanupHistory, constructHistory } from "./daemonset/history.js";
import { planManage } from "./daemonset/manage.js";
import { nodeShouldRunDaemonPod } from "./daemonset/node-should-run.js";
import {
  ControllerRevisionHashLabelKey, DS_API_VERSION, DS_KIND, SelectingAllReason, type ControllerRevision, type DaemonPod, type DaemonSet, type Node, type NodeToDaemonPods,
} from "./daemonset/objects.js";
import { claimObjects, recheckDeletionTimestamp } from "./controller-ref-manager.js";
import { controllerRefOf, newControllerRef } from "./controller-ref.js";
import { getTargetNodeName } from "./daemonset/pod-template.js";
import { rollingUpdate } from "./daemonset/rolling.js";
import { calculateStatus, storeDaemonSetStatus } from "./daemonset/status.js";
import { syncNodes } from "./daemonset/sync-nodes.js";
import { messageOf } from "./error-message.js";
import { PodControl } from "./pod-control.js";
import { podKey } from "./pods.js";

export { FailedCreate, FailedDelete, SuccessfulCreate, SuccessfulDelete } from "./pod-control.js";

const DAEMONSETS = APPS_V1("daemonsets");
const CONTROLLER_REVISIONS = APPS_V1("controllerrevisions");
const PODS = CORE_V1("pods");
const NODES = CORE_V1("nodes");
/** upstream --concurrent-daemonset-syncs. */
const WORKERS = 2;

export const daemonSetController: ControllerRegistration = {
  name: "daemonset",
  component: "daemonset-controller",
  create: (ctx) => new DaemonSetsController(ctx).controller,
};

class DaemonSetsController {
  readonly controller: Controller;
  private readonly dsInformer: Informer;
  private readonly historyInformer: Informer;
  private readonly podInformer: Informer;
  private readonly nodeInformer: Informer;
  private readonly expectations: DaemonSetExpectations;
  private readonly podControl: PodControl;
  private readonly failedPodsBackoff: FailedPodsBackoff;

  constructor(private readonly ctx: ControllerContext) {
    this.dsInformer = ctx.informers.informerFor(DAEMONSETS);
    this.historyInformer = ctx.informers.informerFor(CONTROLLER_REVISIONS);
    this.podInformer = ctx.informers.informerFor(PODS);
    this.nodeInformer = ctx.informers.informerFor(NODES);
    this.expectations = new DaemonSetExpectations(ctx.clock);
    this.podControl = new PodControl(ctx.client, ctx.recorder);
    this.failedPodsBackoff = new FailedPodsBackoff(ctx.clock);
    this.observePodsForExpectations();
    this.controller = defineController({
      name: "daemonset",
      workers: WORKERS,
      clock: ctx.clock,
      logger: ctx.log,
      watches: [
        { informer: this.dsInformer, keys: (ds) => [objectKey(ds)] },
        { informer: this.historyInformer, keys: this.ownedToDaemonSets },
        { informer: this.podInformer, keys: this.ownedToDaemonSets },
        { informer: this.nodeInformer, keys: this.nodeToDaemonSets },
      ],
      reconcile: (key) => this.syncDaemonSet(key),
    });
  }

  /** syncDaemonSet: converge one DaemonSet's pods, history and status. */
  private async syncDaemonSet(key: string): Promise<ReconcileResult> {
    const ds = this.dsInformer.get(key) as DaemonSet | undefined;
    if (!ds) {
      this.expectations.delete(key);
      return;
    }
    const nodes = this.nodeInformer.list() as Node[];
    if (isEmptyLabelSelector(ds.spec.selector)) {
      await this.ctx.recorder.event(ds, "Warning", SelectingAllReason, "This daemon set is selecting all pods. A non-empty selector is required.");
      return;
    }
    const selector = selectorOf(ds.spec.selector);
    if (!selector) {
      this.ctx.log.error("invalid selector on daemon set; not syncing", { key });
      return;
    }
    // Its history may already be gone or orphaned: the status of a DaemonSet being deleted cannot be trusted.
    if (ds.metadata.deletionTimestamp) return;
    const { cur, old } = await constructHistory(this.ctx.client, ds, await this.controlledHistories(ds, selector), () => this.getDaemonPods(ds, selector));
    const hash = cur.metadata.labels?.[ControllerRevisionHashLabelKey] ?? "";
    if (!this.expectations.satisfied(key)) {
      // Only status: observedGeneration stays, this generation was not acted on.
      return this.updateDaemonSetStatus(ds, selector, nodes, hash, false);
    }
    return this.updateAndRecordStatus({ key, ds, selector, nodes, hash, old });
  }

  private async updateAndRecordStatus(sync: SyncState): Promise<ReconcileResult> {
    let updateErr: unknown;
    let requeue: ReconcileResult = undefined;
    try {
      requeue = await this.updateDaemonSet(sync);
    } catch (err) {
      updateErr = err;
    }
    let statusRequeue: ReconcileResult = undefined;
    try {
      statusRequeue = await this.updateDaemonSetStatus(sync.ds, sync.selector, sync.nodes, sync.hash, true);
    } catch (statusErr) {
      if (updateErr === undefined) throw statusErr;
      this.ctx.log.error("failed to update status", { key: sync.key, err: statusErr });
    }
    if (updateErr !== undefined) throw updateErr;
    return soonest(requeue, statusRequeue);
  }

  /** updateDaemonSet: manage, then the update strategy, then history cleanup. */
  private async updateDaemonSet(sync: SyncState): Promise<ReconcileResult> {
    const { key, ds, selector, nodes, hash } = sync;
    const plan = planManage({ ds, nodes, nodeToDaemonPods: await this.getNodesToDaemonPods(ds, selector, false), hash, backoff: this.failedPodsBackoff, nowMs: this.ctx.clock.now() });
    for (const e of plan.events) await this.ctx.recorder.event(ds, e.type, e.reason, e.message);
    const syncNodesOf = (podsToDelete: readonly string[], nodesNeedingDaemonPods: readonly string[]) =>
      syncNodes({ key, ds, podsToDelete, nodesNeedingDaemonPods, hash, expectations: this.expectations, podControl: this.podControl });
    await syncNodesOf(plan.podsToDelete, plan.nodesNeedingDaemonPods);
    // Process rolling updates only once manage's own writes are visible.
    if (this.expectations.satisfied(key) && ds.spec.updateStrategy?.type !== "OnDelete") {
      const rolling = rollingUpdate(ds, nodes, await this.getNodesToDaemonPods(ds, selector, false), hash, this.ctx.clock.now());
      await syncNodesOf(rolling.podsToDelete, rolling.nodesToCreate);
    }
    const livePods = [...(await this.getNodesToDaemonPods(ds, selector, true)).values()].flat();
    try {
      await cleanupHistory(this.ctx.client, ds, sync.old, livePods);
    } catch (err) {
      throw new Error(`failed to clean up revisions of DaemonSet: ${messageOf(err)}`, { cause: err });
    }
    return plan.requeueAfterMs === undefined ? undefined : { requeueAfterMs: plan.requeueAfterMs };
  }

  /** updateDaemonSetStatus; looks again after minReadySeconds while ready pods are not yet available. */
  private async updateDaemonSetStatus(ds: DaemonSet, selector: LabelSelector, nodes: readonly Node[], hash: string, updateObservedGen: boolean): Promise<ReconcileResult> {
    const nodeToDaemonPods = await this.getNodesToDaemonPods(ds, selector, false);
    const counts = calculateStatus(ds, nodes, nodeToDaemonPods, hash, this.ctx.clock.now());
    await storeDaemonSetStatus(this.ctx.client, ds, counts, updateObservedGen);
    const minReadySeconds = ds.spec.minReadySeconds ?? 0;
    if (minReadySeconds > 0 && counts.numberReady !== counts.numberAvailable) return { requeueAfterMs: minReadySeconds * 1000 };
    return undefined;
  }

  /** getDaemonPods: the pods of the namespace this DaemonSet controls, after adoption and release. */
  private getDaemonPods(ds: DaemonSet, selector: LabelSelector): Promise<DaemonPod[]> {
    return this.claim(ds, selector, this.podInformer.list(ds.metadata.namespace) as DaemonPod[], PODS, "Pod");
  }

  /** getNodesToDaemonPods: claimed pods by the node they are on or pinned to. */
  private async getNodesToDaemonPods(ds: DaemonSet, selector: LabelSelector, includeDeletedTerminal: boolean): Promise<NodeToDaemonPods> {
    const byNode: NodeToDaemonPods = new Map();
    for (const pod of await this.getDaemonPods(ds, selector)) {
      const phase = pod.status?.phase;
      // A finished pod already being deleted: nothing left for this controller to do with it.
      if (!includeDeletedTerminal && (phase === "Succeeded" || phase === "Failed") && pod.metadata.deletionTimestamp) continue;
      const nodeName = getTargetNodeName(pod);
      if (nodeName === undefined) {
        this.ctx.log.debug("failed to get target node name of daemon pod", { pod: podKey(pod), daemonset: objectKey(ds) });
        continue;
      }
      byNode.set(nodeName, [...(byNode.get(nodeName) ?? []), pod]);
    }
    return byNode;
  }

  /** controlledHistories: the ControllerRevisions this DaemonSet controls, after adoption and release. */
  private controlledHistories(ds: DaemonSet, selector: LabelSelector): Promise<ControllerRevision[]> {
    return this.claim(ds, selector, this.historyInformer.list(ds.metadata.namespace) as ControllerRevision[], CONTROLLER_REVISIONS, "ControllerRevision");
  }

  /** claimObjects on behalf of this DaemonSet: adopts matching orphans, releases what stopped matching. */
  private claim<T extends KubeObject>(ds: DaemonSet, selector: LabelSelector, objects: readonly T[], resource: ResourceRef, kind: string): Promise<T[]> {
    return claimObjects(objects, {
      client: this.ctx.client,
      resource,
      kind,
      owner: ds,
      controllerRef: newControllerRef(ds, DS_API_VERSION, DS_KIND),
      selector,
      canAdopt: recheckDeletionTimestamp(this.ctx.client, DAEMONSETS, ds, DS_KIND),
    });
  }

  /** A pod or ControllerRevision → its DaemonSet, or for an orphan every DaemonSet whose selector matches. */
  private readonly ownedToDaemonSets: KeyMapper = (obj) => {
    const ref = controllerRefOf(obj);
    if (ref) {
      const ds = this.resolveControllerRef(obj);
      return ds ? [objectKey(ds)] : [];
    }
    return (this.dsInformer.list(obj.metadata?.namespace) as DaemonSet[])
      .filter((ds) => {
        const selector = selectorOf(ds.spec.selector);
        return selector !== undefined && !selector.isEmpty() && selector.matches(obj.metadata?.labels);
      })
      .map(objectKey);
  };

  /** A node → every DaemonSet that should run, or may keep running, a pod there. */
  private readonly nodeToDaemonSets: KeyMapper = (node) => {
    return (this.dsInformer.list() as DaemonSet[])
      .filter((ds) => {
        const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(node as Node, ds);
        return shouldRun || shouldContinueRunning;
      })
      .map(objectKey);
  };

  private resolveControllerRef(obj: KubeObject): DaemonSet | undefined {
    const ref = controllerRefOf(obj);
    if (!ref || ref.kind !== DS_KIND) return undefined;
    const ds = this.dsInformer.get(keyFor(obj.metadata?.namespace, ref.name)) as DaemonSet | undefined;
    return ds?.metadata.uid === ref.uid ? ds : undefined;
  }

  /** Upstream's addPod/updatePod/deletePod expectation bookkeeping (never decides what to do). */
  private observePodsForExpectations(): void {
    const deleted = (pod: KubeObject) => {
      const ds = this.resolveControllerRef(pod);
      if (ds) this.expectations.deletionObserved(objectKey(ds), podKey(pod));
    };
    this.podInformer.addEventHandler({
      onAdd: (pod) => {
        if (pod.metadata?.deletionTimestamp) return deleted(pod);
        const ds = this.resolveControllerRef(pod);
        if (ds) this.expectations.creationObserved(objectKey(ds));
      },
      onUpdate: (_oldPod, newPod) => {
        if (newPod.metadata?.deletionTimestamp) deleted(newPod);
      },
      onDelete: deleted,
    });
  }
}

interface SyncState {
  key: string;
  ds: DaemonSet;
  selector: LabelSelector;
  nodes: readonly Node[];
  hash: string;
  old: ControllerRevision[];
}

function soonest(a: ReconcileResult, b: ReconcileResult): ReconcileResult {
  if (!a) return b;
  if (!b) return a;
  return { requeueAfterMs: Math.min(a.requeueAfterMs, b.requeueAfterMs) };
}
