// The StatefulSet controller (upstream pkg/controller/statefulset): pods with stable identities
// `<set>-<ordinal>`, each with its own claims `<template>-<set>-<ordinal>`, created in order and
// removed in reverse (OrderedReady) or all at once (Parallel), and rolled to a new template from the
// highest ordinal down (RollingUpdate with partition and maxUnavailable) or when deleted (OnDelete).
// syncStatefulSet reads the set, its pods (indexed by controller uid, plus the namespace's orphans),
// claims and ControllerRevisions from the shared caches; adopts orphan revisions and the pods its
// selector matches whose names make them members (releasing pods that stopped matching); finds or
// makes the current and update revisions (statefulset/history.ts); converges pods and claims
// (statefulset/update.ts); writes status (statefulset/status.ts) and prunes old revisions. There are
// no expectations: a create that meets a pod the cache has not shown yet fails AlreadyExists and the
// sync is retried. A set being deleted only has its status written; the garbage collector removes
// its pods, and its claims when the retention policy made the set or a pod their owner.
import type { LabelSelector } from "../api/label-selector.js";
import type { KubeObject } from "../api/resource.js";
import { selectorOf } from "../api/resources/label-selectors.js";
import { APPS_V1, CORE_V1 } from "../client/client.js";
import { defineController, keyFor, objectKey, type Controller, type KeyMapper, type ReconcileResult } from "../client/controller.js";
import type { IndexFunc } from "../client/indexer.js";
import type { Informer } from "../client/informer.js";
import type { ControllerContext, ControllerRegistration } from "./controller-context.js";
import { claimObjects, recheckDeletionTimestamp } from "./controller-ref-manager.js";
import { controllerRefOf, newControllerRef } from "./controller-ref.js";
import { messageOf } from "./error-message.js";
import { CONTROLLER_UID_INDEX, controllerUid } from "./replicaset.js";
import { getStatefulSetRevisions, sortRevisions, truncateHistory, applyRevision } from "./statefulset/history.js";
import { isMemberOf } from "./statefulset/identity.js";
import { STS_API_VERSION, STS_KIND, type ControllerRevision, type StatefulPod, type StatefulSet } from "./statefulset/objects.js";
import { StatefulPodControl } from "./statefulset/stateful-pod-control.js";
import { updateStatefulSetStatus } from "./statefulset/status.js";
import { updateStatefulSet } from "./statefulset/update.js";

const STATEFULSETS = APPS_V1("statefulsets");
const CONTROLLER_REVISIONS = APPS_V1("controllerrevisions");
const PODS = CORE_V1("pods");
const CLAIMS = CORE_V1("persistentvolumeclaims");
/** upstream --concurrent-statefulset-syncs. */
const WORKERS = 5;
/** Pods without a controller, by namespace: the orphans a set may adopt (upstream's OrphanPodIndexKey). */
export const ORPHAN_NAMESPACE_INDEX = "orphanNamespace";

const orphanNamespace: IndexFunc = (obj) => (controllerRefOf(obj) || !obj.metadata?.namespace ? [] : [obj.metadata.namespace]);

export const statefulSetController: ControllerRegistration = {
  name: "statefulset",
  component: "statefulset-controller",
  create: (ctx) => new StatefulSetController(ctx).controller,
};

class StatefulSetController {
  readonly controller: Controller;
  private readonly setInformer: Informer;
  private readonly podInformer: Informer;
  private readonly claimInformer: Informer;
  private readonly revisionInformer: Informer;
  private readonly podControl: StatefulPodControl;

  constructor(private readonly ctx: ControllerContext) {
    this.setInformer = ctx.informers.informerFor(STATEFULSETS);
    this.podInformer = ctx.informers.informerFor(PODS);
    this.claimInformer = ctx.informers.informerFor(CLAIMS);
    this.revisionInformer = ctx.informers.informerFor(CONTROLLER_REVISIONS);
    this.podInformer.addIndexer(CONTROLLER_UID_INDEX, controllerUid);
    this.podInformer.addIndexer(ORPHAN_NAMESPACE_INDEX, orphanNamespace);
    this.podControl = new StatefulPodControl({ client: ctx.client, recorder: ctx.recorder, pods: this.podInformer, claims: this.claimInformer });
    this.controller = defineController({
      name: "statefulset",
      workers: WORKERS,
      clock: ctx.clock,
      logger: ctx.log,
      watches: [
        { informer: this.setInformer, keys: (set) => [objectKey(set)] },
        { informer: this.podInformer, keys: this.podToStatefulSets },
      ],
      reads: [this.claimInformer, this.revisionInformer],
      reconcile: (key) => this.sync(key),
    });
  }

  /** sync: one level-triggered pass over a StatefulSet. */
  private async sync(key: string): Promise<ReconcileResult> {
    const set = this.setInformer.get(key) as StatefulSet | undefined;
    if (!set) return;
    const selector = selectorOf(set.spec.selector);
    if (!selector) {
      // Not retried: only a new spec can fix it (upstream logs and drops the key).
      this.ctx.log.error("invalid selector on stateful set; not syncing", { key });
      return;
    }
    await this.adoptOrphanRevisions(set, selector);
    const pods = await this.getPodsForStatefulSet(set, selector);
    return this.syncStatefulSet(set, selector, pods);
  }

  /** UpdateStatefulSet: revisions, pods and claims, status, then history. */
  private async syncStatefulSet(set: StatefulSet, selector: LabelSelector, pods: StatefulPod[]): Promise<ReconcileResult> {
    const revisions = sortRevisions(this.listRevisions(set, selector));
    const { current, update, collisionCount } = await getStatefulSetRevisions(this.ctx.client, set, revisions);
    const nowMs = this.ctx.clock.now();
    const result = await updateStatefulSet({
      set, collisionCount, pods, control: this.podControl, nowMs,
      currentSet: applyRevision(set, current), updateSet: applyRevision(set, update),
      currentRevision: current.metadata.name ?? "", updateRevision: update.metadata.name ?? "",
    });
    // Status is written even when a step failed (upstream performUpdate), and history pruned after.
    const statusError = await updateStatefulSetStatus(this.ctx.client, set, result.status).then(() => undefined, (err: unknown) => err);
    const historyError = await truncateHistory(this.ctx.client, set, pods, revisions, [current, update]).then(() => undefined, (err: unknown) => err);
    if (result.error !== undefined && statusError !== undefined) this.ctx.log.error("could not update status", { key: objectKey(set), err: messageOf(statusError) });
    const error = result.error ?? statusError ?? historyError;
    if (error !== undefined) throw error;
    // Look again once ready pods may have become available (upstream: after minReadySeconds).
    const minReadySeconds = set.spec.minReadySeconds ?? 0;
    if (minReadySeconds > 0 && result.status.availableReplicas !== (set.spec.replicas ?? 0)) return { requeueAfterMs: minReadySeconds * 1000 };
    return undefined;
  }

  /** ListRevisions: the revisions in the set's namespace its selector matches, controlled by it or by no one. */
  private listRevisions(set: StatefulSet, selector: LabelSelector): ControllerRevision[] {
    return (this.revisionInformer.list(set.metadata.namespace) as ControllerRevision[]).filter((revision) => {
      if (!selector.matches(revision.metadata.labels)) return false;
      const ref = controllerRefOf(revision);
      return !ref || ref.uid === set.metadata.uid;
    });
  }

  /** adoptOrphanRevisions: gives the matching revisions no one controls to this set. */
  private async adoptOrphanRevisions(set: StatefulSet, selector: LabelSelector): Promise<void> {
    const orphans = this.listRevisions(set, selector).filter((revision) => !controllerRefOf(revision));
    if (orphans.length === 0) return;
    try {
      await recheckDeletionTimestamp(this.ctx.client, STATEFULSETS, set, STS_KIND)();
    } catch (err) {
      throw new Error(`can't adopt ControllerRevisions: ${messageOf(err)}`, { cause: err });
    }
    const controllerRef = newControllerRef(set, STS_API_VERSION, STS_KIND);
    for (const revision of orphans) {
      const patch = { metadata: { ownerReferences: [controllerRef], uid: revision.metadata.uid } };
      await this.ctx.client.patch(CONTROLLER_REVISIONS, revision.metadata.namespace, revision.metadata.name ?? "", "strategic", patch);
    }
  }

  /**
   * getPodsForStatefulSet: the pods it controls plus the namespace's orphans (upstream
   * FilterPodsByOwner), claimed: members its selector matches are adopted, others released.
   */
  private getPodsForStatefulSet(set: StatefulSet, selector: LabelSelector): Promise<StatefulPod[]> {
    const namespace = set.metadata.namespace ?? "";
    const controlled = (this.podInformer.byIndex(CONTROLLER_UID_INDEX, set.metadata.uid ?? "") as StatefulPod[]).filter((pod) => pod.metadata.namespace === namespace);
    const orphans = this.podInformer.byIndex(ORPHAN_NAMESPACE_INDEX, namespace) as StatefulPod[];
    return claimObjects([...controlled, ...orphans], {
      client: this.ctx.client,
      resource: PODS,
      kind: "Pod",
      owner: set,
      controllerRef: newControllerRef(set, STS_API_VERSION, STS_KIND),
      selector,
      filter: (pod) => isMemberOf(set, pod as StatefulPod),
      canAdopt: recheckDeletionTimestamp(this.ctx.client, STATEFULSETS, set, STS_KIND),
    });
  }

  /** A pod → the set controlling it, or for an orphan every set whose selector matches it. */
  private readonly podToStatefulSets: KeyMapper = (pod) => {
    const ref = controllerRefOf(pod);
    if (ref) {
      const set = this.resolveControllerRef(pod, ref.kind, ref.name, ref.uid);
      return set ? [objectKey(set)] : [];
    }
    return (this.setInformer.list(pod.metadata?.namespace) as StatefulSet[])
      .filter((set) => {
        const selector = selectorOf(set.spec.selector);
        return selector !== undefined && !selector.isEmpty() && selector.matches(pod.metadata?.labels);
      })
      .map(objectKey);
  };

  private resolveControllerRef(obj: KubeObject, kind: string, name: string, uid: string): StatefulSet | undefined {
    if (kind !== STS_KIND) return undefined;
    const set = this.setInformer.get(keyFor(obj.metadata?.namespace, name)) as StatefulSet | undefined;
    return set?.metadata.uid === uid ? set : undefined;
  }
}
