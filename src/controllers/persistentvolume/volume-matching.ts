// Which PersistentVolume satisfies a claim (upstream persistentvolume/util FindMatchingVolume and
// CheckVolumeModeMismatches, with the access-mode index of its volume cache): a volume pre-bound to
// the claim wins if it is big enough; otherwise, among Available volumes of the claim's class whose
// labels match the claim's selector, whose volume mode equals the claim's and whose node affinity
// admits the node (when one is given), the one with the fewest access modes that still include the
// claim's, then the smallest that holds the request. Shared by the PV binder and the scheduler.
import { LabelSelector, type LabelSelectorObject } from "../../api/label-selector.js";
import { NodeSelectorTermMatcher, type NodeRef } from "../../scheduler/node-affinity.js";
import { claimClass, isVolumeBoundToClaim, requestedStorage, volumeCapacity, volumeClass, type PersistentVolume, type PersistentVolumeClaim } from "./volume-objects.js";

export interface MatchOptions {
  /** The node the claim's pod goes to: volumes whose node affinity rejects it do not match. */
  node?: NodeRef;
  /** Volumes another claim is about to take (the scheduler's assumptions). */
  excluded?: ReadonlySet<string>;
  /** WaitForFirstConsumer without a node yet: only volumes pre-bound to the claim may match. */
  delayBinding?: boolean;
}

export function findMatchingVolume(claim: PersistentVolumeClaim, volumes: Iterable<PersistentVolume>, options: MatchOptions = {}): PersistentVolume | undefined {
  const requested = requestedStorage(claim);
  const wantedModes = claim.spec.accessModes ?? [];
  const className = claimClass(claim);
  const selector = claim.spec.selector ? LabelSelector.fromObject(claim.spec.selector as LabelSelectorObject) : undefined;
  let best: PersistentVolume | undefined;
  for (const volume of volumes) {
    const name = volume.metadata?.name ?? "";
    if (options.excluded?.has(name)) continue;
    if (volume.metadata?.deletionTimestamp) continue;
    if (volumeModeMismatches(claim, volume)) continue;
    const nodeFits = !options.node || volumeNodeAffinityMatches(volume, options.node);
    if (isVolumeBoundToClaim(volume, claim)) {
      if (volumeCapacity(volume).cmp(requested) < 0 || !nodeFits) continue;
      return volume;
    }
    if (options.delayBinding && !options.node) continue;
    if (volume.spec.claimRef) continue;
    if ((volume.status?.phase ?? "") !== "Available") continue;
    if (selector && !selector.matches(volume.metadata?.labels ?? {})) continue;
    if (volumeClass(volume) !== className) continue;
    if (!nodeFits) continue;
    if (!includesModes(volume.spec.accessModes ?? [], wantedModes)) continue;
    if (volumeCapacity(volume).cmp(requested) < 0) continue;
    if (!best || isBetterFit(volume, best)) best = volume;
  }
  return best;
}

/** Fewer access modes first (the volume cache's index order), then the smaller capacity. */
function isBetterFit(candidate: PersistentVolume, best: PersistentVolume): boolean {
  const modes = (candidate.spec.accessModes ?? []).length - (best.spec.accessModes ?? []).length;
  if (modes !== 0) return modes < 0;
  return volumeCapacity(candidate).cmp(volumeCapacity(best)) < 0;
}

function includesModes(offered: readonly string[], wanted: readonly string[]): boolean {
  return wanted.every((mode) => offered.includes(mode));
}

/** upstream CheckVolumeModeMismatches: an unset mode is Filesystem. */
function volumeModeMismatches(claim: PersistentVolumeClaim, volume: PersistentVolume): boolean {
  return (claim.spec.volumeMode ?? "Filesystem") !== (volume.spec.volumeMode ?? "Filesystem");
}

/** upstream CheckNodeAffinity: no affinity fits every node; otherwise one of the required terms must match. */
export function volumeNodeAffinityMatches(volume: PersistentVolume, node: NodeRef): boolean {
  const terms = volume.spec.nodeAffinity?.required?.nodeSelectorTerms;
  if (!terms) return true;
  return terms.some((term) => new NodeSelectorTermMatcher(term).matches(node));
}
