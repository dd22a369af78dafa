// Keeps the dependency graph in step with the informers (upstream graph_builder.go's
// processGraphChanges) and says which nodes the collector must look at (attemptToDelete and
// attemptToOrphan, one queue of uids here):
// - an ownerReference to an unknown uid makes a virtual owner node, queued so that a live GET
//   settles whether it exists;
// - an owner that goes away (deleted, or a virtual node found absent) queues its dependents;
// - an owner being deleted with the `orphan` or `foregroundDeletion` finalizer is queued; when it
//   starts waiting for its dependents (foreground), those are queued too;
// - a dependent that goes away or stops blocking queues its owner if that owner is waiting for it.
// Runs synchronously inside the informers' event handlers, in event order; it never calls the API.
import type { KubeObject, OwnerReference } from "../../api/resource.js";
import type { EventHandler } from "../../client/informer.js";
import type { ServedResource } from "../served-resources.js";
import type { AbsentOwnerCache } from "./absent-owner-cache.js";
import { type Graph, GraphNode, identityOf, ownerIdentity } from "./graph.js";

export class GraphBuilder {
  constructor(
    private readonly graph: Graph,
    private readonly absentOwners: AbsentOwnerCache,
    private readonly enqueue: (uid: string) => void,
  ) {}

  /** The informer handler for one resource. */
  handlerFor(resource: ServedResource): EventHandler {
    return {
      onAdd: (obj) => this.observe(resource, obj),
      onUpdate: (_old, obj) => this.observe(resource, obj),
      onDelete: (obj) => this.removeObject(obj),
    };
  }

  /** An object as the informer has it now (added or updated). */
  observe(resource: ServedResource, obj: KubeObject): void {
    const uid = obj.metadata?.uid;
    if (!uid) return;
    let node = this.graph.get(uid);
    if (!node) {
      node = new GraphNode(uid, identityOf(obj, resource));
      this.graph.add(node);
    }
    const previousOwners = node.owners;
    const wasDeletingDependents = node.deletingDependents;
    node.observe(resource, obj);
    this.updateOwners(node, previousOwners);
    this.processTransitions(node, wasDeletingDependents);
  }

  /** The object is gone (a delete event). */
  removeObject(obj: KubeObject): void {
    const node = obj.metadata?.uid ? this.graph.get(obj.metadata.uid) : undefined;
    if (node) this.removeNode(node);
  }

  /** A virtual node whose owner a live GET did not find: upstream's virtual delete event. */
  removeVirtual(node: GraphNode): void {
    if (this.graph.get(node.uid) === node && !node.observed) this.removeNode(node);
  }

  private removeNode(node: GraphNode): void {
    this.graph.remove(node);
    for (const ref of node.owners) this.removeDependent(ref.uid, node);
    if (node.dependents.size === 0) return;
    // The dependents' owner is gone: remember it, and let each dependent be collected.
    this.absentOwners.add(node.identity.namespace, node.uid);
    for (const dependent of node.dependents) this.enqueue(dependent.uid);
  }

  /** Links and unlinks the node to the owners its ownerReferences name now. */
  private updateOwners(node: GraphNode, previous: readonly OwnerReference[]): void {
    const before = new Map(previous.map((ref) => [ref.uid, ref]));
    const now = new Set(node.owners.map((ref) => ref.uid));
    for (const ref of previous) if (!now.has(ref.uid)) this.removeDependent(ref.uid, node);
    for (const ref of node.owners) {
      const old = before.get(ref.uid);
      if (!old) this.addDependent(ref, node);
      else if (old.blockOwnerDeletion === true && ref.blockOwnerDeletion !== true) this.enqueueIfWaiting(this.graph.get(ref.uid));
    }
  }

  private addDependent(ref: OwnerReference, dependent: GraphNode): void {
    let owner = this.graph.get(ref.uid);
    if (!owner) {
      owner = new GraphNode(ref.uid, ownerIdentity(ref, dependent.identity.namespace));
      this.graph.add(owner);
      this.enqueue(owner.uid);
    }
    owner.dependents.add(dependent);
    // A new dependent of an owner being deleted must be handled now: collected (foreground) or
    // released (orphan).
    if (owner.deletingDependents) this.enqueue(dependent.uid);
    if (owner.orphaningDependents) this.enqueue(owner.uid);
  }

  private removeDependent(ownerUid: string, dependent: GraphNode): void {
    const owner = this.graph.get(ownerUid);
    if (!owner) return;
    owner.dependents.delete(dependent);
    // A virtual node exists only for its dependents.
    if (!owner.observed && owner.dependents.size === 0) this.graph.remove(owner);
    this.enqueueIfWaiting(owner);
  }

  private enqueueIfWaiting(owner: GraphNode | undefined): void {
    if (owner?.deletingDependents) this.enqueue(owner.uid);
  }

  /** upstream's processTransitions: an owner being deleted with a garbage collector finalizer. */
  private processTransitions(node: GraphNode, wasDeletingDependents: boolean): void {
    if (node.orphaningDependents) this.enqueue(node.uid);
    if (!node.deletingDependents) return;
    this.enqueue(node.uid);
    // Foreground deletion starts: every dependent is deleted (blocking or not).
    if (!wasDeletingDependents) for (const dependent of node.dependents) this.enqueue(dependent.uid);
  }
}
