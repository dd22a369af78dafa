// The annotations the deployment controller keeps (upstream deployment/util): the revision on the
// Deployment and its ReplicaSets (a re-used ReplicaSet, as after `kubectl rollout undo`, gets the
// next revision and remembers its former ones in revision-history, at most 2000 characters), the
// desired-replicas and max-replicas annotations proportional scaling reads, and the Deployment's
// own annotations copied onto its new ReplicaSet (except kubectl's last-applied and these).
import type { ReplicaSet } from "../replicaset/objects.js";
import {
  DeprecatedRollbackTo, DesiredReplicasAnnotation, LastAppliedConfigAnnotation, MaxReplicasAnnotation, RevisionAnnotation,
  RevisionHistoryAnnotation, desiredReplicas, type Deployment,
} from "./objects.js";
import { parseGoInt } from "../parse-int.js";
import { maxSurge } from "./rollout-limits.js";

/** maxRevHistoryLengthInChars upstream. */
export const MAX_REV_HISTORY_LENGTH_IN_CHARS = 2000;

const ANNOTATIONS_TO_SKIP = new Set([LastAppliedConfigAnnotation, RevisionAnnotation, RevisionHistoryAnnotation, DesiredReplicasAnnotation, MaxReplicasAnnotation, DeprecatedRollbackTo]);

/** SetDeploymentRevision: true when the Deployment's revision annotation changed. */
export function setDeploymentRevision(d: Deployment, revision: string): boolean {
  const annotations = (d.metadata.annotations ??= {});
  if (annotations[RevisionAnnotation] === revision) return false;
  annotations[RevisionAnnotation] = revision;
  return true;
}

/**
 * SetNewReplicaSetAnnotations on a copy of the new ReplicaSet: copies the Deployment's annotations,
 * raises its revision to newRevision if lower (recording the old one in revision-history), and for
 * a ReplicaSet about to be created sets the replicas annotations. True when something changed.
 */
export function setNewReplicaSetAnnotations(d: Deployment, newRS: ReplicaSet, newRevision: string, exists: boolean): boolean {
  let changed = copyDeploymentAnnotationsToReplicaSet(d, newRS);
  const annotations = (newRS.metadata.annotations ??= {});
  const oldRevision = annotations[RevisionAnnotation];
  const oldRevisionInt = oldRevision === undefined || oldRevision === "" ? 0 : parseGoInt(oldRevision);
  const newRevisionInt = parseGoInt(newRevision);
  if (oldRevisionInt === undefined || newRevisionInt === undefined) return false;
  if (oldRevisionInt < newRevisionInt) {
    annotations[RevisionAnnotation] = newRevision;
    changed = true;
    if (oldRevision !== undefined) recordRevisionHistory(annotations, oldRevision);
  }
  if (!exists && setReplicasAnnotations(newRS, desiredReplicas(d), desiredReplicas(d) + maxSurge(d))) changed = true;
  return changed;
}

/** Appends oldRevision to revision-history, dropping the oldest entries past the length limit. */
function recordRevisionHistory(annotations: Record<string, string>, oldRevision: string): void {
  const history = annotations[RevisionHistoryAnnotation] ?? "";
  if (history === "") {
    annotations[RevisionHistoryAnnotation] = oldRevision;
    return;
  }
  const revisions = history.split(",");
  let totalLen = history.length + oldRevision.length + 1;
  let start = 0;
  while (totalLen > MAX_REV_HISTORY_LENGTH_IN_CHARS && start < revisions.length) {
    totalLen -= (revisions[start]?.length ?? 0) + 1;
    start++;
  }
  if (totalLen <= MAX_REV_HISTORY_LENGTH_IN_CHARS) annotations[RevisionHistoryAnnotation] = [...revisions.slice(start), oldRevision].join(",");
}

function copyDeploymentAnnotationsToReplicaSet(d: Deployment, rs: ReplicaSet): boolean {
  const annotations = (rs.metadata.annotations ??= {});
  let changed = false;
  for (const [key, value] of Object.entries(d.metadata.annotations ?? {})) {
    if (ANNOTATIONS_TO_SKIP.has(key) || annotations[key] === value) continue;
    annotations[key] = value;
    changed = true;
  }
  return changed;
}

/** SetReplicasAnnotations on a copy: true when desired-replicas or max-replicas changed. */
export function setReplicasAnnotations(rs: ReplicaSet, desired: number, max: number): boolean {
  const annotations = (rs.metadata.annotations ??= {});
  let updated = false;
  if (annotations[DesiredReplicasAnnotation] !== String(desired)) {
    annotations[DesiredReplicasAnnotation] = String(desired);
    updated = true;
  }
  if (annotations[MaxReplicasAnnotation] !== String(max)) {
    annotations[MaxReplicasAnnotation] = String(max);
    updated = true;
  }
  return updated;
}

export function replicasAnnotationsNeedUpdate(rs: ReplicaSet, desired: number, max: number): boolean {
  const annotations = rs.metadata.annotations;
  if (!annotations) return true;
  return annotations[DesiredReplicasAnnotation] !== String(desired) || annotations[MaxReplicasAnnotation] !== String(max);
}

/** GetDesiredReplicasAnnotation: the value, or undefined when absent or not an integer. */
export function getDesiredReplicasAnnotation(rs: ReplicaSet): number | undefined {
  const value = rs.metadata.annotations?.[DesiredReplicasAnnotation];
  return value === undefined ? undefined : parseGoInt(value);
}
