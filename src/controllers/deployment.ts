// The Deployment controller (upstream pkg/controller/deployment/deployment_controller.go): runs a
// Deployment's pods through ReplicaSets named <deployment>-<pod-template-hash>. syncDeployment
// claims the ReplicaSets the selector matches (adopting orphans, releasing ones that stopped
// matching), then, in upstream's order: a Deployment being deleted only gets status; paused ones
// get the DeploymentPaused condition and are only scaled; a changed spec.replicas is a scaling
// event (proportional scaling mid-rollout); otherwise the strategy rolls out the template
// (deployment/rolling.ts, deployment/recreate.ts). `kubectl rollout undo` writes an old template
// back, and the ReplicaSet with that template is re-used with the next revision. Level-triggered:
// ReplicaSet and pod events only map to the Deployment's key.
import type { KubeObject } from "../api/resource.js";
import { isEmptyLabelSelector, selectorOf } from "../api/resources/label-selectors.js";
import { CORE_V1 } from "../client/client.js";
import { TerminalError, defineController, keyFor, objectKey, type Controller, type KeyMapper, type ReconcileResult } from "../client/controller.js";
import type { Informer } from "../client/informer.js";
import type { ControllerContext, ControllerRegistration } from "./controller-context.js";
import { claimObjects, recheckDeletionTimestamp } from "./controller-ref-manager.js";
import { controllerRefOf, newControllerRef } from "./controller-ref.js";
import { SelectingAll, type Deployment, type DeploymentContext } from "./deployment/objects.js";
import { rolloutRecreate, type PodMap } from "./deployment/recreate.js";
import { rolloutRolling } from "./deployment/rolling.js";
import { checkPausedConditions, isScalingEvent, sync, syncStatusOnly } from "./deployment/sync.js";
import { DEPLOYMENTS, REPLICASETS, updateDeploymentStatus } from "./deployment/writes.js";
import type { Pod } from "./pods.js";
import { CONTROLLER_UID_INDEX, controllerUid } from "./replicaset.js";
import type { ReplicaSet } from "./replicaset/objects.js";

export { ScalingReplicaSet, SelectingAll } from "./deployment/objects.js";

const PODS = CORE_V1("pods");
const DEPLOYMENT_KIND = "Deployment";

export const deploymentController: ControllerRegistration = {
  name: "deployment",
  component: "deployment-controller",
  create: (ctx) => new DeploymentController(ctx).controller,
};

class DeploymentController {
  readonly controller: Controller;
  private readonly dInformer: Informer;
  private readonly rsInformer: Informer;
  private readonly podInformer: Informer;
  private readonly dc: DeploymentContext;

  constructor(private readonly ctx: ControllerContext) {
    this.dInformer = ctx.informers.informerFor(DEPLOYMENTS);
    this.rsInformer = ctx.informers.informerFor(REPLICASETS);
    this.podInformer = ctx.informers.informerFor(PODS);
    this.rsInformer.addIndexer(CONTROLLER_UID_INDEX, controllerUid);
    this.dc = { client: ctx.client, recorder: ctx.recorder, clock: ctx.clock, log: ctx.log, rsInformer: this.rsInformer };
    this.controller = defineController({
      name: "deployment",
      workers: 5,
      clock: ctx.clock,
      logger: ctx.log,
      watches: [
        { informer: this.dInformer, keys: (d) => [objectKey(d)] },
        { informer: this.rsInformer, keys: this.replicaSetToDeployments },
        { informer: this.podInformer, keys: this.podToRecreateDeployment },
      ],
      reconcile: (key) => this.syncDeployment(key),
    });
  }

  /** syncDeployment: one level-triggered pass over a Deployment. */
  private async syncDeployment(key: string): Promise<ReconcileResult> {
    const cached = this.dInformer.get(key) as Deployment | undefined;
    if (!cached) return;
    const d = structuredClone(cached);
    d.status ??= {};
    if (d.spec.selector && isEmptyLabelSelector(d.spec.selector)) return this.selectingAll(d);
    const rsList = await this.getReplicaSetsForDeployment(d);
    const podMap = this.getPodMapForDeployment(d, rsList);
    if (d.metadata.deletionTimestamp) return syncStatusOnly(this.dc, d, rsList);
    await checkPausedConditions(this.dc, d);
    if (d.spec.paused) return sync(this.dc, d, rsList);
    if (await isScalingEvent(this.dc, d, rsList)) return sync(this.dc, d, rsList);
    switch (d.spec.strategy?.type) {
      case "Recreate":
        return rolloutRecreate(this.dc, d, rsList, podMap);
      case "RollingUpdate":
        return rolloutRolling(this.dc, d, rsList);
      default:
        throw new TerminalError(`unexpected deployment strategy type: ${d.spec.strategy?.type}`);
    }
  }

  /** An empty selector would select every pod: refuse, as upstream does. */
  private async selectingAll(d: Deployment): Promise<void> {
    await this.ctx.recorder.event(d, "Warning", SelectingAll, "This deployment is selecting all pods. A non-empty selector is required.");
    if ((d.status.observedGeneration ?? 0) >= (d.metadata.generation ?? 0)) return;
    d.status.observedGeneration = d.metadata.generation;
    await updateDeploymentStatus(this.dc, d);
  }

  /** getReplicaSetsForDeployment: the ReplicaSets this Deployment controls after adoption and release. */
  private async getReplicaSetsForDeployment(d: Deployment): Promise<ReplicaSet[]> {
    const selector = selectorOf(d.spec.selector);
    if (!selector) throw new TerminalError(`deployment ${d.metadata.namespace}/${d.metadata.name} has invalid label selector`);
    const claimed = await claimObjects(this.rsInformer.list(d.metadata.namespace) as ReplicaSet[], {
      client: this.ctx.client,
      resource: REPLICASETS,
      kind: "ReplicaSet",
      owner: d,
      controllerRef: newControllerRef(d, "apps/v1", DEPLOYMENT_KIND),
      selector,
      canAdopt: recheckDeletionTimestamp(this.ctx.client, DEPLOYMENTS, d, DEPLOYMENT_KIND),
    });
    return [...claimed];
  }

  /** getPodMapForDeployment: the Deployment's pods grouped by the uid of their ReplicaSet. */
  private getPodMapForDeployment(d: Deployment, rsList: readonly ReplicaSet[]): PodMap {
    const selector = selectorOf(d.spec.selector);
    const podMap = new Map<string, Pod[]>(rsList.map((rs) => [rs.metadata.uid ?? "", []]));
    for (const pod of this.podInformer.list(d.metadata.namespace) as Pod[]) {
      if (!selector?.matches(pod.metadata.labels)) continue;
      podMap.get(controllerRefOf(pod)?.uid ?? "")?.push(pod);
    }
    return podMap;
  }

  /** ReplicaSet → its controlling Deployment, or for an orphan every Deployment whose selector matches it. */
  private readonly replicaSetToDeployments: KeyMapper = (rs) => {
    const ref = controllerRefOf(rs);
    if (ref) {
      const d = this.resolveControllerRef(rs.metadata?.namespace, ref.kind, ref.name, ref.uid);
      return d ? [objectKey(d)] : [];
    }
    return this.getDeploymentsForReplicaSet(rs).map(objectKey);
  };

  private getDeploymentsForReplicaSet(rs: KubeObject): Deployment[] {
    return (this.dInformer.list(rs.metadata?.namespace) as Deployment[]).filter((d) => {
      const selector = selectorOf(d.spec.selector);
      return selector !== undefined && !selector.isEmpty() && selector.matches(rs.metadata?.labels);
    });
  }

  /** Pod → its Deployment, for Recreate Deployments only (they wait for old pods to go). */
  private readonly podToRecreateDeployment: KeyMapper = (pod) => {
    const ref = controllerRefOf(pod);
    if (!ref || ref.kind !== "ReplicaSet") return [];
    const rs = this.rsInformer.get(keyFor(pod.metadata?.namespace, ref.name));
    const dRef = rs && rs.metadata?.uid === ref.uid ? controllerRefOf(rs) : undefined;
    if (!dRef) return [];
    const d = this.resolveControllerRef(pod.metadata?.namespace, dRef.kind, dRef.name, dRef.uid);
    return d?.spec.strategy?.type === "Recreate" ? [objectKey(d)] : [];
  };

  private resolveControllerRef(namespace: string | undefined, kind: string, name: string, uid: string): Deployment | undefined {
    if (kind !== DEPLOYMENT_KIND) return undefined;
    const d = this.dInformer.get(keyFor(namespace, name)) as Deployment | undefined;
    return d?.metadata.uid === uid ? d : undefined;
  }
}
