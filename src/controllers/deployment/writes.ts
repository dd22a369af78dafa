// The deployment controller's writes, each compare-and-swap on the resourceVersion it read: a
// ReplicaSet update, the Deployment's /status, and the Deployment's revision annotation. Upstream
// writes the revision annotation through UpdateStatus (its Deployment status strategy keeps
// metadata changes); our /status keeps metadata as stored, so the annotation goes through the main
// resource, which leaves spec, and so generation, unchanged. After each Deployment write the sync's
// working copy takes the new resourceVersion, so the next write of the same sync does not conflict.
import type { KubeObject } from "../../api/resource.js";
import { APPS_V1 } from "../../client/client.js";
import type { ReplicaSet } from "../replicaset/objects.js";
import type { Deployment, DeploymentContext } from "./objects.js";

export const DEPLOYMENTS = APPS_V1("deployments");
export const REPLICASETS = APPS_V1("replicasets");

export async function updateReplicaSet(dc: DeploymentContext, rs: ReplicaSet): Promise<ReplicaSet> {
  return (await dc.client.update(REPLICASETS, rs.metadata.namespace, rs)) as ReplicaSet;
}

/** UpdateStatus with the working copy's status. */
export async function updateDeploymentStatus(dc: DeploymentContext, d: Deployment): Promise<void> {
  const stored = await dc.client.update(DEPLOYMENTS, d.metadata.namespace, d, { subresource: "status" });
  adoptResourceVersion(d, stored);
}

/** Writes what the sync changed: the revision annotation (main resource), then status. */
export async function persistDeployment(dc: DeploymentContext, d: Deployment, changed: { annotations: boolean; status: boolean }): Promise<void> {
  if (changed.annotations) {
    const stored = await dc.client.update(DEPLOYMENTS, d.metadata.namespace, d);
    adoptResourceVersion(d, stored);
  }
  if (changed.status) await updateDeploymentStatus(dc, d);
}

function adoptResourceVersion(d: Deployment, stored: KubeObject): void {
  if (stored.metadata?.resourceVersion) d.metadata.resourceVersion = stored.metadata.resourceVersion;
  if (stored.metadata?.managedFields) d.metadata.managedFields = stored.metadata.managedFields;
}

/** Replaces rs (by uid) in a sync's own list of ReplicaSets with its updated version. */
export function replaceReplicaSet(list: ReplicaSet[], updated: ReplicaSet): void {
  const i = list.findIndex((rs) => rs.metadata.uid === updated.metadata.uid);
  if (i >= 0) list[i] = updated;
}
