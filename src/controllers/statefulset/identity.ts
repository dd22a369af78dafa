// A stateful pod's identity (upstream stateful_set_utils.go): its name `<set>-<ordinal>`, the
// ordinal range [ordinals.start, ordinals.start + replicas) the set keeps, the pod-name and
// pod-index labels, hostname and subdomain (set once, at creation: the cluster DNS then answers
// <pod>.<serviceName>.<ns>.svc), and its storage: one persistentVolumeClaim volume per claim
// template, naming the claim `<template>-<set>-<ordinal>`. newVersionedStatefulSetPod builds a
// missing pod at the current revision below the partition and at the update revision above it.
// Pure functions; they return new objects and never touch the ones passed in.
import { newControllerRef } from "../controller-ref.js";
import { podFromTemplate } from "../pod-control.js";
import {
  PodIndexLabel, STS_API_VERSION, STS_KIND, StatefulSetPodNameLabel, StatefulSetRevisionLabel, type Claim, type StatefulPod, type StatefulSet, type Volume,
} from "./objects.js";

const MAX_INT32 = 2147483647;

/**
 * getParentNameAndOrdinal: ["", -1] for a name that is not `<parent>-<ordinal>`. Upstream matches
 * `(.*)-([0-9]+)$`; the greedy parent makes that the last dash, followed by digits only, which is
 * what this checks without a regular expression (it runs for every pod on every sync).
 */
export function getParentNameAndOrdinal(podName: string): [string, number] {
  const dash = podName.lastIndexOf("-");
  if (dash < 0 || dash === podName.length - 1) return ["", -1];
  for (let i = dash + 1; i < podName.length; i++) {
    const c = podName.charCodeAt(i);
    if (c < 48 || c > 57) return ["", -1];
  }
  const ordinal = Number(podName.slice(dash + 1));
  return [podName.slice(0, dash), ordinal <= MAX_INT32 ? ordinal : -1];
}

export function getOrdinal(pod: StatefulPod): number {
  return getParentNameAndOrdinal(pod.metadata.name ?? "")[1];
}

/** getStartOrdinal: spec.ordinals.start, else 0. */
export function getStartOrdinal(set: StatefulSet): number {
  return set.spec.ordinals?.start ?? 0;
}

/** getEndOrdinal: the last ordinal the set keeps (inclusive). */
export function getEndOrdinal(set: StatefulSet): number {
  return getStartOrdinal(set) + (set.spec.replicas ?? 0) - 1;
}

export function podInOrdinalRange(pod: StatefulPod, set: StatefulSet): boolean {
  const ordinal = getOrdinal(pod);
  return ordinal >= getStartOrdinal(set) && ordinal <= getEndOrdinal(set);
}

export function getPodName(set: StatefulSet, ordinal: number): string {
  return `${set.metadata.name ?? ""}-${ordinal}`;
}

/** getPersistentVolumeClaimName: `<template>-<set>-<ordinal>`. */
export function getPersistentVolumeClaimName(set: StatefulSet, template: Claim, ordinal: number): string {
  return `${template.metadata.name ?? ""}-${set.metadata.name ?? ""}-${ordinal}`;
}

/** isMemberOf: the pod's name says it belongs to this set. */
export function isMemberOf(set: StatefulSet, pod: StatefulPod): boolean {
  return getParentNameAndOrdinal(pod.metadata.name ?? "")[0] === set.metadata.name;
}

/** identityMatches: name, namespace and pod-name label are those of the set's member. */
export function identityMatches(set: StatefulSet, pod: StatefulPod): boolean {
  const [parent, ordinal] = getParentNameAndOrdinal(pod.metadata.name ?? "");
  return (
    ordinal >= 0 &&
    parent === set.metadata.name &&
    pod.metadata.name === getPodName(set, ordinal) &&
    pod.metadata.namespace === set.metadata.namespace &&
    pod.metadata.labels?.[StatefulSetPodNameLabel] === pod.metadata.name
  );
}

/** storageMatches: every claim template is mounted as the pod's own claim. */
export function storageMatches(set: StatefulSet, pod: StatefulPod): boolean {
  const ordinal = getOrdinal(pod);
  if (ordinal < 0) return false;
  const templates = set.spec.volumeClaimTemplates ?? [];
  if (templates.length === 0) return true;
  const volumes = new Map((pod.spec?.volumes ?? []).map((v) => [v.name, v]));
  return templates.every((template) => {
    const volume = volumes.get(template.metadata.name ?? "");
    return volume?.persistentVolumeClaim?.claimName === getPersistentVolumeClaimName(set, template, ordinal);
  });
}

/**
 * getPersistentVolumeClaims: the pod's claims by template name, each the template with the pod's
 * claim name, the set's namespace and the selector's matchLabels added to its labels.
 */
export function getPersistentVolumeClaims(set: StatefulSet, pod: StatefulPod): Map<string, Claim> {
  const ordinal = getOrdinal(pod);
  const claims = new Map<string, Claim>();
  for (const template of set.spec.volumeClaimTemplates ?? []) {
    const claim = structuredClone(template);
    const labels = { ...claim.metadata.labels, ...set.spec.selector?.matchLabels };
    claim.metadata = { ...claim.metadata, name: getPersistentVolumeClaimName(set, template, ordinal), namespace: set.metadata.namespace, labels };
    // Status comes from the API server (the template's defaulted phase is not ours to write).
    delete claim.status;
    claims.set(template.metadata.name ?? "", { apiVersion: "v1", kind: "PersistentVolumeClaim", ...claim });
  }
  return claims;
}

/** updateStorage: the claim volumes first, then the pod's other volumes whose names no template takes. */
export function updateStorage(set: StatefulSet, pod: StatefulPod): StatefulPod {
  const claims = getPersistentVolumeClaims(set, pod);
  const volumes: Volume[] = [...claims].map(([name, claim]) => ({ name, persistentVolumeClaim: { claimName: claim.metadata.name ?? "" } }));
  for (const volume of pod.spec?.volumes ?? []) if (!claims.has(volume.name)) volumes.push(volume);
  return { ...pod, spec: { ...pod.spec, volumes } };
}

/** updateIdentity: name, namespace, pod-name and pod-index labels. */
export function updateIdentity(set: StatefulSet, pod: StatefulPod): StatefulPod {
  const ordinal = getOrdinal(pod);
  const name = getPodName(set, ordinal);
  const labels = { ...pod.metadata.labels, [StatefulSetPodNameLabel]: name, [PodIndexLabel]: String(ordinal) };
  return { ...pod, metadata: { ...pod.metadata, name, namespace: set.metadata.namespace, labels } };
}

/** initIdentity: updateIdentity plus hostname and subdomain, which are immutable after creation. */
function initIdentity(set: StatefulSet, pod: StatefulPod): StatefulPod {
  const named = updateIdentity(set, pod);
  const spec = { ...named.spec, hostname: named.metadata.name };
  if (set.spec.serviceName) Object.assign(spec, { subdomain: set.spec.serviceName });
  return { ...named, spec };
}

/** newStatefulSetPod: the set's template as pod `ordinal`, controlled by the set. */
export function newStatefulSetPod(set: StatefulSet, ordinal: number): StatefulPod {
  const fromTemplate = podFromTemplate(set.spec.template ?? {}, set, newControllerRef(set, STS_API_VERSION, STS_KIND)) as StatefulPod;
  const { generateName: _generated, ...metadata } = fromTemplate.metadata;
  const pod: StatefulPod = { ...fromTemplate, metadata: { ...metadata, name: getPodName(set, ordinal) } };
  return updateStorage(set, initIdentity(set, pod));
}

export interface Revisions {
  currentSet: StatefulSet;
  updateSet: StatefulSet;
  currentRevision: string;
  updateRevision: string;
}

/**
 * newVersionedStatefulSetPod: ordinals below the partition (or, without rollingUpdate, below the
 * current replicas) are made from the current revision, the others from the update revision.
 */
export function newVersionedStatefulSetPod(revisions: Revisions, ordinal: number): StatefulPod {
  const { currentSet } = revisions;
  const strategy = currentSet.spec.updateStrategy;
  const start = getStartOrdinal(currentSet);
  const atCurrent = strategy?.rollingUpdate
    ? ordinal < start + (strategy.rollingUpdate.partition ?? 0)
    : strategy?.type === "RollingUpdate" && ordinal < start + (currentSet.status?.currentReplicas ?? 0);
  const pod = atCurrent ? newStatefulSetPod(currentSet, ordinal) : newStatefulSetPod(revisions.updateSet, ordinal);
  const revision = atCurrent ? revisions.currentRevision : revisions.updateRevision;
  return { ...pod, metadata: { ...pod.metadata, labels: { ...pod.metadata.labels, [StatefulSetRevisionLabel]: revision } } };
}
