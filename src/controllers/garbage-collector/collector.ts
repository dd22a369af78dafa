// What the garbage collector does for one node of the graph (upstream garbagecollector.go:
// attemptToDeleteItem, processDeletingDependentsItem, attemptToOrphanWorker). Level-triggered: it
// reads the node as the graph has it now and converges, whatever queued it:
// - a virtual node: a live GET decides; absent (not found, or another uid) removes the node,
//   which queues its dependents;
// - an owner being deleted with `orphan`: its dependents lose their ownerReference to it, then the
//   finalizer goes; with `foregroundDeletion`: the finalizer goes once no dependent blocks it;
// - any other object with owners: each owner is solid, dangling (absent: verified by a live GET of
//   the owner, unless the graph or the absent-owner cache already knows) or waiting for its
//   dependents (foreground). With a solid owner only the dangling and waiting references are
//   removed; without one the object is deleted: in Foreground if a waiting owner needs it gone
//   and it has dependents of its own, else as its finalizers ask, else in Background.
import type { OwnerReference } from "../../api/resource.js";
import { TerminalError } from "../../client/controller.js";
import type { Logger } from "../../log.js";
import type { ServedResources } from "../served-resources.js";
import type { AbsentOwnerCache } from "./absent-owner-cache.js";
import { describe, FOREGROUND_FINALIZER, type Graph, type GraphNode, ORPHAN_FINALIZER } from "./graph.js";
import type { GraphBuilder } from "./graph-builder.js";
import type { Operations, Propagation } from "./operations.js";

export interface CollectorDeps {
  graph: Graph;
  builder: GraphBuilder;
  absentOwners: AbsentOwnerCache;
  operations: Operations;
  resources: ServedResources;
}

/** How an item's owners stand (upstream's classifyReferences). */
interface Classified {
  solid: OwnerReference[];
  dangling: OwnerReference[];
  waitingForDependentsDeletion: OwnerReference[];
}

type OwnerState = "dangling" | "solid" | "waiting";

/** Dependents patched at once when orphaning. */
const ORPHAN_BATCH = 32;

export class GarbageCollector {
  constructor(private readonly deps: CollectorDeps) {}

  /** Converges the node with this uid; throws to be retried with backoff. */
  async sync(uid: string, log: Logger): Promise<void> {
    const node = this.deps.graph.get(uid);
    if (!node) return;
    if (!node.observed) return this.processVirtualNode(node, log);
    if (node.beingDeleted) return this.processDeletingNode(node, log);
    return this.attemptToDeleteItem(node, log);
  }

  private async processVirtualNode(node: GraphNode, log: Logger): Promise<void> {
    const resource = this.deps.resources.resourceFor(node.identity.apiVersion, node.identity.kind);
    if (!resource) throw new Error(`cannot find the resource of ${node.identity.apiVersion}, Kind=${node.identity.kind} (owner uid ${node.uid})`);
    const identity = resource.namespaced ? node.identity : { ...node.identity, namespace: undefined };
    if (!this.deps.absentOwners.has(identity.namespace, node.uid)) {
      const live = await this.deps.operations.getObject(resource.ref, identity);
      if (live?.metadata?.uid === node.uid) return; // it exists: its informer will observe it
      this.deps.absentOwners.add(identity.namespace, node.uid);
    }
    log.debug("owner does not exist; its dependents will be collected", { owner: describe(identity), uid: node.uid });
    this.deps.builder.removeVirtual(node);
  }

  /** "Being deleted" is one-way: only the garbage collector's own finalizers need work here. */
  private async processDeletingNode(node: GraphNode, log: Logger): Promise<void> {
    if (node.orphaningDependents) await this.attemptToOrphan(node, log);
    if (node.deletingDependents) await this.processDeletingDependentsItem(node, log);
  }

  private async processDeletingDependentsItem(node: GraphNode, log: Logger): Promise<void> {
    // The dependents were queued when the foreground deletion started; each one gone queues this again.
    if (node.hasBlockingDependents()) return;
    log.debug("no dependent blocks the owner any more; removing its foregroundDeletion finalizer", { item: describe(node.identity) });
    await this.deps.operations.removeFinalizer(node, FOREGROUND_FINALIZER);
  }

  private async attemptToOrphan(owner: GraphNode, log: Logger): Promise<void> {
    const dependents = [...owner.dependents];
    for (let i = 0; i < dependents.length; i += ORPHAN_BATCH) {
      await Promise.all(dependents.slice(i, i + ORPHAN_BATCH).map((dependent) => this.deps.operations.removeOwnerReferences(dependent, [owner.uid])));
    }
    log.debug("dependents orphaned; removing the orphan finalizer", { item: describe(owner.identity), dependents: dependents.length });
    await this.deps.operations.removeFinalizer(owner, ORPHAN_FINALIZER);
  }

  private async attemptToDeleteItem(item: GraphNode, log: Logger): Promise<void> {
    if (item.owners.length === 0) return;
    const { solid, dangling, waitingForDependentsDeletion: waiting } = await this.classifyReferences(item);
    if (solid.length > 0) {
      if (dangling.length === 0 && waiting.length === 0) return;
      log.debug("removing dangling and waiting ownerReferences", { item: describe(item.identity), owners: [...dangling, ...waiting].map((r) => r.uid) });
      return this.deps.operations.removeOwnerReferences(item, [...dangling, ...waiting].map((r) => r.uid));
    }
    if (waiting.length > 0 && item.dependents.size > 0) {
      // An owner and a dependent both deleting in foreground could wait for each other forever.
      if ([...item.dependents].some((d) => d.deletingDependents)) await this.deps.operations.unblockOwnerReferences(item);
      log.debug("deleting in foreground for an owner waiting on it", { item: describe(item.identity) });
      return this.deps.operations.deleteObject(item, "Foreground");
    }
    const policy = propagationFor(item);
    log.debug("deleting an object whose owners are gone", { item: describe(item.identity), propagationPolicy: policy });
    await this.deps.operations.deleteObject(item, policy);
  }

  private async classifyReferences(item: GraphNode): Promise<Classified> {
    const classified: Classified = { solid: [], dangling: [], waitingForDependentsDeletion: [] };
    for (const ref of item.owners) {
      const state = await this.ownerState(item, ref);
      if (state === "dangling") classified.dangling.push(ref);
      else if (state === "waiting") classified.waitingForDependentsDeletion.push(ref);
      else classified.solid.push(ref);
    }
    return classified;
  }

  /** upstream's isDangling, plus whether an existing owner waits for its dependents. */
  private async ownerState(item: GraphNode, ref: OwnerReference): Promise<OwnerState> {
    const resource = this.deps.resources.resourceFor(ref.apiVersion, ref.kind);
    if (!resource) throw new Error(`cannot find the resource of owner ${ref.apiVersion}, Kind=${ref.kind} of ${describe(item.identity)}`);
    if (resource.namespaced && !item.identity.namespace) {
      // Retrying cannot fix it (upstream's namespacedOwnerOfClusterScopedObjectErr).
      throw new TerminalError(`cluster-scoped ${describe(item.identity)} refers to a namespaced owner ${ref.kind} ${ref.name}`);
    }
    const namespace = resource.namespaced ? item.identity.namespace : undefined;
    if (this.deps.absentOwners.has(namespace, ref.uid)) return "dangling";
    const known = this.deps.graph.get(ref.uid);
    if (known?.observed && known.identity.name === ref.name && known.identity.namespace === namespace) {
      return known.deletingDependents ? "waiting" : "solid";
    }
    const live = await this.deps.operations.getObject(resource.ref, { apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name, namespace });
    if (live?.metadata?.uid !== ref.uid) {
      this.deps.absentOwners.add(namespace, ref.uid);
      return "dangling";
    }
    const meta = live.metadata ?? {};
    return meta.deletionTimestamp && (meta.finalizers ?? []).includes(FOREGROUND_FINALIZER) ? "waiting" : "solid";
  }
}

/** An object collected because its owners are gone honours the finalizer it already has. */
function propagationFor(item: GraphNode): Propagation {
  if (item.hasFinalizer(ORPHAN_FINALIZER)) return "Orphan";
  if (item.hasFinalizer(FOREGROUND_FINALIZER)) return "Foreground";
  return "Background";
}
