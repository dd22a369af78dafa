// The ReplicaSet controller (upstream pkg/controller/replicaset/replica_set.go): keeps
// spec.replicas active pods for every ReplicaSet. syncReplicaSet reads the ReplicaSet and the pods
// of its namespace from the shared caches, claims the pods its selector matches (adopting orphans,
// releasing pods that stopped matching), creates missing pods in slow-start batches (1, 2, 4, ...)
// or deletes the least valuable extras (pod-ranking.ts), then writes status. Expectations keep it
// from acting again before its own creates and deletes reach the cache; terminating and finished
// pods are not counted. Events: SuccessfulCreate, FailedCreate, SuccessfulDelete, FailedDelete.
// Level-triggered: a reconcile never knows why it runs; the pod event handlers below only update
// expectations (upstream's addPod/updatePod/deletePod bookkeeping) and map pods to ReplicaSet keys.
import { StatusError } from "../api/errors.js";
import type { KubeObject } from "../api/resource.js";
import { selectorOf } from "../api/resources/label-selectors.js";
import { APPS_V1, CORE_V1 } from "../client/client.js";
import { defineController, keyFor, objectKey, type Controller, type KeyMapper, type ReconcileResult } from "../client/controller.js";
import type { Informer } from "../client/informer.js";
import type { ControllerContext, ControllerRegistration } from "./controller-context.js";
import { claimObjects, recheckDeletionTimestamp } from "./controller-ref-manager.js";
import { controllerRefOf, newControllerRef } from "./controller-ref.js";
import { ControllerExpectations } from "./expectations.js";
import { PodControl, isNamespaceTerminating } from "./pod-control.js";
import { filterActivePods, isPodReady, podKey, podReadyCondition, type Pod } from "./pods.js";
import type { ReplicaSet } from "./replicaset/objects.js";
import { getPodsToDelete } from "./replicaset/pod-ranking.js";
import { calculateStatus, updateReplicaSetStatus } from "./replicaset/status.js";
import { SLOW_START_INITIAL_BATCH_SIZE, slowStartBatch } from "./slow-start.js";
import { timeMs } from "../api/meta-time.js";

export { FailedCreate, FailedDelete, SuccessfulCreate, SuccessfulDelete } from "./pod-control.js";

/** Upstream BurstReplicas: at most this many creates or deletes per sync. */
export const BURST_REPLICAS = 500;
/** The ReplicaSet cache index of upstream's controllerUIDIndex: the uid of each ReplicaSet's controller. */
export const CONTROLLER_UID_INDEX = "controllerUID";

const REPLICASETS = APPS_V1("replicasets");
const PODS = CORE_V1("pods");
const RS_API_VERSION = "apps/v1";
const RS_KIND = "ReplicaSet";

export const replicaSetController: ControllerRegistration = {
  name: "replicaset",
  component: "replicaset-controller",
  create: (ctx) => new ReplicaSetController(ctx).controller,
};

/** The index function of CONTROLLER_UID_INDEX. */
export function controllerUid(obj: KubeObject): string[] {
  const ref = controllerRefOf(obj);
  return ref ? [ref.uid] : [];
}

class ReplicaSetController {
  readonly controller: Controller;
  private readonly rsInformer: Informer;
  private readonly podInformer: Informer;
  private readonly expectations: ControllerExpectations;
  private readonly podControl: PodControl;

  constructor(private readonly ctx: ControllerContext) {
    this.rsInformer = ctx.informers.informerFor(REPLICASETS);
    this.podInformer = ctx.informers.informerFor(PODS);
    this.rsInformer.addIndexer(CONTROLLER_UID_INDEX, controllerUid);
    this.expectations = new ControllerExpectations(ctx.clock);
    this.podControl = new PodControl(ctx.client, ctx.recorder);
    this.observePodsForExpectations();
    this.controller = defineController({
      name: "replicaset",
      workers: 5,
      clock: ctx.clock,
      logger: ctx.log,
      watches: [
        { informer: this.rsInformer, keys: (rs) => [objectKey(rs)] },
        { informer: this.podInformer, keys: this.podToReplicaSets },
      ],
      reconcile: (key) => this.syncReplicaSet(key),
    });
  }

  /** syncReplicaSet: converge one ReplicaSet's pods and status. */
  private async syncReplicaSet(key: string): Promise<ReconcileResult> {
    const rs = this.rsInformer.get(key) as ReplicaSet | undefined;
    if (!rs) {
      this.expectations.delete(key);
      return;
    }
    const rsNeedsSync = this.expectations.satisfied(key);
    const selector = selectorOf(rs.spec.selector);
    if (!selector) {
      this.ctx.log.error("invalid selector on replica set; not syncing", { key });
      return;
    }
    const active = filterActivePods(this.podInformer.list(rs.metadata.namespace) as Pod[]);
    const filteredPods = await this.claimPods(rs, selector, active);
    let manageReplicasErr: unknown;
    if (rsNeedsSync && !rs.metadata.deletionTimestamp) {
      try {
        await this.manageReplicas(key, filteredPods, rs);
      } catch (err) {
        manageReplicasErr = err;
      }
    }
    const nowMs = this.ctx.clock.now();
    const updated = await updateReplicaSetStatus(this.ctx.client, rs, calculateStatus(rs, filteredPods, manageReplicasErr, nowMs));
    if (manageReplicasErr !== undefined) throw manageReplicasErr;
    return availabilityRecheck(updated, filteredPods, nowMs);
  }

  private claimPods(rs: ReplicaSet, selector: NonNullable<ReturnType<typeof selectorOf>>, pods: Pod[]): Promise<Pod[]> {
    return claimObjects(pods, {
      client: this.ctx.client,
      resource: PODS,
      kind: "Pod",
      owner: rs,
      controllerRef: newControllerRef(rs, RS_API_VERSION, RS_KIND),
      selector,
      canAdopt: recheckDeletionTimestamp(this.ctx.client, REPLICASETS, rs, RS_KIND),
    });
  }

  /** manageReplicas: create or delete pods so that filteredPods reaches spec.replicas. */
  private async manageReplicas(key: string, filteredPods: Pod[], rs: ReplicaSet): Promise<void> {
    const diff = filteredPods.length - (rs.spec.replicas ?? 0);
    if (diff < 0) await this.createReplicas(key, rs, Math.min(-diff, BURST_REPLICAS));
    else if (diff > 0) await this.deleteReplicas(key, rs, filteredPods, Math.min(diff, BURST_REPLICAS));
  }

  private async createReplicas(key: string, rs: ReplicaSet, count: number): Promise<void> {
    this.expectations.expectCreations(key, count);
    const ref = newControllerRef(rs, RS_API_VERSION, RS_KIND);
    const [successes, err] = await slowStartBatch(count, SLOW_START_INITIAL_BATCH_SIZE, async () => {
      try {
        await this.podControl.createPod(rs, rs.spec.template ?? {}, ref);
      } catch (createErr) {
        // Every create would fail while the namespace terminates: nothing to report.
        if (!isNamespaceTerminating(createErr)) throw createErr;
      }
    });
    // Pods never attempted will not be observed: stop expecting them.
    for (let i = successes; i < count; i++) this.expectations.creationObserved(key);
    if (err !== undefined) throw err;
  }

  private async deleteReplicas(key: string, rs: ReplicaSet, filteredPods: Pod[], count: number): Promise<void> {
    const podsToDelete = getPodsToDelete(filteredPods, this.getIndirectlyRelatedPods(rs), count, this.ctx.clock.now());
    this.expectations.expectDeletions(key, podsToDelete.map(podKey));
    const errors = await Promise.all(podsToDelete.map((pod) => this.deleteOne(key, rs, pod)));
    const first = errors.find((e) => e !== undefined);
    if (first !== undefined) throw first;
  }

  /** Deletes one pod; returns the error to report (a pod already gone is not one). */
  private async deleteOne(key: string, rs: ReplicaSet, pod: Pod): Promise<unknown> {
    try {
      await this.podControl.deletePod(rs, pod.metadata.namespace ?? "", pod.metadata.name ?? "");
      return undefined;
    } catch (err) {
      // The informer will not observe this deletion.
      this.expectations.deletionObserved(key, podKey(pod));
      return err instanceof StatusError && err.code === 404 ? undefined : err;
    }
  }

  /** Pods of every ReplicaSet with the same controller as rs (upstream getIndirectlyRelatedPods). */
  private getIndirectlyRelatedPods(rs: ReplicaSet): Pod[] {
    const ref = controllerRefOf(rs);
    const related = ref ? (this.rsInformer.byIndex(CONTROLLER_UID_INDEX, ref.uid) as ReplicaSet[]) : [rs];
    const seen = new Map<string, Pod>();
    for (const other of related) {
      const selector = selectorOf(other.spec.selector);
      if (!selector) continue;
      for (const pod of this.podInformer.list(other.metadata.namespace) as Pod[]) {
        if (selector.matches(pod.metadata.labels) && !seen.has(pod.metadata.uid ?? "")) seen.set(pod.metadata.uid ?? "", pod);
      }
    }
    return [...seen.values()];
  }

  /** Pod → the ReplicaSet controlling it, or for an orphan every ReplicaSet whose selector matches it. */
  private readonly podToReplicaSets: KeyMapper = (obj) => {
    const rs = this.resolveControllerRef(obj);
    if (rs) return [objectKey(rs)];
    if (controllerRefOf(obj)) return [];
    return this.getPodReplicaSets(obj).map(objectKey);
  };

  private getPodReplicaSets(pod: KubeObject): ReplicaSet[] {
    return (this.rsInformer.list(pod.metadata?.namespace) as ReplicaSet[]).filter((rs) => {
      const selector = selectorOf(rs.spec.selector);
      return selector !== undefined && !selector.isEmpty() && selector.matches(pod.metadata?.labels);
    });
  }

  /** The cached ReplicaSet the object's controller ref names, if it is still that ReplicaSet. */
  private resolveControllerRef(obj: KubeObject): ReplicaSet | undefined {
    const ref = controllerRefOf(obj);
    if (!ref || ref.kind !== RS_KIND) return undefined;
    const rs = this.rsInformer.get(keyFor(obj.metadata?.namespace, ref.name)) as ReplicaSet | undefined;
    return rs?.metadata.uid === ref.uid ? rs : undefined;
  }

  /** Upstream's addPod/updatePod/deletePod expectation bookkeeping (never decides what to do). */
  private observePodsForExpectations(): void {
    const deleted = (pod: KubeObject) => {
      const rs = this.resolveControllerRef(pod);
      if (rs) this.expectations.deletionObserved(objectKey(rs), podKey(pod));
    };
    this.podInformer.addEventHandler({
      onAdd: (pod) => {
        if (pod.metadata?.deletionTimestamp) return deleted(pod);
        const rs = this.resolveControllerRef(pod);
        if (rs) this.expectations.creationObserved(objectKey(rs));
      },
      onUpdate: (oldPod, newPod) => {
        if (!newPod.metadata?.deletionTimestamp) return;
        deleted(newPod);
        if (JSON.stringify(oldPod.metadata?.labels) !== JSON.stringify(newPod.metadata?.labels)) deleted(oldPod);
      },
      onDelete: deleted,
    });
  }
}

/**
 * Upstream requeues after minReadySeconds when a pod turns ready; level-triggered, we look again
 * when the first ready-but-not-yet-available pod becomes available (plus upstream's one second).
 */
function availabilityRecheck(rs: ReplicaSet, pods: readonly Pod[], nowMs: number): ReconcileResult {
  const minReadySeconds = rs.spec.minReadySeconds ?? 0;
  if (minReadySeconds === 0) return;
  let soonest: number | undefined;
  for (const pod of pods) {
    const since = isPodReady(pod) ? timeMs(podReadyCondition(pod)?.lastTransitionTime) : undefined;
    if (since === undefined) continue;
    const at = since + minReadySeconds * 1000;
    if (at >= nowMs && (soonest === undefined || at < soonest)) soonest = at;
  }
  return soonest === undefined ? undefined : { requeueAfterMs: soonest - nowMs + 1000 };
}
