// A node's heartbeat: its Lease in kube-node-lease, renewed every 10 s of a 40 s duration as
// kubelets do; the node lifecycle controller judges a node by it. Shared by real and simulated nodes.
import { StatusError } from "../api/errors.js";
import type { KubeObject } from "../api/resource.js";
import type { Client, ResourceRef } from "../client/client.js";

export const KUBELET_VERSION = "v1.32.0-kubelite";
/** How long a node's lease is valid; the node lifecycle controller's grace period is measured against it. */
export const LEASE_DURATION_SECONDS = 40;
/** How often a node renews its Lease (upstream kubelet: every 10 s of a 40 s lease). */
export const LEASE_RENEW_INTERVAL_MS = 10_000;

const LEASES: ResourceRef = { group: "coordination.k8s.io", version: "v1", resource: "leases" };

export function leaseObject(nodeName: string, nodeUid: string | undefined, now: Date): KubeObject {
  const owner = nodeUid ? { ownerReferences: [{ apiVersion: "v1", kind: "Node", name: nodeName, uid: nodeUid }] } : {};
  return {
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    metadata: { name: nodeName, namespace: "kube-node-lease", ...owner },
    spec: { holderIdentity: nodeName, leaseDurationSeconds: LEASE_DURATION_SECONDS, renewTime: now.toISOString().replace("Z", "000Z") },
  };
}


/** Renews the node's Lease, creating it when missing. */
export async function renewLease(client: Client, nodeName: string, nodeUid: string | undefined, now: Date): Promise<void> {
  const lease = leaseObject(nodeName, nodeUid, now);
  try {
    await client.patch(LEASES, "kube-node-lease", nodeName, "merge", { spec: lease.spec });
  } catch (err) {
    if (!(err instanceof StatusError && err.code === 404)) throw err;
    await client.create(LEASES, "kube-node-lease", lease);
  }
}
