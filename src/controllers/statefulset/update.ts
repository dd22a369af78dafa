// The core of a StatefulSet sync (upstream defaultStatefulSetControl.updateStatefulSet): the pods
// split into replicas (ordinals in [start, start + replicas), missing ones built at the right
// revision) and condemned (ordinals beyond, highest first; pods whose names carry no ordinal are
// ignored). Then, in this order:
//  1. each replica, lowest ordinal first: a failed or succeeded pod is deleted (and recreated on a
//     later sync), a missing one created (claims first), a Pending one gets its missing claims;
//     drifted identity, storage or claim owners are repaired;
//  2. the claim owners of condemned pods are set for scale-down (whenScaled);
//  3. condemned pods are deleted, highest ordinal first;
//  4. with RollingUpdate, pods not at the update revision are deleted from the highest ordinal down
//     to the partition, one at a time (or maxUnavailable at a time), each once the ones above are
//     available again; the next sync recreates them at the update revision. OnDelete stops at 3.
// With OrderedReady ("monotonic") every step waits: nothing is created until every lower ordinal is
// Running and Ready (and available for minReadySeconds), nothing is deleted while another pod is
// unhealthy, unless it is the first unhealthy pod itself. Parallel acts on all pods at once, in
// slow-start batches. Returns the status to store, also when a step failed.
import { StatusError } from "../../api/errors.js";
import { getValueFromIntOrPercent } from "../int-or-percent.js";
import { slowStartBatch } from "../slow-start.js";
import { getEndOrdinal, getOrdinal, getStartOrdinal, identityMatches, newVersionedStatefulSetPod, storageMatches, type Revisions } from "./identity.js";
import { allowsBurst, getPodRevision, type StatefulPod, type StatefulSet } from "./objects.js";
import { isCreated, isFailed, isPending, isRunningAndAvailable, isRunningAndReady, isSucceeded, isTerminating, isUnavailable } from "./pod-state.js";
import type { StatefulPodActions } from "./stateful-pod-control.js";
import { countReplicas, type ComputedStatus } from "./status.js";

export interface UpdateInput extends Revisions {
  /** The set as stored (its template is the update revision's). */
  set: StatefulSet;
  collisionCount: number;
  /** The pods the set controls. */
  pods: readonly StatefulPod[];
  control: StatefulPodActions;
  nowMs: number;
}

export interface UpdateResult {
  status: ComputedStatus;
  error?: unknown;
}

/** One step's verdict: stop this sync here (waiting, or after acting in OrderedReady mode). */
type ShouldExit = boolean;

export async function updateStatefulSet(input: UpdateInput): Promise<UpdateResult> {
  const { set, nowMs } = input;
  const minReadySeconds = set.spec.minReadySeconds ?? 0;
  const statusInput = { minReadySeconds, currentRevision: input.currentRevision, updateRevision: input.updateRevision, nowMs };
  const status: ComputedStatus = {
    observedGeneration: set.metadata.generation ?? 0,
    currentRevision: input.currentRevision,
    updateRevision: input.updateRevision,
    collisionCount: input.collisionCount,
    replicas: 0, readyReplicas: 0, currentReplicas: 0, updatedReplicas: 0, availableReplicas: 0,
  };
  const { replicas, condemned } = partitionPods(input);
  const recount = () => countReplicas(status, [...replicas, ...condemned], statusInput);
  // A set being deleted only reports status: its pods are the garbage collector's.
  if (set.metadata.deletionTimestamp) {
    countReplicas(status, input.pods, statusInput);
    return { status };
  }
  const unavailable = (pod: StatefulPod) => isUnavailable(pod, minReadySeconds, nowMs);
  const firstUnhealthyPod = replicas.find(unavailable) ?? [...condemned].reverse().find(unavailable);
  const monotonic = !allowsBurst(set);
  const steps: [readonly StatefulPod[], (i: number) => Promise<ShouldExit>][] = [
    [replicas, (i) => processReplica(input, monotonic, replicas, i)],
    [condemned, (i) => fixCondemnedClaims(input, condemned, i)],
    [condemned, (i) => processCondemned(input, monotonic, condemned, i, firstUnhealthyPod)],
  ];
  for (const [pods, step] of steps) {
    try {
      if (await runForAll(pods, step, monotonic)) {
        recount();
        return { status };
      }
    } catch (error) {
      recount();
      return { status, error };
    }
  }
  recount();
  if (set.spec.updateStrategy?.type === "OnDelete") return { status };
  try {
    await rollingUpdate(input, replicas, status);
  } catch (error) {
    return { status, error };
  }
  return { status };
}

/** Replicas by ordinal (missing ones built new) and condemned pods, highest ordinal first. */
export function partitionPods(input: UpdateInput): { replicas: StatefulPod[]; condemned: StatefulPod[] } {
  const { set } = input;
  const start = getStartOrdinal(set);
  const end = getEndOrdinal(set);
  const slots: (StatefulPod | undefined)[] = Array.from({ length: Math.max(0, end - start + 1) });
  const condemned: StatefulPod[] = [];
  for (const pod of input.pods) {
    const ordinal = getOrdinal(pod);
    if (ordinal >= start && ordinal <= end) slots[ordinal - start] = pod;
    else if (ordinal >= 0) condemned.push(pod);
  }
  const replicas = slots.map((pod, i) => pod ?? newVersionedStatefulSetPod(input, start + i));
  condemned.sort((a, b) => getOrdinal(b) - getOrdinal(a));
  return { replicas, condemned };
}

/** runForAll: in order, stopping at the first step that says so (monotonic), or all in slow-start batches. */
async function runForAll(pods: readonly StatefulPod[], step: (i: number) => Promise<ShouldExit>, monotonic: boolean): Promise<ShouldExit> {
  if (monotonic) {
    for (let i = 0; i < pods.length; i++) if (await step(i)) return true;
    return false;
  }
  let next = 0;
  const [, error] = await slowStartBatch(pods.length, 1, async () => {
    await step(next++);
  });
  if (error !== undefined) throw error;
  return false;
}

/** processReplica: converge one replica; true stops the sync (monotonic waiting or acting). */
async function processReplica(input: UpdateInput, monotonic: boolean, replicas: StatefulPod[], i: number): Promise<ShouldExit> {
  const { set, control } = input;
  const replica = replicas[i] as StatefulPod;
  const minReadySeconds = set.spec.minReadySeconds ?? 0;
  // A finished pod is replaced, whatever its exit (an evicted pod's phase comes from its exit code).
  if (isFailed(replica) || isSucceeded(replica)) {
    if (!isTerminating(replica)) await control.deleteStatefulPod(set, replica);
    return true;
  }
  if (!isCreated(replica)) {
    // A claim still owned by the previous pod of this ordinal: wait for the collector.
    if (control.podClaimIsStale(set, replica)) return true;
    await control.createStatefulPod(set, replica);
    if (monotonic) return true;
  }
  if (isPending(replica)) await control.createMissingPersistentVolumeClaims(set, replica);
  if (monotonic && (isTerminating(replica) || !isRunningAndReady(replica) || !isRunningAndAvailable(replica, minReadySeconds, input.nowMs))) return true;
  // Claim owners are checked against the update revision's set (only the template differs).
  const updateSet = input.updateSet;
  if (identityMatches(set, replica) && storageMatches(set, replica) && control.claimsMatchRetentionPolicy(updateSet, replica)) return false;
  await control.updateStatefulPod(updateSet, replica);
  return false;
}

/** The claims of a condemned pod get the owners scale-down wants before the pod goes. */
async function fixCondemnedClaims(input: UpdateInput, condemned: StatefulPod[], i: number): Promise<ShouldExit> {
  const pod = condemned[i] as StatefulPod;
  if (!input.control.claimsMatchRetentionPolicy(input.updateSet, pod)) await input.control.updatePodClaimForRetentionPolicy(input.updateSet, pod);
  return false;
}

/** processCondemned: delete one condemned pod, unless monotonic and another pod is unhealthy. */
async function processCondemned(input: UpdateInput, monotonic: boolean, condemned: StatefulPod[], i: number, firstUnhealthyPod: StatefulPod | undefined): Promise<ShouldExit> {
  const { set, control } = input;
  const pod = condemned[i] as StatefulPod;
  if (isTerminating(pod)) return monotonic;
  const minReadySeconds = set.spec.minReadySeconds ?? 0;
  const healthy = isRunningAndReady(pod) && isRunningAndAvailable(pod, minReadySeconds, input.nowMs);
  if (monotonic && !healthy && pod !== firstUnhealthyPod) return true;
  await control.deleteStatefulPod(set, pod);
  return true;
}

/** The RollingUpdate strategy once every replica exists (and, in order, is available). */
async function rollingUpdate(input: UpdateInput, replicas: StatefulPod[], status: ComputedStatus): Promise<void> {
  const rolling = input.set.spec.updateStrategy?.rollingUpdate;
  const updateMin = rolling?.partition ?? 0;
  if (rolling?.maxUnavailable === undefined) return replaceOneAtATime(input, replicas, updateMin, status);
  return replaceWithinMaxUnavailable(input, replicas, updateMin, status);
}

/** Delete the highest outdated pod at or above the partition; wait while one above it is unavailable. */
async function replaceOneAtATime(input: UpdateInput, replicas: StatefulPod[], updateMin: number, status: ComputedStatus): Promise<void> {
  const { set, nowMs } = input;
  for (let target = replicas.length - 1; target >= updateMin; target--) {
    const pod = replicas[target] as StatefulPod;
    if (getPodRevision(pod) !== input.updateRevision && !isTerminating(pod)) {
      await replaceOutdated(input, pod, status);
      return;
    }
    if (isUnavailable(pod, set.spec.minReadySeconds ?? 0, nowMs)) return;
  }
}

/**
 * MaxUnavailableStatefulSet: with maxUnavailable set, as many outdated pods from the top as leave
 * at most maxUnavailable replicas unavailable (a percentage of replicas, rounded down, at least 1).
 */
async function replaceWithinMaxUnavailable(input: UpdateInput, replicas: StatefulPod[], updateMin: number, status: ComputedStatus): Promise<void> {
  const { set, nowMs } = input;
  const maxUnavailable = Math.max(1, getValueFromIntOrPercent(set.spec.updateStrategy?.rollingUpdate?.maxUnavailable, set.spec.replicas ?? 0, false));
  const unavailablePods = replicas.filter((pod) => isUnavailable(pod, set.spec.minReadySeconds ?? 0, nowMs)).length;
  let budget = maxUnavailable - unavailablePods;
  for (let target = replicas.length - 1; target >= updateMin && budget > 0; target--) {
    const pod = replicas[target] as StatefulPod;
    if (getPodRevision(pod) === input.updateRevision || isTerminating(pod)) continue;
    await replaceOutdated(input, pod, status);
    budget--;
  }
}

/** Deletes an outdated pod (gone already is fine); a pod of the current revision no longer counts as current. */
async function replaceOutdated(input: UpdateInput, pod: StatefulPod, status: ComputedStatus): Promise<void> {
  try {
    await input.control.deleteStatefulPod(input.set, pod);
  } catch (err) {
    if (!(err instanceof StatusError && err.code === 404)) throw err;
  }
  // Upstream decrements whatever the pod's revision; one of a third revision was never counted.
  if (getPodRevision(pod) === input.currentRevision) status.currentReplicas--;
}
