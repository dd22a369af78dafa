// VolumeBinding (upstream plugins/volumebinding with its SchedulerVolumeBinder, v1.32, without
// storage capacity scoring): a pod's PersistentVolumeClaims decide where it may go.
// - PreFilter: pods without claims Skip (so the Filter costs nothing for them); a missing claim,
//   one being deleted, or an unbound claim of an Immediate class keeps the pod Pending.
// - Filter: a bound claim's volume must admit the node by its node affinity ("node(s) had volume
//   node affinity conflict"); an unbound WaitForFirstConsumer claim needs an Available volume that
//   matches it on this node, or a class that can provision here ("node(s) didn't find available
//   persistent volumes to bind").
// - Reserve/Unreserve: the chosen static volumes are assumed taken, so the next cycle does not
//   hand them to another pod before the binding is written.
// - PreBind: writes the decisions (a static volume's claimRef; volume.kubernetes.io/selected-node
//   on a claim to provision) and waits until the PV binder reports every claim bound.
import type { Client } from "../../client/client.js";
import type { Informer } from "../../client/informer.js";
import { findMatchingVolume, volumeNodeAffinityMatches } from "../../controllers/persistentvolume/volume-matching.js";
import {
  ANN_BIND_COMPLETED, ANN_SELECTED_NODE, claimClass, NO_PROVISIONER, PERSISTENT_VOLUME_CLAIMS, PERSISTENT_VOLUMES, podClaimKeys, STORAGE_CLASSES, VOLUMES_BY_CLASS_INDEX, volumesByClass,
  type PersistentVolume, type PersistentVolumeClaim, type StorageClass,
} from "../../controllers/persistentvolume/volume-objects.js";
import { VolumeWrites } from "../../controllers/persistentvolume/volume-writes.js";
import { readState, type CycleState, type StateData } from "../cycle-state.js";
import type { FilterPlugin, Handle, PluginFactory, PreBindPlugin, PreFilterOutcome, ReservePlugin } from "../framework.js";
import type { NodeInfo } from "../node-info.js";
import type { PodInfo } from "../pod-info.js";
import { type PluginStatus, Status } from "../status.js";

export const VOLUME_BINDING = "VolumeBinding";
export const ERR_REASON_NODE_CONFLICT = "node(s) had volume node affinity conflict";
export const ERR_REASON_BIND_CONFLICT = "node(s) didn't find available persistent volumes to bind";
export const ERR_REASON_PV_NOT_EXIST = "node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)";
export const ERR_UNBOUND_IMMEDIATE = "pod has unbound immediate PersistentVolumeClaims";
/** upstream's bindTimeoutSeconds default. */
const BIND_TIMEOUT_MS = 600_000;
const STATE_KEY = "PreFilter" + VOLUME_BINDING;

/** What one node needs: static volumes to bind to claims, and claims to provision there. */
interface NodeDecision {
  readonly staticBindings: readonly (readonly [PersistentVolumeClaim, PersistentVolume])[];
  readonly provisions: readonly PersistentVolumeClaim[];
}

class VolumeBindingState implements StateData {
  /** The decision per node that passed Filter. */
  readonly decisions = new Map<string, NodeDecision>();

  constructor(
    readonly boundVolumes: readonly (PersistentVolume | undefined)[],
    readonly claimsToBind: readonly PersistentVolumeClaim[],
  ) {}

  /** Shared by preemption's copies: a decision is recomputed by Filter for the node it is about. */
  clone(): StateData {
    return this;
  }
}

/** What the plugin reads of an informer (the shared informers in the scheduler; an indexer in tests). */
export type VolumeCache = Pick<Informer, "get" | "byIndex" | "addIndexer" | "addEventHandler">;

export interface VolumeListers {
  claims: VolumeCache;
  volumes: VolumeCache;
  classes: VolumeCache;
}

export class VolumeBinding implements FilterPlugin, ReservePlugin, PreBindPlugin {
  readonly name = VOLUME_BINDING;
  /** Static volumes reserved for pods being bound: volume name → pod key. */
  private readonly assumed = new Map<string, string>();
  private readonly writes: VolumeWrites | undefined;

  constructor(private readonly listers: VolumeListers | undefined, private readonly client: Client | undefined) {
    this.writes = client ? new VolumeWrites(client, Date.now) : undefined;
    listers?.volumes.addIndexer(VOLUMES_BY_CLASS_INDEX, volumesByClass);
  }

  preFilter(state: CycleState, pod: PodInfo): PreFilterOutcome {
    if (!this.listers) return Status.skip();
    const keys = podClaimKeys(pod.pod);
    if (keys.length === 0) return Status.skip();
    const bound: (PersistentVolume | undefined)[] = [];
    const toBind: PersistentVolumeClaim[] = [];
    for (const key of keys) {
      const claim = this.listers.claims.get(key) as PersistentVolumeClaim | undefined;
      const name = key.slice(key.indexOf("/") + 1);
      if (!claim) return Status.unresolvable(`persistentvolumeclaim "${name}" not found`);
      if (claim.metadata?.deletionTimestamp) return Status.unresolvable(`persistentvolumeclaim "${name}" is being deleted`);
      if (claim.spec.volumeName) {
        bound.push(this.listers.volumes.get(claim.spec.volumeName) as PersistentVolume | undefined);
        continue;
      }
      const storageClass = this.listers.classes.get(claimClass(claim)) as StorageClass | undefined;
      if (storageClass?.volumeBindingMode !== "WaitForFirstConsumer") return Status.unresolvable(ERR_UNBOUND_IMMEDIATE);
      toBind.push(claim);
    }
    state.write(STATE_KEY, new VolumeBindingState(bound, toBind));
    return null;
  }

  filter(state: CycleState, _pod: PodInfo, nodeInfo: NodeInfo): PluginStatus {
    const s = readState(state, STATE_KEY, VolumeBindingState);
    for (const volume of s.boundVolumes) {
      if (!volume) return Status.unresolvable(ERR_REASON_PV_NOT_EXIST);
      if (!volumeNodeAffinityMatches(volume, nodeInfo)) return Status.unresolvable(ERR_REASON_NODE_CONFLICT);
    }
    if (s.claimsToBind.length === 0) return null;
    const decision = this.decide(s.claimsToBind, nodeInfo);
    if (!decision) return Status.unresolvable(ERR_REASON_BIND_CONFLICT);
    s.decisions.set(nodeInfo.name, decision);
    return null;
  }

  /** upstream FindPodVolumes for one node: a matching volume for each claim, or provisioning here. */
  private decide(claims: readonly PersistentVolumeClaim[], node: NodeInfo): NodeDecision | undefined {
    const taken = new Set(this.assumed.keys());
    const staticBindings: [PersistentVolumeClaim, PersistentVolume][] = [];
    const provisions: PersistentVolumeClaim[] = [];
    for (const claim of claims) {
      const selected = claim.metadata?.annotations?.[ANN_SELECTED_NODE];
      if (selected !== undefined) {
        if (selected !== node.name) return undefined;
        provisions.push(claim);
        continue;
      }
      const volume = findMatchingVolume(claim, this.volumesOfClass(claimClass(claim)), { node, excluded: taken });
      if (volume) {
        taken.add(volume.metadata?.name ?? "");
        staticBindings.push([claim, volume]);
        continue;
      }
      if (!this.canProvision(claim, node)) return undefined;
      provisions.push(claim);
    }
    return { staticBindings, provisions };
  }

  /** upstream checkVolumeProvisions: a provisioner, and a node the class's allowedTopologies admit. */
  private canProvision(claim: PersistentVolumeClaim, node: NodeInfo): boolean {
    const storageClass = this.listers?.classes.get(claimClass(claim)) as StorageClass | undefined;
    if (!storageClass?.provisioner || storageClass.provisioner === NO_PROVISIONER) return false;
    const topologies = storageClass.allowedTopologies ?? [];
    if (topologies.length === 0) return true;
    return topologies.some((term) => (term.matchLabelExpressions ?? []).every((e) => e.values.includes(node.labels[e.key] ?? "")));
  }

  private volumesOfClass(className: string): PersistentVolume[] {
    return (this.listers?.volumes.byIndex(VOLUMES_BY_CLASS_INDEX, className) ?? []) as PersistentVolume[];
  }

  reserve(state: CycleState, pod: PodInfo, nodeName: string): PluginStatus {
    const decision = this.decisionFor(state, nodeName);
    for (const [, volume] of decision?.staticBindings ?? []) this.assumed.set(volume.metadata?.name ?? "", pod.key);
    return null;
  }

  unreserve(state: CycleState, pod: PodInfo, nodeName: string): void {
    for (const [, volume] of this.decisionFor(state, nodeName)?.staticBindings ?? []) {
      const name = volume.metadata?.name ?? "";
      if (this.assumed.get(name) === pod.key) this.assumed.delete(name);
    }
  }

  async preBind(state: CycleState, pod: PodInfo, nodeName: string): Promise<PluginStatus> {
    const decision = this.decisionFor(state, nodeName);
    if (!decision || (decision.staticBindings.length === 0 && decision.provisions.length === 0)) return null;
    try {
      await this.bindPodVolumes(decision, nodeName);
      await this.waitUntilBound([...decision.staticBindings.map(([claim]) => claim), ...decision.provisions]);
      return null;
    } catch (err) {
      return Status.error(`binding volumes: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      for (const [, volume] of decision.staticBindings) this.assumed.delete(volume.metadata?.name ?? "");
    }
  }

  private decisionFor(state: CycleState, nodeName: string): NodeDecision | undefined {
    const s = state.read(STATE_KEY);
    return s instanceof VolumeBindingState ? s.decisions.get(nodeName) : undefined;
  }

  /** upstream BindPodVolumes: claimRefs on the chosen volumes, the node on claims to provision. */
  private async bindPodVolumes(decision: NodeDecision, nodeName: string): Promise<void> {
    if (!this.writes || !this.client) throw new Error("no client to write volume bindings with");
    for (const [claim, volume] of decision.staticBindings) await this.writes.bindVolumeToClaim(volume, claim);
    for (const claim of decision.provisions) {
      if (claim.metadata?.annotations?.[ANN_SELECTED_NODE] === nodeName) continue;
      const copy = structuredClone(claim);
      copy.metadata = { ...copy.metadata, annotations: { ...copy.metadata?.annotations, [ANN_SELECTED_NODE]: nodeName } };
      await this.client.update(PERSISTENT_VOLUME_CLAIMS, claim.metadata?.namespace, copy);
    }
  }

  /** Resolves once the PV binder has bound every claim; rejects on timeout or a claim gone. */
  private waitUntilBound(claims: readonly PersistentVolumeClaim[]): Promise<void> {
    const informer = this.listers?.claims;
    if (!informer) return Promise.reject(new Error("no claims to watch"));
    const keys = claims.map((c) => `${c.metadata?.namespace ?? ""}/${c.metadata?.name ?? ""}`);
    return new Promise((resolve, reject) => {
      let watching = false;
      const check = () => {
        if (!watching) return;
        const current = keys.map((key) => informer.get(key) as PersistentVolumeClaim | undefined);
        const gone = current.findIndex((c) => !c || c.metadata?.deletionTimestamp);
        if (gone >= 0) return finish(new Error(`persistentvolumeclaim "${keys[gone]}" was deleted`));
        if (current.every((c) => c?.spec.volumeName && c.metadata?.annotations?.[ANN_BIND_COMPLETED])) finish();
      };
      const timer = setTimeout(() => finish(new Error("timed out waiting for the condition")), BIND_TIMEOUT_MS);
      // The handler's replay of the cache is skipped: one check() below looks at it all.
      const off = informer.addEventHandler({ onAdd: check, onUpdate: check, onDelete: check });
      watching = true;
      function finish(error?: Error): void {
        watching = false;
        clearTimeout(timer);
        off();
        if (error) reject(error);
        else resolve();
      }
      check();
    });
  }
}

export const newVolumeBinding: PluginFactory = (handle: Handle) => {
  const informers = handle.informers;
  const listers = informers && {
    claims: informers.informerFor(PERSISTENT_VOLUME_CLAIMS),
    volumes: informers.informerFor(PERSISTENT_VOLUMES),
    classes: informers.informerFor(STORAGE_CLASSES),
  };
  return new VolumeBinding(listers, handle.client);
};

/** The kinds whose changes may let a pod this plugin rejected fit (upstream EventsToRegister). */
export const VOLUME_BINDING_EVENTS = [PERSISTENT_VOLUME_CLAIMS, PERSISTENT_VOLUMES, STORAGE_CLASSES];
