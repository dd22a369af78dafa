// Upstream's StatefulPodControl (stateful_pod_control.go): creates a stateful pod after its claims
// (each `<template>-<set>-<ordinal>` created when missing; a claim being deleted blocks the pod),
// repairs a pod's identity, storage and claim owners, deletes pods, and keeps each claim's owner
// references as persistentVolumeClaimRetentionPolicy wants (claim-owners.ts). Reads come from the
// informer caches, writes go through the client. Every pod and claim write records the event users
// see in `kubectl describe statefulset`: SuccessfulCreate "create Pod web-0 in StatefulSet web
// successful", FailedCreate "create Pod web-0 in StatefulSet web failed error: ...", the same for
// update and delete, and "create Claim www-web-0 Pod web-0 in StatefulSet web success".
import { StatusError } from "../../api/errors.js";
import { CORE_V1, type Client } from "../../client/client.js";
import type { EventRecorder } from "../../client/event-recorder.js";
import type { CacheReader } from "../../client/indexer.js";
import { keyFor } from "../../client/indexer.js";
import { messageOf } from "../error-message.js";
import { claimOwnerRefsForPolicy, hasStaleOwnerRef, hasUnexpectedController, isClaimOwnerUpToDate } from "./claim-owners.js";
import { getOrdinal, getPersistentVolumeClaimName, getPersistentVolumeClaims, identityMatches, storageMatches, updateIdentity, updateStorage } from "./identity.js";
import { ConflictingController, retentionPolicyOf, type Claim, type StatefulPod, type StatefulSet } from "./objects.js";

const PODS = CORE_V1("pods");
const CLAIMS = CORE_V1("persistentvolumeclaims");
/** retry.DefaultBackoff's attempts for a pod update that conflicts. */
const UPDATE_ATTEMPTS = 4;

type Verb = "create" | "update" | "delete";

/** What the set's sync does to pods and claims (a fake stands in for it in unit tests). */
export interface StatefulPodActions {
  createStatefulPod(set: StatefulSet, pod: StatefulPod): Promise<void>;
  updateStatefulPod(set: StatefulSet, pod: StatefulPod): Promise<void>;
  deleteStatefulPod(set: StatefulSet, pod: StatefulPod): Promise<void>;
  /** Creates the claims a Pending pod lacks and fixes their owners. */
  createMissingPersistentVolumeClaims(set: StatefulSet, pod: StatefulPod): Promise<void>;
  claimsMatchRetentionPolicy(set: StatefulSet, pod: StatefulPod): boolean;
  updatePodClaimForRetentionPolicy(set: StatefulSet, pod: StatefulPod): Promise<void>;
  /** A claim still owned by a previous pod of this name (scaled away, being collected) blocks creation. */
  podClaimIsStale(set: StatefulSet, pod: StatefulPod): boolean;
}

export interface StatefulPodControlOptions {
  client: Client;
  recorder: EventRecorder;
  pods: CacheReader;
  claims: CacheReader;
}

export class StatefulPodControl implements StatefulPodActions {
  constructor(private readonly options: StatefulPodControlOptions) {}

  async createStatefulPod(set: StatefulSet, pod: StatefulPod): Promise<void> {
    try {
      await this.createPersistentVolumeClaims(set, pod);
    } catch (err) {
      await this.recordPodEvent("create", set, pod, err);
      throw err;
    }
    try {
      await this.options.client.create(PODS, set.metadata.namespace, pod);
    } catch (err) {
      // A pod of that name already exists: the cache lags; the next sync sees it.
      if (!(err instanceof StatusError && err.reason === "AlreadyExists")) await this.recordPodEvent("create", set, pod, err);
      throw err;
    }
    try {
      await this.updatePodClaimForRetentionPolicy(set, pod);
    } catch (err) {
      await this.recordPodEvent("update", set, pod, err);
      throw err;
    }
    await this.recordPodEvent("create", set, pod, undefined);
  }

  /** UpdateStatefulPod: identity, storage and claim owners as the set wants; retried on conflicts. */
  async updateStatefulPod(set: StatefulSet, pod: StatefulPod): Promise<void> {
    let current = pod;
    for (let attempt = 1; ; attempt++) {
      let wanted = current;
      if (!identityMatches(set, wanted)) wanted = updateIdentity(set, wanted);
      try {
        if (!storageMatches(set, wanted)) {
          wanted = updateStorage(set, wanted);
          await this.createPersistentVolumeClaims(set, wanted);
        }
        if (!this.claimsMatchRetentionPolicy(set, wanted)) await this.updatePodClaimForRetentionPolicy(set, wanted);
      } catch (err) {
        await this.recordPodEvent("update", set, wanted, err);
        throw err;
      }
      if (wanted === current) return;
      try {
        await this.options.client.update(PODS, set.metadata.namespace, wanted);
        await this.recordPodEvent("update", set, wanted, undefined);
        return;
      } catch (err) {
        const fresh = this.options.pods.get(keyFor(set.metadata.namespace, current.metadata.name ?? "")) as StatefulPod | undefined;
        if (attempt >= UPDATE_ATTEMPTS || !(err instanceof StatusError && err.code === 409) || !fresh) {
          await this.recordPodEvent("update", set, wanted, err);
          throw err;
        }
        current = fresh;
      }
    }
  }

  async deleteStatefulPod(set: StatefulSet, pod: StatefulPod): Promise<void> {
    try {
      await this.options.client.delete(PODS, pod.metadata.namespace ?? set.metadata.namespace, pod.metadata.name ?? "");
    } catch (err) {
      await this.recordPodEvent("delete", set, pod, err);
      throw err;
    }
    await this.recordPodEvent("delete", set, pod, undefined);
  }

  async createMissingPersistentVolumeClaims(set: StatefulSet, pod: StatefulPod): Promise<void> {
    await this.createPersistentVolumeClaims(set, pod);
    try {
      await this.updatePodClaimForRetentionPolicy(set, pod);
    } catch (err) {
      await this.recordPodEvent("update", set, pod, err);
      throw err;
    }
  }

  /** ClaimsMatchRetentionPolicy: every existing claim of the pod has the owners the policy wants. */
  claimsMatchRetentionPolicy(set: StatefulSet, pod: StatefulPod): boolean {
    return this.claimsOf(set, pod).every(({ claim }) => claim === undefined || isClaimOwnerUpToDate(claim, set, pod));
  }

  /** UpdatePodClaimForRetentionPolicy: rewrites the owner references of the pod's claims that need it. */
  async updatePodClaimForRetentionPolicy(set: StatefulSet, pod: StatefulPod): Promise<void> {
    for (const { name, claim } of this.claimsOf(set, pod)) {
      // A claim not yet in the cache is picked up on a later sync.
      if (!claim) continue;
      if (hasUnexpectedController(claim, set, pod)) {
        const message = `PersistentVolumeClaim ${name} has a conflicting OwnerReference that acts as a manging controller, the retention policy is ignored for this claim`;
        await this.options.recorder.event(set, "Warning", ConflictingController, message);
      }
      if (isClaimOwnerUpToDate(claim, set, pod)) continue;
      const updated = { ...structuredClone(claim), metadata: { ...structuredClone(claim.metadata), ownerReferences: claimOwnerRefsForPolicy(claim, set, pod) } };
      try {
        await this.options.client.update(CLAIMS, set.metadata.namespace, updated);
      } catch (err) {
        throw new Error(`could not update claim ${name} for delete policy ownerRefs: ${messageOf(err)}`, { cause: err });
      }
    }
  }

  podClaimIsStale(set: StatefulSet, pod: StatefulPod): boolean {
    if (retentionPolicyOf(set).whenScaled === "Retain") return false;
    const owner = { apiVersion: "v1", kind: "Pod", name: pod.metadata.name ?? "", uid: pod.metadata.uid ?? "" };
    return this.claimsOf(set, pod).some(({ claim }) => claim !== undefined && hasStaleOwnerRef(claim, owner));
  }

  /** createPersistentVolumeClaims: creates the pod's missing claims; a claim being deleted is an error. */
  private async createPersistentVolumeClaims(set: StatefulSet, pod: StatefulPod): Promise<void> {
    const errors: string[] = [];
    for (const claim of getPersistentVolumeClaims(set, pod).values()) {
      const name = claim.metadata.name ?? "";
      const existing = this.options.claims.get(keyFor(set.metadata.namespace, name)) as Claim | undefined;
      if (existing) {
        if (existing.metadata.deletionTimestamp) errors.push(`pvc ${name} is being deleted`);
        continue;
      }
      // The set's owner reference goes on at creation when the policy wants it (upstream adds it a
      // sync later, which leaves a claim behind if the set is deleted in between).
      const owners = claimOwnerRefsForPolicy(claim, set, pod);
      const owned = owners.length > 0 ? { ...claim, metadata: { ...claim.metadata, ownerReferences: owners } } : claim;
      try {
        await this.options.client.create(CLAIMS, set.metadata.namespace, owned);
        await this.recordClaimEvent(set, pod, name, undefined);
      } catch (err) {
        errors.push(`failed to create PVC ${name}: ${messageOf(err)}`);
        if (!(err instanceof StatusError && err.reason === "AlreadyExists")) await this.recordClaimEvent(set, pod, name, err);
      }
    }
    if (errors.length === 1) throw new Error(errors[0]);
    if (errors.length > 1) throw new Error(`[${errors.join(", ")}]`);
  }

  /** The pod's claims by name, with the cached claim when there is one. */
  private claimsOf(set: StatefulSet, pod: StatefulPod): { name: string; claim: Claim | undefined }[] {
    const ordinal = getOrdinal(pod);
    return (set.spec.volumeClaimTemplates ?? []).map((template) => {
      const name = getPersistentVolumeClaimName(set, template, ordinal);
      return { name, claim: this.options.claims.get(keyFor(set.metadata.namespace, name)) as Claim | undefined };
    });
  }

  /** recordPodEvent: Successful<Verb> or Failed<Verb> on the set. */
  private async recordPodEvent(verb: Verb, set: StatefulSet, pod: StatefulPod, err: unknown): Promise<void> {
    const reason = `${err === undefined ? "Successful" : "Failed"}${title(verb)}`;
    const subject = `${verb} Pod ${pod.metadata.name ?? ""} in StatefulSet ${set.metadata.name ?? ""}`;
    if (err === undefined) await this.options.recorder.event(set, "Normal", reason, `${subject} successful`);
    else await this.options.recorder.event(set, "Warning", reason, `${subject} failed error: ${messageOf(err)}`);
  }

  /** recordClaimEvent: SuccessfulCreate / FailedCreate for a claim, worded as upstream. */
  private async recordClaimEvent(set: StatefulSet, pod: StatefulPod, claimName: string, err: unknown): Promise<void> {
    const podName = pod.metadata.name ?? "";
    const setName = set.metadata.name ?? "";
    if (err === undefined) await this.options.recorder.event(set, "Normal", "SuccessfulCreate", `create Claim ${claimName} Pod ${podName} in StatefulSet ${setName} success`);
    else await this.options.recorder.event(set, "Warning", "FailedCreate", `create Claim ${claimName} for Pod ${podName} in StatefulSet ${setName} failed error: ${messageOf(err)}`);
  }
}

function title(verb: Verb): string {
  return verb.charAt(0).toUpperCase() + verb.slice(1);
}
