// The garbage collector's dependency graph (upstream graph.go): one node per object uid, with the
// nodes of its dependents, so "who depends on this owner" is one lookup however many objects exist
// (150,000 pods cost one node each). A node is observed when an informer has delivered its object;
// a virtual node stands for an owner only known from an ownerReference, until a live GET says
// whether it exists. Nodes hold the informer's frozen objects and never change them. The graph is
// changed only by the GraphBuilder (informer events) and by the collector removing virtual nodes.
import type { KubeObject, OwnerReference } from "../../api/resource.js";
import type { ServedResource } from "../served-resources.js";

export const ORPHAN_FINALIZER = "orphan";
export const FOREGROUND_FINALIZER = "foregroundDeletion";

/** Where an object lives: enough to GET, patch or delete it. */
export interface ObjectIdentity {
  apiVersion: string;
  kind: string;
  name: string;
  /** The namespace, for a namespaced object (for a virtual node: its first dependent's). */
  namespace?: string;
}

export class GraphNode {
  readonly dependents = new Set<GraphNode>();
  /** The resource the object was observed in; undefined for a virtual node. */
  resource: ServedResource | undefined;
  /** The observed object (shared and frozen); undefined for a virtual node. */
  object: KubeObject | undefined;

  constructor(
    readonly uid: string,
    public identity: ObjectIdentity,
  ) {}

  get observed(): boolean {
    return this.object !== undefined;
  }

  get owners(): readonly OwnerReference[] {
    return this.object?.metadata?.ownerReferences ?? [];
  }

  get beingDeleted(): boolean {
    return this.object?.metadata?.deletionTimestamp !== undefined;
  }

  hasFinalizer(finalizer: string): boolean {
    return (this.object?.metadata?.finalizers ?? []).includes(finalizer);
  }

  /** Foreground deletion in progress: the owner waits for its blocking dependents. */
  get deletingDependents(): boolean {
    return this.beingDeleted && this.hasFinalizer(FOREGROUND_FINALIZER);
  }

  /** Orphan deletion in progress: the dependents lose their ownerReference to this node first. */
  get orphaningDependents(): boolean {
    return this.beingDeleted && this.hasFinalizer(ORPHAN_FINALIZER);
  }

  /** Whether this node's reference to the owner has blockOwnerDeletion. */
  blocks(ownerUid: string): boolean {
    return this.owners.some((ref) => ref.uid === ownerUid && ref.blockOwnerDeletion === true);
  }

  /** Any dependent still blocking this owner's foreground deletion (stops at the first). */
  hasBlockingDependents(): boolean {
    for (const dependent of this.dependents) if (dependent.blocks(this.uid)) return true;
    return false;
  }

  /** The node's state after an informer delivered `obj` from `resource`. */
  observe(resource: ServedResource, obj: KubeObject): void {
    this.resource = resource;
    this.object = obj;
    this.identity = identityOf(obj, resource);
  }
}

/** uid → node: upstream's uidToNode. */
export class Graph {
  private readonly nodes = new Map<string, GraphNode>();

  get(uid: string): GraphNode | undefined {
    return this.nodes.get(uid);
  }

  add(node: GraphNode): void {
    this.nodes.set(node.uid, node);
  }

  remove(node: GraphNode): void {
    if (this.nodes.get(node.uid) === node) this.nodes.delete(node.uid);
  }

  get size(): number {
    return this.nodes.size;
  }
}

export function identityOf(obj: KubeObject, resource: ServedResource): ObjectIdentity {
  const meta = obj.metadata ?? {};
  const identity: ObjectIdentity = { apiVersion: resource.apiVersion, kind: resource.kind, name: meta.name ?? "" };
  if (resource.namespaced && meta.namespace) identity.namespace = meta.namespace;
  return identity;
}

/** The identity an ownerReference gives its owner, seen from a dependent in `namespace`. */
export function ownerIdentity(ref: OwnerReference, namespace: string | undefined): ObjectIdentity {
  const identity: ObjectIdentity = { apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name };
  if (namespace) identity.namespace = namespace;
  return identity;
}

export function describe(identity: ObjectIdentity): string {
  return `${identity.kind} ${identity.namespace ? `${identity.namespace}/` : ""}${identity.name}`;
}
