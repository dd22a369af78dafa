// Finding or creating a Deployment's new ReplicaSet (upstream sync.go getAllReplicaSetsAndSyncRevision
// and getNewReplicaSet). The new ReplicaSet is `<deployment>-<pod-template-hash>` with the hash
// label added to its selector, template and labels. An existing ReplicaSet whose template equals
// the Deployment's (a rollback, `kubectl rollout undo`) is re-used and gets the next revision. A
// name taken by a ReplicaSet that is not ours, or has another template, is a hash collision:
// status.collisionCount is bumped and the next sync tries another name.
import { StatusError } from "../../api/errors.js";
import type { LabelSelectorObject } from "../../api/label-selector.js";
import { goQuote } from "../../api/validation/go-quote.js";
import { controllerRefOf, newControllerRef } from "../controller-ref.js";
import { messageOf } from "../error-message.js";
import { isNamespaceTerminating } from "../pod-control.js";
import type { PodTemplate } from "../pods.js";
import type { ReplicaSet } from "../replicaset/objects.js";
import { setDeploymentRevision, setNewReplicaSetAnnotations } from "./annotations.js";
import { getDeploymentCondition, newDeploymentCondition, setDeploymentCondition } from "./conditions.js";
import {
  DeploymentProgressing, FailedRSCreateReason, FoundNewRSReason, NewReplicaSetReason, PodTemplateHashLabel, RevisionAnnotation, ScalingReplicaSet,
  hasProgressDeadline, type Deployment, type DeploymentContext,
} from "./objects.js";
import { computeHash } from "../pod-template-hash.js";
import { equalIgnoreHash, findNewReplicaSet, findOldReplicaSets, maxRevision } from "./replica-sets.js";
import { newRSNewReplicas } from "./rollout-limits.js";
import { REPLICASETS, persistDeployment, replaceReplicaSet, updateDeploymentStatus, updateReplicaSet } from "./writes.js";

/** [new ReplicaSet (undefined if none yet and not created), all old ReplicaSets]. */
export async function getAllReplicaSetsAndSyncRevision(
  dc: DeploymentContext, d: Deployment, rsList: ReplicaSet[], createIfNotExisted: boolean,
): Promise<[ReplicaSet | undefined, ReplicaSet[]]> {
  const [, allOldRSs] = findOldReplicaSets(d, rsList);
  const newRS = await getNewReplicaSet(dc, d, rsList, allOldRSs, createIfNotExisted);
  return [newRS, allOldRSs];
}

async function getNewReplicaSet(dc: DeploymentContext, d: Deployment, rsList: ReplicaSet[], oldRSs: ReplicaSet[], createIfNotExisted: boolean): Promise<ReplicaSet | undefined> {
  const existing = findNewReplicaSet(d, rsList);
  const newRevision = String(maxRevision(oldRSs) + 1);
  if (existing) return syncExistingNewReplicaSet(dc, d, rsList, existing, newRevision);
  if (!createIfNotExisted) return undefined;
  return createNewReplicaSet(dc, d, oldRSs, newRevision);
}

/** Brings the existing new ReplicaSet's annotations and minReadySeconds up to date, then the Deployment's revision. */
async function syncExistingNewReplicaSet(dc: DeploymentContext, d: Deployment, rsList: ReplicaSet[], existing: ReplicaSet, newRevision: string): Promise<ReplicaSet> {
  const rsCopy = structuredClone(existing);
  const annotationsUpdated = setNewReplicaSetAnnotations(d, rsCopy, newRevision, true);
  const minReadySeconds = d.spec.minReadySeconds ?? 0;
  if (annotationsUpdated || (rsCopy.spec.minReadySeconds ?? 0) !== minReadySeconds) {
    rsCopy.spec.minReadySeconds = minReadySeconds;
    const updated = await updateReplicaSet(dc, rsCopy);
    replaceReplicaSet(rsList, updated);
    return updated;
  }
  const annotations = setDeploymentRevision(d, rsCopy.metadata.annotations?.[RevisionAnnotation] ?? "");
  let status = false;
  if (hasProgressDeadline(d) && !getDeploymentCondition(d.status, DeploymentProgressing)) {
    const message = `Found new replica set ${goQuote(rsCopy.metadata.name ?? "")}`;
    setDeploymentCondition(d.status, newDeploymentCondition(dc.clock.now(), DeploymentProgressing, "True", FoundNewRSReason, message));
    status = true;
  }
  await persistDeployment(dc, d, { annotations, status });
  return rsCopy;
}

async function createNewReplicaSet(dc: DeploymentContext, d: Deployment, oldRSs: ReplicaSet[], newRevision: string): Promise<ReplicaSet> {
  const newRS = newReplicaSetFor(d);
  const newReplicasCount = newRSNewReplicas(d, [...oldRSs, newRS], newRS);
  newRS.spec.replicas = newReplicasCount;
  setNewReplicaSetAnnotations(d, newRS, newRevision, false);
  const name = newRS.metadata.name ?? "";
  let created: ReplicaSet;
  let alreadyExists = false;
  try {
    created = (await dc.client.create(REPLICASETS, d.metadata.namespace, newRS)) as ReplicaSet;
  } catch (err) {
    created = await handleCreateError(dc, d, name, err);
    alreadyExists = true;
  }
  if (!alreadyExists && newReplicasCount > 0) {
    await dc.recorder.event(d, "Normal", ScalingReplicaSet, `Scaled up replica set ${name} from 0 to ${newReplicasCount}`);
  }
  const annotations = setDeploymentRevision(d, newRevision);
  let status = false;
  if (!alreadyExists && hasProgressDeadline(d)) {
    const message = `Created new replica set ${goQuote(name)}`;
    setDeploymentCondition(d.status, newDeploymentCondition(dc.clock.now(), DeploymentProgressing, "True", NewReplicaSetReason, message));
    status = true;
  }
  await persistDeployment(dc, d, { annotations, status });
  return created;
}

/** The ReplicaSet object for the Deployment's current template (replicas still 0). */
function newReplicaSetFor(d: Deployment): ReplicaSet {
  const template: PodTemplate = structuredClone(d.spec.template ?? {});
  const hash = computeHash(template, d.status.collisionCount);
  const labels = { ...(template.metadata?.labels ?? {}), [PodTemplateHashLabel]: hash };
  template.metadata = { ...template.metadata, labels };
  return {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: {
      name: `${d.metadata.name ?? ""}-${hash}`,
      namespace: d.metadata.namespace,
      ownerReferences: [newControllerRef(d, "apps/v1", "Deployment")],
      labels: { ...labels },
    },
    spec: { replicas: 0, minReadySeconds: d.spec.minReadySeconds ?? 0, selector: cloneSelectorAndAddLabel(d.spec.selector, PodTemplateHashLabel, hash), template },
  };
}

/** labelsutil.CloneSelectorAndAddLabel. */
function cloneSelectorAndAddLabel(selector: LabelSelectorObject | undefined, key: string, value: string): LabelSelectorObject {
  const clone = structuredClone(selector ?? {});
  clone.matchLabels = { ...(clone.matchLabels ?? {}), [key]: value };
  return clone;
}

/**
 * A failed create: an AlreadyExists of our own ReplicaSet with the same template (a slow cache)
 * returns it; any other AlreadyExists is a hash collision; other errors are reported in the
 * Progressing condition and a ReplicaSetCreateError event. Throws in all but the first case.
 */
async function handleCreateError(dc: DeploymentContext, d: Deployment, name: string, err: unknown): Promise<ReplicaSet> {
  if (err instanceof StatusError && err.code === 409 && err.reason === "AlreadyExists") {
    const rs = dc.rsInformer.get(`${d.metadata.namespace}/${name}`) as ReplicaSet | undefined;
    if (!rs) throw err;
    if (controllerRefOf(rs)?.uid === d.metadata.uid && equalIgnoreHash(d.spec.template, rs.spec.template)) return rs;
    const previous = d.status.collisionCount ?? 0;
    d.status.collisionCount = previous + 1;
    await updateDeploymentStatus(dc, d);
    dc.log.info("found a hash collision for deployment; bumping collisionCount to resolve it", { deployment: name, oldCollisionCount: previous, newCollisionCount: previous + 1 });
    throw err;
  }
  if (isNamespaceTerminating(err)) throw err;
  const message = `Failed to create new replica set ${goQuote(name)}: ${messageOf(err)}`;
  if (hasProgressDeadline(d)) {
    setDeploymentCondition(d.status, newDeploymentCondition(dc.clock.now(), DeploymentProgressing, "False", FailedRSCreateReason, message));
    await updateDeploymentStatus(dc, d).catch(() => undefined);
  }
  await dc.recorder.event(d, "Warning", FailedRSCreateReason, message);
  throw err;
}
