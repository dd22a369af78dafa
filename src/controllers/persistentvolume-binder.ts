// The PersistentVolume binder (upstream pkg/controller/volume/persistentvolume, pv_controller.go):
// level-triggered over claims and volumes, one queue with "claim:<ns>/<name>" and "volume:<name>"
// keys.
// - syncClaim: a claim without a class gets the default class (retroactive default assignment);
//   an unbound claim is bound to the best matching volume, or left Pending with upstream's event:
//   WaitForFirstConsumer until the scheduler picks a node, ExternalProvisioning once the class's
//   provisioner is named on the claim, ProvisioningFailed when the class does not exist,
//   FailedBinding without any class; a bound claim whose volume is gone or bound elsewhere is Lost.
// - syncVolume: Available, Bound or Released; a released volume is reclaimed by its policy: Retain
//   keeps it, Delete of a provisioned volume is its provisioner's job (local-path-provisioner.ts),
//   Recycle is not supported (Failed, VolumeFailedRecycle, as upstream without a recycler).
// Binding writes the volume first, then the claim, each through compare-and-swap (volume-writes.ts).
import { StatusError } from "../api/errors.js";
import { defineController, type Controller } from "../client/controller.js";
import type { Informer } from "../client/informer.js";
import type { ControllerContext, ControllerRegistration } from "./controller-context.js";
import { findMatchingVolume } from "./persistentvolume/volume-matching.js";
import {
  ANN_BETA_STORAGE_PROVISIONER, ANN_BIND_COMPLETED, ANN_BOUND_BY_CONTROLLER, ANN_DYNAMICALLY_PROVISIONED, ANN_SELECTED_NODE, ANN_STORAGE_PROVISIONER, claimClass, claimHasNoClass,
  claimKey, claimRefKey, defaultClass, isVolumeBoundToClaim, PERSISTENT_VOLUME_CLAIMS, PERSISTENT_VOLUMES, requestedStorage, STORAGE_CLASSES, volumeCapacity, volumeClass,
  VOLUMES_BY_CLASS_INDEX, volumesByClass, type PersistentVolume, type PersistentVolumeClaim, type StorageClass,
} from "./persistentvolume/volume-objects.js";
import { VolumeWrites } from "./persistentvolume/volume-writes.js";

/** Event reasons, as upstream's pkg/controller/volume/events. */
export const WaitForFirstConsumer = "WaitForFirstConsumer";
export const ExternalProvisioning = "ExternalProvisioning";
export const ProvisioningFailed = "ProvisioningFailed";
export const FailedBinding = "FailedBinding";
export const VolumeMismatch = "VolumeMismatch";
export const ClaimLost = "ClaimLost";
export const ClaimMisbound = "ClaimMisbound";
export const VolumeFailedRecycle = "VolumeFailedRecycle";
export const VolumeFailedDelete = "VolumeFailedDelete";
export const VolumeUnknownReclaimPolicy = "VolumeUnknownReclaimPolicy";

const CLAIM_PREFIX = "claim:";
const VOLUME_PREFIX = "volume:";

export const persistentVolumeBinderController: ControllerRegistration = {
  name: "persistentvolume-binder",
  component: "persistentvolume-controller",
  serviceAccount: "persistent-volume-binder",
  create: (ctx) => new PersistentVolumeBinder(ctx).controller,
};

class PersistentVolumeBinder {
  readonly controller: Controller;
  private readonly claims: Informer;
  private readonly volumes: Informer;
  private readonly classes: Informer;
  private readonly writes: VolumeWrites;

  constructor(private readonly ctx: ControllerContext) {
    this.claims = ctx.informers.informerFor(PERSISTENT_VOLUME_CLAIMS);
    this.volumes = ctx.informers.informerFor(PERSISTENT_VOLUMES);
    this.classes = ctx.informers.informerFor(STORAGE_CLASSES);
    this.volumes.addIndexer(VOLUMES_BY_CLASS_INDEX, volumesByClass);
    this.writes = new VolumeWrites(ctx.client, () => ctx.clock.now());
    this.controller = defineController({
      name: "persistentvolume-binder",
      workers: 4,
      clock: ctx.clock,
      logger: ctx.log,
      watches: [
        // A claim's volume is looked at with it: a deleted claim releases its volume.
        { informer: this.claims, keys: (claim) => claimKeys(claim as PersistentVolumeClaim) },
        { informer: this.volumes, keys: (pv) => volumeKeys(pv as PersistentVolume) },
        // A class appearing (or becoming the default) may let Pending claims go on.
        { informer: this.classes, keys: () => this.pendingClaimKeys() },
      ],
      reconcile: (key) => (key.startsWith(CLAIM_PREFIX) ? this.syncClaim(key.slice(CLAIM_PREFIX.length)) : this.syncVolume(key.slice(VOLUME_PREFIX.length))),
    });
  }

  private pendingClaimKeys(): string[] {
    return this.claims.list().filter((c) => !(c as PersistentVolumeClaim).spec.volumeName).map((c) => CLAIM_PREFIX + claimKey(c));
  }

  // ---- claims ---------------------------------------------------------------------------------

  private async syncClaim(key: string): Promise<void> {
    const claim = this.claims.get(key) as PersistentVolumeClaim | undefined;
    if (!claim) return;
    if (!claim.metadata?.annotations?.[ANN_BIND_COMPLETED]) await this.syncUnboundClaim(claim);
    else await this.syncBoundClaim(claim);
  }

  private async syncUnboundClaim(claim: PersistentVolumeClaim): Promise<void> {
    if (claimHasNoClass(claim) && !claim.spec.volumeName) {
      const assigned = defaultClass(this.classes.list());
      // The update brings the claim back here with its class.
      if (assigned) return void (await this.assignDefaultClass(claim, assigned));
    }
    if (claim.spec.volumeName) return this.syncPreBoundClaim(claim, claim.spec.volumeName);
    const storageClass = this.classes.get(claimClass(claim)) as StorageClass | undefined;
    const delayBinding = storageClass?.volumeBindingMode === "WaitForFirstConsumer";
    const volume = findMatchingVolume(claim, this.volumesOfClass(claimClass(claim)), { delayBinding });
    if (volume) return this.bind(volume, claim);
    if (delayBinding && !claim.metadata?.annotations?.[ANN_SELECTED_NODE]) {
      await this.pending(claim, "Normal", WaitForFirstConsumer, "waiting for first consumer to be created before binding");
      return;
    }
    if (claimClass(claim) === "") {
      await this.pending(claim, "Normal", FailedBinding, "no persistent volumes available for this claim and no storage class is set");
      return;
    }
    await this.provisionClaim(claim, storageClass);
  }

  /** upstream provisionClaimOperation(External): names the provisioner on the claim and waits for it. */
  private async provisionClaim(claim: PersistentVolumeClaim, storageClass: StorageClass | undefined): Promise<void> {
    if (!storageClass) {
      await this.pending(claim, "Warning", ProvisioningFailed, `storageclass.storage.k8s.io "${claimClass(claim)}" not found`);
      return;
    }
    const provisioner = storageClass.provisioner;
    let current = claim;
    const annotations = claim.metadata?.annotations ?? {};
    if (annotations[ANN_STORAGE_PROVISIONER] !== provisioner || annotations[ANN_BETA_STORAGE_PROVISIONER] !== provisioner) {
      const copy = structuredClone(claim);
      copy.metadata = { ...copy.metadata, annotations: { ...annotations, [ANN_STORAGE_PROVISIONER]: provisioner, [ANN_BETA_STORAGE_PROVISIONER]: provisioner } };
      current = (await this.ctx.client.update(PERSISTENT_VOLUME_CLAIMS, claim.metadata?.namespace, copy)) as PersistentVolumeClaim;
    }
    await this.pending(current, "Normal", ExternalProvisioning, `Waiting for a volume to be created either by the external provisioner '${provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`);
  }

  /** A claim that names its volume (spec.volumeName) binds to it alone. */
  private async syncPreBoundClaim(claim: PersistentVolumeClaim, volumeName: string): Promise<void> {
    const volume = this.volumes.get(volumeName) as PersistentVolume | undefined;
    if (!volume) {
      await this.writes.updateClaimStatus(claim, "Pending");
      return;
    }
    if (!volume.spec.claimRef) {
      const mismatch = volumeMismatch(volume, claim);
      if (mismatch) return this.pending(claim, "Warning", VolumeMismatch, `Cannot bind to requested volume "${volumeName}": ${mismatch}`);
      return this.bind(volume, claim);
    }
    if (isVolumeBoundToClaim(volume, claim)) return this.bind(volume, claim);
    if (claim.metadata?.annotations?.[ANN_BOUND_BY_CONTROLLER]) throw new Error(`claim ${claimKey(claim)}: the volume ${volumeName} it was bound to is bound to another claim`);
    await this.pending(claim, "Warning", FailedBinding, `volume "${volumeName}" already bound to a different claim.`);
  }

  private async syncBoundClaim(claim: PersistentVolumeClaim): Promise<void> {
    const volume = this.volumes.get(claim.spec.volumeName ?? "") as PersistentVolume | undefined;
    if (!claim.spec.volumeName) return this.lost(claim, ClaimLost, "Bound claim has lost reference to PersistentVolume. Data on the volume is lost!");
    if (!volume) return this.lost(claim, ClaimLost, "Bound claim has lost its PersistentVolume. Data on the volume is lost!");
    if (!volume.spec.claimRef || volume.spec.claimRef.uid === claim.metadata?.uid) return this.bind(volume, claim);
    await this.lost(claim, ClaimMisbound, "Two claims are bound to the same volume, this one is bound incorrectly");
  }

  /** upstream bind: the volume first (claimRef, then phase Bound), then the claim (volumeName, then phase Bound). */
  private async bind(volume: PersistentVolume, claim: PersistentVolumeClaim): Promise<void> {
    const bound = await this.writes.updateVolumePhase(await this.writes.bindVolumeToClaim(volume, claim), "Bound");
    const updatedClaim = await this.writes.bindClaimToVolume(claim, bound);
    await this.writes.updateClaimStatus(updatedClaim, "Bound", bound);
  }

  private async assignDefaultClass(claim: PersistentVolumeClaim, storageClass: StorageClass): Promise<void> {
    const copy = structuredClone(claim);
    copy.spec.storageClassName = storageClass.metadata?.name;
    await this.ctx.client.update(PERSISTENT_VOLUME_CLAIMS, claim.metadata?.namespace, copy);
  }

  /** Pending with an event (recorded on every pass; the recorder folds repeats into one with a count). */
  private async pending(claim: PersistentVolumeClaim, type: "Normal" | "Warning", reason: string, message: string): Promise<void> {
    await this.writes.updateClaimStatus(claim, "Pending");
    await this.ctx.recorder.event(claim, type, reason, message);
  }

  /** Lost is terminal; the event is recorded only when the claim enters it. */
  private async lost(claim: PersistentVolumeClaim, reason: string, message: string): Promise<void> {
    if (claim.status?.phase === "Lost") return;
    await this.writes.updateClaimStatus(claim, "Lost");
    await this.ctx.recorder.event(claim, "Warning", reason, message);
  }

  private volumesOfClass(className: string): PersistentVolume[] {
    return this.volumes.byIndex(VOLUMES_BY_CLASS_INDEX, className) as PersistentVolume[];
  }

  // ---- volumes --------------------------------------------------------------------------------

  private async syncVolume(name: string): Promise<void> {
    const volume = this.volumes.get(name) as PersistentVolume | undefined;
    if (!volume) return;
    const ref = volume.spec.claimRef;
    // Unused, or pre-bound to a claim that has not bound to it yet.
    if (!ref || !ref.uid) return void (await this.writes.updateVolumePhase(volume, "Available"));
    const claim = await this.currentClaim(claimRefKey(ref), ref.uid);
    if (!claim) return this.releaseVolume(volume);
    if (!claim.spec.volumeName) {
      // Bound (by the scheduler or a provisioner) before the claim: the claim's sync finishes it.
      this.controller.enqueue(CLAIM_PREFIX + claimKey(claim));
      return;
    }
    if (claim.spec.volumeName === name) return void (await this.writes.updateVolumePhase(volume, "Bound"));
    // The claim went to another volume.
    if (volume.metadata?.annotations?.[ANN_DYNAMICALLY_PROVISIONED] && volume.spec.persistentVolumeReclaimPolicy === "Delete") return this.releaseVolume(volume);
    await this.writes.unbindVolume(volume);
  }

  /**
   * The claim the volume is bound to, or undefined when it is gone. The cache may lag behind a
   * claim just created, so its absence is confirmed with a live read before the volume is released.
   */
  private async currentClaim(key: string, uid: string): Promise<PersistentVolumeClaim | undefined> {
    let claim = this.claims.get(key) as PersistentVolumeClaim | undefined;
    if (!claim) {
      const [namespace = "", name = ""] = key.split("/");
      claim = await this.ctx.client.get(PERSISTENT_VOLUME_CLAIMS, namespace, name).then(
        (c) => c as PersistentVolumeClaim,
        (err: unknown) => {
          if (err instanceof StatusError && err.code === 404) return undefined;
          throw err;
        },
      );
    }
    return claim?.metadata?.uid === uid ? claim : undefined;
  }

  /** upstream: Released (a Failed volume stays Failed), then reclaimVolume. */
  private async releaseVolume(volume: PersistentVolume): Promise<void> {
    let current = volume;
    if (volume.status?.phase !== "Released" && volume.status?.phase !== "Failed") current = await this.writes.updateVolumePhase(volume, "Released");
    switch (current.spec.persistentVolumeReclaimPolicy) {
      case "Retain":
        return;
      case "Delete":
        // A provisioned volume is deleted by its provisioner; nothing here can delete another kind.
        if (current.metadata?.annotations?.[ANN_DYNAMICALLY_PROVISIONED]) return;
        return this.failVolume(current, VolumeFailedDelete, `error getting deleter volume plugin for volume "${current.metadata?.name ?? ""}": no deletable volume plugin matched`);
      case "Recycle":
        return this.failVolume(current, VolumeFailedRecycle, "No recycler plugin found for the volume!");
      default:
        return this.failVolume(current, VolumeUnknownReclaimPolicy, "Volume has unrecognized PersistentVolumeReclaimPolicy");
    }
  }

  private async failVolume(volume: PersistentVolume, reason: string, message: string): Promise<void> {
    if (volume.status?.phase === "Failed") return;
    const failed = await this.writes.updateVolumePhase(volume, "Failed", message);
    await this.ctx.recorder.event(failed, "Warning", reason, message);
  }
}

/** A volume's own key and, when it points at a claim, the claim's. */
function volumeKeys(volume: PersistentVolume): string[] {
  const keys = [VOLUME_PREFIX + (volume.metadata?.name ?? "")];
  if (volume.spec.claimRef?.name) keys.push(CLAIM_PREFIX + claimRefKey(volume.spec.claimRef));
  return keys;
}

function claimKeys(claim: PersistentVolumeClaim): string[] {
  const keys = [CLAIM_PREFIX + claimKey(claim)];
  if (claim.spec.volumeName) keys.push(VOLUME_PREFIX + claim.spec.volumeName);
  return keys;
}

/** upstream checkVolumeSatisfyClaim: why a volume named by a claim cannot serve it, if it cannot. */
function volumeMismatch(volume: PersistentVolume, claim: PersistentVolumeClaim): string | undefined {
  if (volumeCapacity(volume).cmp(requestedStorage(claim)) < 0) return "requested PV is too small";
  if (volumeClass(volume) !== claimClass(claim)) return "storageClassName does not match";
  if ((volume.spec.volumeMode ?? "Filesystem") !== (claim.spec.volumeMode ?? "Filesystem")) return "incompatible volumeMode";
  if (!(claim.spec.accessModes ?? []).every((m) => (volume.spec.accessModes ?? []).includes(m))) return "incompatible accessMode";
  return undefined;
}
