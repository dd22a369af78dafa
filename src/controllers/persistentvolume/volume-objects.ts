// The shapes of PersistentVolumes, PersistentVolumeClaims and StorageClasses that the volume
// controllers, the scheduler's VolumeBinding plugin and the node agent read, with upstream's
// annotation names and the small questions they all ask (which class, how much, bound to whom).
import type { KubeObject } from "../../api/resource.js";
import { Quantity } from "../../api/quantity.js";
import type { NodeSelectorTerm } from "../../scheduler/api-types.js";
import { CORE_V1, type ResourceRef } from "../../client/client.js";
import { isDefaultClass } from "../../api/resources/storageclass.js";

export const PERSISTENT_VOLUMES = CORE_V1("persistentvolumes");
export const PERSISTENT_VOLUME_CLAIMS = CORE_V1("persistentvolumeclaims");
export const STORAGE_CLASSES: ResourceRef = { group: "storage.k8s.io", version: "v1", resource: "storageclasses" };

/** upstream's annotations (pkg/controller/volume/persistentvolume/util). */
export const ANN_BIND_COMPLETED = "pv.kubernetes.io/bind-completed";
export const ANN_BOUND_BY_CONTROLLER = "pv.kubernetes.io/bound-by-controller";
export const ANN_DYNAMICALLY_PROVISIONED = "pv.kubernetes.io/provisioned-by";
export const ANN_SELECTED_NODE = "volume.kubernetes.io/selected-node";
export const ANN_STORAGE_PROVISIONER = "volume.kubernetes.io/storage-provisioner";
export const ANN_BETA_STORAGE_PROVISIONER = "volume.beta.kubernetes.io/storage-provisioner";
export const ANN_BETA_STORAGE_CLASS = "volume.beta.kubernetes.io/storage-class";
export const ANN_DEFAULT_STORAGE_CLASS = "storageclass.kubernetes.io/is-default-class";

/** Where a node agent keeps local-path volumes (its DATA_DIR/volumes), announced on its Node. */
export const LOCAL_PATH_ROOT_ANNOTATION = "kubelite.io/local-path-root";

export const PVC_PROTECTION_FINALIZER = "kubernetes.io/pvc-protection";
export const PV_PROTECTION_FINALIZER = "kubernetes.io/pv-protection";

/** StorageClasses whose volumes are created by hand, never provisioned (upstream's no-provisioner). */
export const NO_PROVISIONER = "kubernetes.io/no-provisioner";

export interface ObjectReference {
  kind?: string;
  apiVersion?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  resourceVersion?: string;
}

export interface PersistentVolume extends KubeObject {
  spec: {
    capacity?: Record<string, string>;
    accessModes?: string[];
    claimRef?: ObjectReference | null;
    storageClassName?: string;
    persistentVolumeReclaimPolicy?: string;
    volumeMode?: string;
    nodeAffinity?: { required?: { nodeSelectorTerms?: NodeSelectorTerm[] } };
    hostPath?: { path: string; type?: string };
    local?: { path: string };
    [source: string]: unknown;
  };
  status?: { phase?: string; message?: string; reason?: string; lastPhaseTransitionTime?: string };
}

export interface PersistentVolumeClaim extends KubeObject {
  spec: {
    accessModes?: string[];
    selector?: { matchLabels?: Record<string, string>; matchExpressions?: unknown[] } | null;
    resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
    volumeName?: string;
    storageClassName?: string | null;
    volumeMode?: string;
  };
  status?: { phase?: string; accessModes?: string[]; capacity?: Record<string, string> };
}

export interface StorageClass extends KubeObject {
  provisioner: string;
  reclaimPolicy?: string;
  volumeBindingMode?: string;
  parameters?: Record<string, string>;
  allowedTopologies?: { matchLabelExpressions?: { key: string; values: string[] }[] }[];
}

/** upstream GetPersistentVolumeClaimClass: the beta annotation wins over spec.storageClassName. */
export function claimClass(claim: PersistentVolumeClaim): string {
  return claim.metadata?.annotations?.[ANN_BETA_STORAGE_CLASS] ?? claim.spec.storageClassName ?? "";
}

/** Whether the claim names no class at all (nil, not ""): the default class may be given to it. */
export function claimHasNoClass(claim: PersistentVolumeClaim): boolean {
  return claim.metadata?.annotations?.[ANN_BETA_STORAGE_CLASS] === undefined && (claim.spec.storageClassName ?? undefined) === undefined;
}

/** upstream GetPersistentVolumeClass. */
export function volumeClass(volume: PersistentVolume): string {
  return volume.metadata?.annotations?.[ANN_BETA_STORAGE_CLASS] ?? volume.spec.storageClassName ?? "";
}

/**
 * upstream GetDefaultClass: of the classes marked default, the newest (then the name first in
 * order) wins, so that adding a new default while the old one is still marked is not an error.
 */
export function defaultClass(classes: readonly KubeObject[]): StorageClass | undefined {
  const defaults = classes.filter(isDefaultClass) as StorageClass[];
  defaults.sort((a, b) => compare(b.metadata?.creationTimestamp ?? "", a.metadata?.creationTimestamp ?? "") || compare(a.metadata?.name ?? "", b.metadata?.name ?? ""));
  return defaults[0];
}

export function requestedStorage(claim: PersistentVolumeClaim): Quantity {
  return quantity(claim.spec.resources?.requests?.storage);
}

export function volumeCapacity(volume: PersistentVolume): Quantity {
  return quantity(volume.spec.capacity?.storage);
}

function quantity(value: string | number | undefined): Quantity {
  return value === undefined ? Quantity.fromInt(0) : Quantity.fromJSON(value);
}

/** upstream IsVolumeBoundToClaim: the claimRef names the claim, and its uid if it has one. */
export function isVolumeBoundToClaim(volume: PersistentVolume, claim: PersistentVolumeClaim): boolean {
  const ref = volume.spec.claimRef;
  if (!ref) return false;
  if (ref.name !== claim.metadata?.name || ref.namespace !== claim.metadata?.namespace) return false;
  return !ref.uid || ref.uid === claim.metadata?.uid;
}

/** The informer index of volumes by class name, shared by the binder and the scheduler. */
export const VOLUMES_BY_CLASS_INDEX = "storageClass";
export const volumesByClass = (volume: KubeObject): readonly string[] => [volumeClass(volume as PersistentVolume)];

/** "namespace/name" of the claim a claimRef points at (the claims informer's key). */
export function claimRefKey(ref: ObjectReference): string {
  return `${ref.namespace ?? ""}/${ref.name ?? ""}`;
}

export function claimKey(claim: KubeObject): string {
  return `${claim.metadata?.namespace ?? ""}/${claim.metadata?.name ?? ""}`;
}

/** The claims a pod's volumes name (namespace/claimName), as the pvc-protection controller and scheduler read them. */
export function podClaimKeys(pod: KubeObject): string[] {
  const volumes = ((pod.spec as { volumes?: { persistentVolumeClaim?: { claimName?: string } }[] } | undefined)?.volumes ?? []);
  const namespace = pod.metadata?.namespace ?? "";
  return volumes.flatMap((v) => (v.persistentVolumeClaim?.claimName ? [`${namespace}/${v.persistentVolumeClaim.claimName}`] : []));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
