// A Deployment's ReplicaSets as upstream's deployment/util and controller_utils see them: the new
// one (oldest ReplicaSet whose template equals the Deployment's, ignoring pod-template-hash), the
// old ones, revisions, replica counts, and the orderings scaling uses. Lists are copied before
// sorting; the ReplicaSets themselves are never mutated.
import { parseGoInt } from "../parse-int.js";
import type { PodTemplate } from "../pods.js";
import type { ReplicaSet } from "../replicaset/objects.js";
import { timeMs } from "../../api/meta-time.js";
import { DesiredReplicasAnnotation, PodTemplateHashLabel, RevisionAnnotation, desiredReplicas, rsReplicas, type Deployment } from "./objects.js";

type Less = (a: ReplicaSet, b: ReplicaSet) => boolean;

export function sortReplicaSets(list: ReplicaSet[], less: Less): ReplicaSet[] {
  return list.sort((a, b) => (less(a, b) ? -1 : less(b, a) ? 1 : 0));
}

/** ReplicaSetsByCreationTimestamp: older first, then by name. */
export const byCreationTimestamp: Less = (a, b) => {
  const ta = timeMs(a.metadata.creationTimestamp) ?? 0;
  const tb = timeMs(b.metadata.creationTimestamp) ?? 0;
  if (ta === tb) return (a.metadata.name ?? "") < (b.metadata.name ?? "");
  return ta < tb;
};

/** ReplicaSetsBySizeOlder: larger first; equal sizes older first. */
export const bySizeOlder: Less = (a, b) => (rsReplicas(a) === rsReplicas(b) ? byCreationTimestamp(a, b) : rsReplicas(a) > rsReplicas(b));

/** ReplicaSetsBySizeNewer: larger first; equal sizes newer first. */
export const bySizeNewer: Less = (a, b) => (rsReplicas(a) === rsReplicas(b) ? byCreationTimestamp(b, a) : rsReplicas(a) > rsReplicas(b));

/** ReplicaSetsByRevision: lower revision first; unparsable or equal revisions by creation time. */
export const byRevision: Less = (a, b) => {
  const ra = revision(a);
  const rb = revision(b);
  if (ra === undefined || rb === undefined || ra === rb) return byCreationTimestamp(a, b);
  return ra < rb;
};

/** FilterActiveReplicaSets: those with spec.replicas > 0. */
export function filterActiveReplicaSets(list: readonly (ReplicaSet | undefined)[]): ReplicaSet[] {
  return list.filter((rs): rs is ReplicaSet => rs !== undefined && rsReplicas(rs) > 0);
}

/** The revision annotation as a number: 0 when absent, undefined when not an integer. */
export function revision(rs: ReplicaSet): number | undefined {
  const value = rs.metadata.annotations?.[RevisionAnnotation];
  if (value === undefined) return 0;
  return parseGoInt(value);
}

export function maxRevision(list: readonly ReplicaSet[]): number {
  return list.reduce((max, rs) => Math.max(max, revision(rs) ?? 0), 0);
}

/** FindNewReplicaSet: the oldest ReplicaSet whose template equals the Deployment's. */
export function findNewReplicaSet(d: Deployment, rsList: readonly ReplicaSet[]): ReplicaSet | undefined {
  const sorted = sortReplicaSets([...rsList], byCreationTimestamp);
  return sorted.find((rs) => equalIgnoreHash(rs.spec.template, d.spec.template));
}

/** FindOldReplicaSets: [old ones with replicas, all old ones]. */
export function findOldReplicaSets(d: Deployment, rsList: readonly ReplicaSet[]): [ReplicaSet[], ReplicaSet[]] {
  const newRS = findNewReplicaSet(d, rsList);
  const all = rsList.filter((rs) => !newRS || rs.metadata.uid !== newRS.metadata.uid);
  return [all.filter((rs) => rsReplicas(rs) !== 0), all];
}

/**
 * EqualIgnoreHash: templates equal apart from the pod-template-hash label. Like upstream's semantic
 * DeepEqual, an absent field, null and an empty list or map are the same.
 */
export function equalIgnoreHash(t1: PodTemplate | undefined, t2: PodTemplate | undefined): boolean {
  return JSON.stringify(normalize(withoutHash(t1))) === JSON.stringify(normalize(withoutHash(t2)));
}

function withoutHash(template: PodTemplate | undefined): PodTemplate {
  const labels = { ...(template?.metadata?.labels ?? {}) };
  delete labels[PodTemplateHashLabel];
  return { ...template, metadata: { ...template?.metadata, labels } };
}

/** Sorted keys; null, empty lists and empty maps dropped. */
export function normalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.length === 0 ? undefined : value.map(normalize);
  if (value === null || typeof value !== "object") return value ?? undefined;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const v = normalize((value as Record<string, unknown>)[key]);
    if (v !== undefined) out[key] = v;
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

export function getReplicaCountForReplicaSets(list: readonly (ReplicaSet | undefined)[]): number {
  return list.reduce((n, rs) => n + (rs ? rsReplicas(rs) : 0), 0);
}

export function getActualReplicaCountForReplicaSets(list: readonly (ReplicaSet | undefined)[]): number {
  return list.reduce((n, rs) => n + (rs?.status?.replicas ?? 0), 0);
}

export function getReadyReplicaCountForReplicaSets(list: readonly (ReplicaSet | undefined)[]): number {
  return list.reduce((n, rs) => n + (rs?.status?.readyReplicas ?? 0), 0);
}

export function getAvailableReplicaCountForReplicaSets(list: readonly (ReplicaSet | undefined)[]): number {
  return list.reduce((n, rs) => n + (rs?.status?.availableReplicas ?? 0), 0);
}

/** FindActiveOrLatest: the only active ReplicaSet, else the new or newest one when none is active, else undefined. */
export function findActiveOrLatest(newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[]): ReplicaSet | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  const newestFirst = sortReplicaSets([...oldRSs], (a, b) => byCreationTimestamp(b, a));
  const active = filterActiveReplicaSets([...newestFirst, newRS]);
  if (active.length === 0) return newRS ?? newestFirst[0];
  return active.length === 1 ? active[0] : undefined;
}

/** IsSaturated: the ReplicaSet has, wants and makes available all the Deployment's replicas. */
export function isSaturated(d: Deployment, rs: ReplicaSet | undefined): boolean {
  if (!rs) return false;
  const desired = parseGoInt(rs.metadata.annotations?.[DesiredReplicasAnnotation] ?? "");
  if (desired === undefined) return false;
  const replicas = desiredReplicas(d);
  return rsReplicas(rs) === replicas && desired === replicas && (rs.status?.availableReplicas ?? 0) === replicas;
}
