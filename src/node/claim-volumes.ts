// persistentVolumeClaim volumes on a node (the kubelet's PVC → PV → volume plugin path, for the
// sources a single host can serve): the claim must be bound, and its PersistentVolume's hostPath
// (created when its type asks, as local-path volumes do) or local path is what the container gets
// bind-mounted. The data lives outside the pod's directory, so it outlives the pod.
import { stat } from "node:fs/promises";
import type { KubeObject } from "../api/resource.js";
import type { PersistentVolume, PersistentVolumeClaim } from "../controllers/persistentvolume/volume-objects.js";

/** Reads claims and volumes through the API, as this node (the Node authorizer lets it read its pods' claims). */
export interface ClaimSource {
  claim(namespace: string, name: string): Promise<KubeObject | undefined>;
  volume(name: string): Promise<KubeObject | undefined>;
}

/** What cannot be mounted, in the kubelet's words; the pod shows it and waits. */
export class ClaimVolumeError extends Error {}

export interface ClaimMount {
  /** The host directory to bind-mount. */
  path: string;
  /** hostPath type to check or create (DirectoryOrCreate for local-path volumes). */
  hostPathType?: string;
}

export async function claimMount(source: ClaimSource, namespace: string, claimName: string): Promise<ClaimMount> {
  const claim = (await source.claim(namespace, claimName)) as PersistentVolumeClaim | undefined;
  if (!claim) throw new ClaimVolumeError(`persistentvolumeclaim "${claimName}" not found`);
  const phase = claim.status?.phase ?? "";
  const volumeName = claim.spec.volumeName ?? "";
  if (phase !== "Bound" || !volumeName) throw new ClaimVolumeError(`PVC ${namespace}/${claimName} has non-bound phase ("${phase}") or empty pvc.Spec.VolumeName ("${volumeName}")`);
  const volume = (await source.volume(volumeName)) as PersistentVolume | undefined;
  if (!volume) throw new ClaimVolumeError(`persistentvolume "${volumeName}" not found`);
  if (volume.spec.claimRef?.uid !== claim.metadata?.uid) throw new ClaimVolumeError(`persistentvolume "${volumeName}" is not bound to claim ${namespace}/${claimName}`);
  if (volume.spec.hostPath) return { path: volume.spec.hostPath.path, hostPathType: volume.spec.hostPath.type };
  if (volume.spec.local) {
    const info = await stat(volume.spec.local.path).catch(() => undefined);
    if (!info) throw new ClaimVolumeError(`path "${volume.spec.local.path}" does not exist`);
    return { path: volume.spec.local.path };
  }
  throw new ClaimVolumeError(`persistentvolume "${volumeName}": its volume source is not supported by this node (hostPath and local are)`);
}
