// The PVC protection controller (upstream pkg/controller/volume/pvcprotection): every claim carries
// the kubernetes.io/pvc-protection finalizer (added here for claims that came without it); a claim
// being deleted keeps it while a pod that is not finished uses the claim, so data in use is never
// pulled from under a running pod. Pods are indexed by the claims they name; the cache's answer
// "unused" is confirmed with a live list of the namespace's pods, as upstream does, before the
// finalizer goes.
import { StatusError } from "../api/errors.js";
import type { KubeObject } from "../api/resource.js";
import { CORE_V1 } from "../client/client.js";
import { defineController, type Controller } from "../client/controller.js";
import type { Informer } from "../client/informer.js";
import type { ControllerContext, ControllerRegistration } from "./controller-context.js";
import { claimKey, PERSISTENT_VOLUME_CLAIMS, podClaimKeys, PVC_PROTECTION_FINALIZER } from "./persistentvolume/volume-objects.js";

const PODS = CORE_V1("pods");
export const POD_CLAIMS_INDEX = "persistentVolumeClaims";

export const pvcProtectionController: ControllerRegistration = {
  name: "pvc-protection",
  component: "pvc-protection-controller",
  create: (ctx) => new PVCProtection(ctx).controller,
};

class PVCProtection {
  readonly controller: Controller;
  private readonly claims: Informer;
  private readonly pods: Informer;

  constructor(private readonly ctx: ControllerContext) {
    this.claims = ctx.informers.informerFor(PERSISTENT_VOLUME_CLAIMS);
    this.pods = ctx.informers.informerFor(PODS);
    this.pods.addIndexer(POD_CLAIMS_INDEX, podClaimKeys);
    this.controller = defineController({
      name: "pvc-protection",
      workers: 2,
      clock: ctx.clock,
      logger: ctx.log,
      watches: [
        { informer: this.claims, keys: (claim) => (needsWork(claim) ? [claimKey(claim)] : []) },
        // A pod going away (or finishing) may free a claim being deleted.
        { informer: this.pods, keys: (pod) => podClaimKeys(pod).filter((key) => this.claims.get(key)?.metadata?.deletionTimestamp) },
      ],
      reconcile: (key) => this.sync(key),
    });
  }

  private async sync(key: string): Promise<void> {
    const claim = this.claims.get(key);
    if (!claim) return;
    const finalizers = claim.metadata?.finalizers ?? [];
    const deleting = Boolean(claim.metadata?.deletionTimestamp);
    if (!deleting && !finalizers.includes(PVC_PROTECTION_FINALIZER)) return this.setFinalizers(claim, [...finalizers, PVC_PROTECTION_FINALIZER]);
    if (!deleting || !finalizers.includes(PVC_PROTECTION_FINALIZER)) return;
    if (this.pods.byIndex(POD_CLAIMS_INDEX, key).some(isActive)) return;
    if (await this.usedByLivePod(claim)) return;
    await this.setFinalizers(claim, finalizers.filter((f) => f !== PVC_PROTECTION_FINALIZER));
  }

  private async usedByLivePod(claim: KubeObject): Promise<boolean> {
    const list = await this.ctx.client.list(PODS, { namespace: claim.metadata?.namespace });
    return list.items.some((pod) => isActive(pod) && podClaimKeys(pod).includes(claimKey(claim)));
  }

  private async setFinalizers(claim: KubeObject, finalizers: string[]): Promise<void> {
    const copy = structuredClone(claim);
    copy.metadata = { ...copy.metadata, finalizers };
    try {
      await this.ctx.client.update(PERSISTENT_VOLUME_CLAIMS, claim.metadata?.namespace, copy);
    } catch (err) {
      if (!(err instanceof StatusError && err.code === 404)) throw err;
    }
  }
}

function needsWork(claim: KubeObject): boolean {
  const has = (claim.metadata?.finalizers ?? []).includes(PVC_PROTECTION_FINALIZER);
  return claim.metadata?.deletionTimestamp ? has : !has;
}

/** A pod that may still use its volumes: not Succeeded or Failed (upstream podIsShutDown aside). */
function isActive(pod: KubeObject): boolean {
  const phase = (pod.status as { phase?: string } | undefined)?.phase;
  return phase !== "Succeeded" && phase !== "Failed";
}
