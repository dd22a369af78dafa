// The local-path provisioner (the role of Rancher's local-path-provisioner in k3s, speaking the
// external-provisioner protocol of sig-storage-lib-external-provisioner): for a claim whose class's
// provisioner is kubelite.io/local-path, once the PV binder has named us on the claim and (for
// WaitForFirstConsumer) the scheduler has chosen its node (for an Immediate class: the Ready node
// holding the fewest of our volumes), it creates a PersistentVolume
// pvc-<claim uid> pre-bound to the claim: a directory under the node's data dir (the path the
// node agent announces on its Node, kubelite.io/local-path-root; a simulated node announces none
// and gets a path that is never created), with node affinity to that node. The PV binder then
// completes the binding. A Released volume of ours with reclaim policy Delete loses its directory
// (when it is on this host) and its object.
import { rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { StatusError } from "../api/errors.js";
import type { KubeObject } from "../api/resource.js";
import { CORE_V1 } from "../client/client.js";
import { defineController, objectKey, type Controller } from "../client/controller.js";
import type { Informer } from "../client/informer.js";
import type { ControllerContext, ControllerRegistration } from "./controller-context.js";
import {
  ANN_DYNAMICALLY_PROVISIONED, ANN_SELECTED_NODE, LOCAL_PATH_ROOT_ANNOTATION, ANN_STORAGE_PROVISIONER, claimClass, claimKey, PERSISTENT_VOLUME_CLAIMS, PERSISTENT_VOLUMES, STORAGE_CLASSES,
  type PersistentVolume, type PersistentVolumeClaim, type StorageClass,
} from "./persistentvolume/volume-objects.js";

export const LOCAL_PATH_PROVISIONER = "kubelite.io/local-path";
/** For nodes that announce no root (simulated ones): a path that need not exist. */
const SIMULATED_ROOT = "/var/lib/kubelite/simulated-volumes";
const HOSTNAME_LABEL = "kubernetes.io/hostname";
const VOLUMES_BY_NODE_INDEX = "localPathNode";

/** Event reasons of the external provisioner library. */
export const Provisioning = "Provisioning";
export const ProvisioningSucceeded = "ProvisioningSucceeded";
export const ProvisioningFailed = "ProvisioningFailed";
export const VolumeFailedDelete = "VolumeFailedDelete";

const CLAIM_PREFIX = "claim:";
const VOLUME_PREFIX = "volume:";

export const localPathProvisionerController: ControllerRegistration = {
  name: "local-path-provisioner",
  component: LOCAL_PATH_PROVISIONER,
  serviceAccount: "local-path-provisioner",
  create: (ctx) => new LocalPathProvisioner(ctx).controller,
};

class LocalPathProvisioner {
  readonly controller: Controller;
  private readonly claims: Informer;
  private readonly volumes: Informer;
  private readonly classes: Informer;
  private readonly nodes: Informer;

  constructor(private readonly ctx: ControllerContext) {
    this.claims = ctx.informers.informerFor(PERSISTENT_VOLUME_CLAIMS);
    this.volumes = ctx.informers.informerFor(PERSISTENT_VOLUMES);
    this.classes = ctx.informers.informerFor(STORAGE_CLASSES);
    this.nodes = ctx.informers.informerFor(CORE_V1("nodes"));
    this.volumes.addIndexer(VOLUMES_BY_NODE_INDEX, pinnedHostname);
    this.controller = defineController({
      name: "local-path-provisioner",
      workers: 2,
      clock: ctx.clock,
      logger: ctx.log,
      watches: [
        { informer: this.claims, keys: (claim) => (isOurs(claim as PersistentVolumeClaim) ? [CLAIM_PREFIX + claimKey(claim)] : []) },
        { informer: this.volumes, keys: (pv) => (isReleasedOurs(pv as PersistentVolume) ? [VOLUME_PREFIX + objectKey(pv)] : []) },
      ],
      reads: [this.classes, this.nodes],
      reconcile: (key) => (key.startsWith(CLAIM_PREFIX) ? this.provision(key.slice(CLAIM_PREFIX.length)) : this.delete(key.slice(VOLUME_PREFIX.length))),
    });
  }

  /** upstream ProvisionController.provisionClaimOperation, for our class only. */
  private async provision(key: string): Promise<void> {
    const claim = this.claims.get(key) as PersistentVolumeClaim | undefined;
    if (!claim || !isOurs(claim) || claim.spec.volumeName || claim.metadata?.deletionTimestamp) return;
    const name = volumeName(claim);
    if (this.volumes.get(name)) return;
    const storageClass = this.classes.get(claimClass(claim)) as StorageClass | undefined;
    if (!storageClass || storageClass.provisioner !== LOCAL_PATH_PROVISIONER) return;
    const selected = claim.metadata?.annotations?.[ANN_SELECTED_NODE];
    // WaitForFirstConsumer claims wait for the scheduler to choose; Immediate ones are placed now.
    if (!selected && storageClass.volumeBindingMode === "WaitForFirstConsumer") return;
    const node = selected ? this.nodes.get(selected) : this.leastUsedNode();
    if (!node) {
      const why = selected ? `the selected node ${selected} is not known yet` : "no Ready node to place the volume on";
      await this.ctx.recorder.event(claim, "Warning", ProvisioningFailed, `failed to provision volume with StorageClass "${claimClass(claim)}": ${why}`);
      throw new Error(`claim ${key}: ${why}`);
    }
    await this.ctx.recorder.event(claim, "Normal", Provisioning, `External provisioner is provisioning volume for claim "${key}"`);
    const volume = localVolume(claim, storageClass, node, name);
    try {
      await this.ctx.client.create(PERSISTENT_VOLUMES, undefined, volume);
    } catch (err) {
      if (err instanceof StatusError && err.code === 409) return;
      await this.ctx.recorder.event(claim, "Warning", ProvisioningFailed, `failed to provision volume with StorageClass "${claimClass(claim)}": ${err instanceof Error ? err.message : String(err)}`);
      throw err;
    }
    await this.ctx.recorder.event(claim, "Normal", ProvisioningSucceeded, `Successfully provisioned volume ${name}`);
  }

  /**
   * For an Immediate class (local-path-provisioner would refuse it, having no node): the Ready,
   * schedulable node holding the fewest of our volumes, by name on ties. Pods on the claim follow
   * the volume there through its node affinity.
   */
  private leastUsedNode(): KubeObject | undefined {
    const usable = this.nodes.list().filter(isReadyAndSchedulable);
    const load = (node: KubeObject) => this.volumes.byIndex(VOLUMES_BY_NODE_INDEX, hostnameOf(node)).length;
    return usable.sort((a, b) => load(a) - load(b) || (a.metadata?.name ?? "").localeCompare(b.metadata?.name ?? ""))[0];
  }

  /** upstream deleteVolumeOperation: the directory first, then the object. */
  private async delete(name: string): Promise<void> {
    const volume = this.volumes.get(name) as PersistentVolume | undefined;
    if (!volume || !isReleasedOurs(volume) || volume.metadata?.deletionTimestamp) return;
    const path = this.ownDirectory(volume);
    try {
      if (path) await rm(path, { recursive: true, force: true });
    } catch (err) {
      await this.ctx.recorder.event(volume, "Warning", VolumeFailedDelete, err instanceof Error ? err.message : String(err));
      throw err;
    }
    await this.ctx.client.delete(PERSISTENT_VOLUMES, undefined, name, { preconditions: { uid: volume.metadata?.uid } }).catch((err: unknown) => {
      if (!(err instanceof StatusError && err.code === 404)) throw err;
    });
  }

  /**
   * The volume's directory, only when it is the one this provisioner made: directly under the root
   * its node announces and named for the volume. Anything else (a hand-made PV claiming to be ours,
   * a simulated node's path) is never removed; only the object goes.
   */
  private ownDirectory(volume: PersistentVolume): string | undefined {
    const path = volume.spec.hostPath?.path;
    const [hostname] = pinnedHostname(volume);
    const node = hostname ? this.nodes.list().find((n) => hostnameOf(n) === hostname) : undefined;
    const root = node?.metadata?.annotations?.[LOCAL_PATH_ROOT_ANNOTATION];
    if (!path || !root || dirname(path) !== root || !basename(path).startsWith(`${volume.metadata?.name ?? ""}_`)) return undefined;
    return path;
  }
}

function hostnameOf(node: KubeObject): string {
  return node.metadata?.labels?.[HOSTNAME_LABEL] ?? node.metadata?.name ?? "";
}

/** The hostname our volumes are pinned to (local-path volumes have exactly one). */
function pinnedHostname(volume: KubeObject): readonly string[] {
  const pv = volume as PersistentVolume;
  if (pv.metadata?.annotations?.[ANN_DYNAMICALLY_PROVISIONED] !== LOCAL_PATH_PROVISIONER) return [];
  const value = pv.spec.nodeAffinity?.required?.nodeSelectorTerms?.[0]?.matchExpressions?.[0]?.values?.[0];
  return value ? [value] : [];
}

function isReadyAndSchedulable(node: KubeObject): boolean {
  if ((node.spec as { unschedulable?: boolean } | undefined)?.unschedulable) return false;
  const conditions = (node.status as { conditions?: { type?: string; status?: string }[] } | undefined)?.conditions ?? [];
  return conditions.some((c) => c.type === "Ready" && c.status === "True");
}

/** A claim the PV binder has handed to this provisioner. */
function isOurs(claim: PersistentVolumeClaim): boolean {
  return claim.metadata?.annotations?.[ANN_STORAGE_PROVISIONER] === LOCAL_PATH_PROVISIONER && !claim.spec.volumeName;
}

function isReleasedOurs(volume: PersistentVolume): boolean {
  return volume.metadata?.annotations?.[ANN_DYNAMICALLY_PROVISIONED] === LOCAL_PATH_PROVISIONER && volume.status?.phase === "Released" && volume.spec.persistentVolumeReclaimPolicy === "Delete";
}

/** upstream's provisioned volume name: pvc-<claim uid>. */
function volumeName(claim: PersistentVolumeClaim): string {
  return `pvc-${claim.metadata?.uid ?? ""}`;
}

function localVolume(claim: PersistentVolumeClaim, storageClass: StorageClass, node: KubeObject, name: string): PersistentVolume {
  const meta = claim.metadata ?? {};
  const root = node.metadata?.annotations?.[LOCAL_PATH_ROOT_ANNOTATION] ?? join(SIMULATED_ROOT, node.metadata?.name ?? "");
  const hostname = hostnameOf(node);
  return {
    apiVersion: "v1",
    kind: "PersistentVolume",
    metadata: { name, annotations: { [ANN_DYNAMICALLY_PROVISIONED]: LOCAL_PATH_PROVISIONER } },
    spec: {
      capacity: { storage: claim.spec.resources?.requests?.storage ?? "0" },
      accessModes: claim.spec.accessModes,
      persistentVolumeReclaimPolicy: storageClass.reclaimPolicy ?? "Delete",
      storageClassName: storageClass.metadata?.name,
      volumeMode: claim.spec.volumeMode ?? "Filesystem",
      claimRef: { kind: "PersistentVolumeClaim", apiVersion: "v1", namespace: meta.namespace, name: meta.name, uid: meta.uid, resourceVersion: meta.resourceVersion },
      // The directory name says whose data it holds, as local-path-provisioner's does.
      hostPath: { path: join(root, `${name}_${meta.namespace ?? ""}_${meta.name ?? ""}`), type: "DirectoryOrCreate" },
      nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: HOSTNAME_LABEL, operator: "In", values: [hostname] }] }] } },
    },
  };
}
