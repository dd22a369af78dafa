// The PV binder's writes (upstream pv_controller.go bindVolumeToClaim, bindClaimToVolume,
// updateClaimStatus, updateVolumePhase, unbindVolume): each copies the cached object, changes only
// what differs, and writes with its resourceVersion, so a stale cache ends in a conflict and a retry.
import type { Client } from "../../client/client.js";
import { rfc3339 } from "../../api/meta-time.js";
import { jsonEqual } from "../../api/resources/object-fields.js";
import {
  ANN_BIND_COMPLETED, ANN_BOUND_BY_CONTROLLER, isVolumeBoundToClaim, PERSISTENT_VOLUME_CLAIMS, PERSISTENT_VOLUMES,
  type PersistentVolume, type PersistentVolumeClaim,
} from "./volume-objects.js";

export class VolumeWrites {
  constructor(private readonly client: Client, private readonly now: () => number) {}

  /** Points the volume at the claim (and marks it bound by us unless it was pre-bound to it). */
  async bindVolumeToClaim(volume: PersistentVolume, claim: PersistentVolumeClaim): Promise<PersistentVolume> {
    const meta = claim.metadata ?? {};
    const ref = volume.spec.claimRef;
    const sameClaim = ref && ref.name === meta.name && ref.namespace === meta.namespace && ref.uid === meta.uid;
    const markBound = !isVolumeBoundToClaim(volume, claim) && volume.metadata?.annotations?.[ANN_BOUND_BY_CONTROLLER] === undefined;
    if (sameClaim && !markBound) return volume;
    const copy = structuredClone(volume);
    copy.spec.claimRef = { kind: "PersistentVolumeClaim", namespace: meta.namespace, name: meta.name, uid: meta.uid, apiVersion: "v1", resourceVersion: meta.resourceVersion };
    if (markBound) copy.metadata = { ...copy.metadata, annotations: { ...copy.metadata?.annotations, [ANN_BOUND_BY_CONTROLLER]: "yes" } };
    return (await this.client.update(PERSISTENT_VOLUMES, undefined, copy)) as PersistentVolume;
  }

  /** Sets spec.volumeName and the bind-completed annotation on the claim. */
  async bindClaimToVolume(claim: PersistentVolumeClaim, volume: PersistentVolume): Promise<PersistentVolumeClaim> {
    const name = volume.metadata?.name ?? "";
    const annotations = { ...claim.metadata?.annotations };
    if (claim.spec.volumeName !== name && annotations[ANN_BOUND_BY_CONTROLLER] === undefined) annotations[ANN_BOUND_BY_CONTROLLER] = "yes";
    annotations[ANN_BIND_COMPLETED] ??= "yes";
    if (claim.spec.volumeName === name && Object.keys(annotations).length === Object.keys(claim.metadata?.annotations ?? {}).length) return claim;
    const copy = structuredClone(claim);
    copy.spec.volumeName = name;
    copy.metadata = { ...copy.metadata, annotations };
    return (await this.client.update(PERSISTENT_VOLUME_CLAIMS, claim.metadata?.namespace, copy)) as PersistentVolumeClaim;
  }

  /** The claim's phase, with the volume's access modes and capacity when bound (cleared otherwise). */
  async updateClaimStatus(claim: PersistentVolumeClaim, phase: string, volume?: PersistentVolume): Promise<PersistentVolumeClaim> {
    const status = { ...claim.status, phase };
    if (volume) {
      status.accessModes = volume.spec.accessModes;
      status.capacity = volume.spec.capacity;
    } else {
      delete status.accessModes;
      delete status.capacity;
    }
    if (jsonEqual(status, claim.status ?? {})) return claim;
    const copy = { ...structuredClone(claim), status };
    return (await this.client.update(PERSISTENT_VOLUME_CLAIMS, claim.metadata?.namespace, copy, { subresource: "status" })) as PersistentVolumeClaim;
  }

  /** The volume's phase (and message), stamping lastPhaseTransitionTime when it changes. */
  async updateVolumePhase(volume: PersistentVolume, phase: string, message = ""): Promise<PersistentVolume> {
    if (volume.status?.phase === phase && (volume.status?.message ?? "") === message) return volume;
    const copy = structuredClone(volume);
    copy.status = { ...copy.status, phase, ...(message ? { message } : {}) };
    if (!message) delete copy.status.message;
    if (volume.status?.phase !== phase) copy.status.lastPhaseTransitionTime = rfc3339(this.now());
    return (await this.client.update(PERSISTENT_VOLUMES, undefined, copy, { subresource: "status" })) as PersistentVolume;
  }

  /** Undoes a binding: the claimRef goes if we set it, only its uid if a user pre-bound the volume. */
  async unbindVolume(volume: PersistentVolume): Promise<PersistentVolume> {
    const copy = structuredClone(volume);
    if (copy.metadata?.annotations?.[ANN_BOUND_BY_CONTROLLER] !== undefined) {
      delete copy.spec.claimRef;
      delete copy.metadata.annotations[ANN_BOUND_BY_CONTROLLER];
    } else if (copy.spec.claimRef) {
      delete copy.spec.claimRef.uid;
    }
    const updated = (await this.client.update(PERSISTENT_VOLUMES, undefined, copy)) as PersistentVolume;
    return this.updateVolumePhase(updated, "Available");
  }
}
