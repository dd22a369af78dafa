// The PV protection controller (upstream pkg/controller/volume/pvprotection): every
// PersistentVolume carries the kubernetes.io/pv-protection finalizer (added here when missing); a
// volume being deleted keeps it while it is Bound to a claim, and loses it once it is not.
import { StatusError } from "../api/errors.js";
import type { KubeObject } from "../api/resource.js";
import { defineController, objectKey, type Controller } from "../client/controller.js";
import type { ControllerContext, ControllerRegistration } from "./controller-context.js";
import { PERSISTENT_VOLUMES, PV_PROTECTION_FINALIZER } from "./persistentvolume/volume-objects.js";

export const pvProtectionController: ControllerRegistration = {
  name: "pv-protection",
  component: "pv-protection-controller",
  create: createPVProtection,
};

function createPVProtection(ctx: ControllerContext): Controller {
  const volumes = ctx.informers.informerFor(PERSISTENT_VOLUMES);
  return defineController({
    name: "pv-protection",
    clock: ctx.clock,
    logger: ctx.log,
    watches: [{ informer: volumes, keys: (pv) => (needsWork(pv) ? [objectKey(pv)] : []) }],
    reconcile: async (key) => {
      const volume = volumes.get(key);
      if (!volume || !needsWork(volume)) return;
      const finalizers = volume.metadata?.finalizers ?? [];
      const next = volume.metadata?.deletionTimestamp ? finalizers.filter((f) => f !== PV_PROTECTION_FINALIZER) : [...finalizers, PV_PROTECTION_FINALIZER];
      const copy = structuredClone(volume);
      copy.metadata = { ...copy.metadata, finalizers: next };
      await ctx.client.update(PERSISTENT_VOLUMES, undefined, copy).catch((err: unknown) => {
        if (!(err instanceof StatusError && err.code === 404)) throw err;
      });
    },
  });
}

/** Missing the finalizer while alive, or holding it while deleted and no longer Bound. */
function needsWork(volume: KubeObject): boolean {
  const has = (volume.metadata?.finalizers ?? []).includes(PV_PROTECTION_FINALIZER);
  if (!volume.metadata?.deletionTimestamp) return !has;
  return has && (volume.status as { phase?: string } | undefined)?.phase !== "Bound";
}
