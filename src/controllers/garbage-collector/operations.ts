// The garbage collector's API calls (upstream operations.go and patch.go), all through the Client:
// - deleteObject: with the object's uid and resourceVersion as preconditions, so an object whose
//   ownerReferences changed since the graph saw it is not deleted; on a conflict with unchanged
//   ownerReferences it retries once at the live resourceVersion;
// - removeOwnerReferences / unblockOwnerReferences: strategic merge patches keyed by owner uid
//   (`$patch: delete`, `blockOwnerDeletion: false`), which need no resourceVersion; removing the
//   last reference is a JSON patch that tests the references first;
// - removeFinalizer: a live read, then a merge patch carrying its resourceVersion (compare-and-swap).
// Not found means done for every write.
import { isDeepStrictEqual } from "node:util";
import { StatusError } from "../../api/errors.js";
import type { KubeObject } from "../../api/resource.js";
import type { Client, DeleteOptions, ResourceRef } from "../../client/client.js";
import type { GraphNode, ObjectIdentity } from "./graph.js";

export type Propagation = NonNullable<DeleteOptions["propagationPolicy"]>;

export class Operations {
  constructor(private readonly client: Client) {}

  /** The live object, or undefined when there is none by that name. */
  async getObject(resource: ResourceRef, identity: ObjectIdentity): Promise<KubeObject | undefined> {
    try {
      return await this.client.get(resource, identity.namespace, identity.name);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** Deletes the observed object of node with the given propagation. */
  async deleteObject(node: GraphNode, policy: Propagation): Promise<void> {
    const { resource, identity } = observed(node);
    const resourceVersion = node.object?.metadata?.resourceVersion;
    try {
      await this.client.delete(resource.ref, identity.namespace, identity.name, { propagationPolicy: policy, preconditions: { uid: node.uid, resourceVersion } });
    } catch (err) {
      if (isNotFound(err)) return;
      if (!isConflict(err) || !resourceVersion) throw err;
      await this.retryDeleteAtLiveVersion(node, policy, err);
    }
  }

  /**
   * Removes the ownerReferences to these owner uids from the dependent. Removing the last one drops
   * the field (upstream omits an empty list), guarded by a JSON patch test of the references the
   * graph saw: if they changed meanwhile the patch fails and the item is retried.
   */
  async removeOwnerReferences(dependent: GraphNode, ownerUids: readonly string[]): Promise<void> {
    const remaining = dependent.owners.filter((ref) => !ownerUids.includes(ref.uid));
    if (remaining.length === 0 && dependent.owners.length > 0) {
      const path = "/metadata/ownerReferences";
      return this.patch(dependent, "json", [{ op: "test", path, value: dependent.owners }, { op: "remove", path }]);
    }
    await this.patch(dependent, "strategic", { metadata: { ownerReferences: ownerUids.map((uid) => ({ $patch: "delete", uid })) } });
  }

  /** Sets blockOwnerDeletion false on every ownerReference of node (upstream's cycle breaker). */
  async unblockOwnerReferences(node: GraphNode): Promise<void> {
    const refs = node.owners.filter((ref) => ref.blockOwnerDeletion === true).map((ref) => ({ uid: ref.uid, blockOwnerDeletion: false }));
    if (refs.length > 0) await this.patch(node, "strategic", { metadata: { ownerReferences: refs } });
  }

  /** Removes one finalizer from the live object, if it is still there. */
  async removeFinalizer(node: GraphNode, finalizer: string): Promise<void> {
    const { resource, identity } = observed(node);
    const live = await this.getObject(resource.ref, identity);
    if (!live || live.metadata?.uid !== node.uid) return;
    const finalizers = live.metadata?.finalizers ?? [];
    if (!finalizers.includes(finalizer)) return;
    const remaining = finalizers.filter((f) => f !== finalizer);
    await this.patch(node, "merge", { metadata: { resourceVersion: live.metadata?.resourceVersion, finalizers: remaining.length > 0 ? remaining : null } });
  }

  private async retryDeleteAtLiveVersion(node: GraphNode, policy: Propagation, conflict: unknown): Promise<void> {
    const { resource, identity } = observed(node);
    const live = await this.getObject(resource.ref, identity);
    if (!live || live.metadata?.uid !== node.uid) return;
    const liveVersion = live.metadata?.resourceVersion;
    // Deleting is safe only if the owners that made it garbage are still the owners.
    if (liveVersion === node.object?.metadata?.resourceVersion || !isDeepStrictEqual(live.metadata?.ownerReferences ?? [], node.owners)) throw conflict;
    try {
      await this.client.delete(resource.ref, identity.namespace, identity.name, { propagationPolicy: policy, preconditions: { uid: node.uid, resourceVersion: liveVersion } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  private async patch(node: GraphNode, type: "strategic" | "merge" | "json", patch: unknown): Promise<void> {
    const { resource, identity } = observed(node);
    try {
      await this.client.patch(resource.ref, identity.namespace, identity.name, type, patch);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}

function observed(node: GraphNode): { resource: NonNullable<GraphNode["resource"]>; identity: ObjectIdentity } {
  if (!node.resource) throw new Error(`${node.identity.kind} ${node.identity.name} (uid ${node.uid}) has not been observed`);
  return { resource: node.resource, identity: node.identity };
}

export function isNotFound(err: unknown): boolean {
  return err instanceof StatusError && err.code === 404;
}

function isConflict(err: unknown): boolean {
  return err instanceof StatusError && err.code === 409;
}
