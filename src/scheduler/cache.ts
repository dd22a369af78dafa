// The scheduler's cluster view (upstream internal/cache plus its snapshot): nodes with their NodeInfo,
// the pods bound or assumed onto them, namespaces' labels, PodDisruptionBudgets, and indexes kept
// current on every event (pods by label, existing anti-affinity terms, pods with scoring affinity), so
// a scheduling cycle never rescans all pods. Cycles run synchronously on this live view: there is no
// per-cycle copy. Assumed pods count as placed from the moment a cycle picks their node until binding
// confirms (the informer's add) or fails (forgetPod). Pods whose node is unknown wait in a node-less NodeInfo.
import type { KubeObject } from "../api/resource.js";
import type { Labels, LabelSelector } from "../api/label-selector.js";
import { AntiAffinityIndex, type TermGroup } from "./anti-affinity-index.js";
import type { Node, Pod, PodDisruptionBudget } from "./api-types.js";
import type { SharedLister } from "./framework.js";
import { NodeInfo } from "./node-info.js";
import { NodeTree } from "./node-tree.js";
import { PodIndex } from "./pod-index.js";
import { PodInfo, podKey } from "./pod-info.js";

interface PodState {
  podInfo: PodInfo;
  assumed: boolean;
  bindingFinished: boolean;
}

export class Cache implements SharedLister {
  private readonly nodes = new Map<string, NodeInfo>();
  private readonly podStates = new Map<string, PodState>();
  private readonly tree = new NodeTree();
  private ordered: NodeInfo[] | undefined;
  private readonly index = new PodIndex();
  private readonly antiAffinity = new AntiAffinityIndex();
  private readonly scoringAffinity = new Set<PodInfo>();
  private readonly namespaces = new Map<string, Labels>();
  private readonly budgets = new Map<string, PodDisruptionBudget>();
  private budgetList: readonly PodDisruptionBudget[] | undefined;

  // ---- nodes ---------------------------------------------------------------------------------

  /** Adds or replaces a node. */
  addNode(node: Node): void {
    const name = node.metadata?.name ?? "";
    const ni = this.nodeInfo(name);
    const listed = ni.node !== undefined;
    // Indexes key pods by node name and read topology labels at query time: a relabel needs no reindex.
    ni.setNode(node);
    // Status updates are frequent: the visiting order is rebuilt only for a new node or a zone change.
    if (this.tree.add(name, ni.labels) || !listed) this.ordered = undefined;
  }

  updateNode(node: Node): void {
    this.addNode(node);
  }

  /** Forgets the node; its pods stay (node-less) until their own deletions arrive, as upstream. */
  removeNode(name: string): void {
    const ni = this.nodes.get(name);
    if (!ni) return;
    ni.clearNode();
    if (ni.pods.size === 0) this.nodes.delete(name);
    this.tree.remove(name);
    this.ordered = undefined;
  }

  // ---- pods ----------------------------------------------------------------------------------

  /** A bound pod appeared or changed (informer add/update); confirms an assumed pod. Finished pods leave. */
  addPod(pod: Pod): void {
    const phase = pod.status?.phase;
    if (phase === "Succeeded" || phase === "Failed") return this.removePod(pod);
    if (!pod.spec?.nodeName) return;
    const pi = PodInfo.of(pod);
    const known = this.podStates.get(pi.key);
    if (known) this.detach(known.podInfo);
    this.attach(pi);
    this.podStates.set(pi.key, { podInfo: pi, assumed: false, bindingFinished: false });
  }

  updatePod(pod: Pod): void {
    this.addPod(pod);
  }

  removePod(pod: Pod): void {
    const key = podKey(pod);
    const known = this.podStates.get(key);
    if (!known) return;
    this.detach(known.podInfo);
    this.podStates.delete(key);
  }

  /** Places pi on nodeName before binding completes (upstream AssumePod); returns the placed PodInfo. */
  assumePod(pi: PodInfo, nodeName: string): PodInfo {
    if (this.podStates.has(pi.key)) throw new Error(`pod ${pi.namespace}/${pi.name}(${pi.key}) is in the cache, so can't be assumed`);
    const assumed = pi.withNodeName(nodeName);
    this.attach(assumed);
    this.podStates.set(assumed.key, { podInfo: assumed, assumed: true, bindingFinished: false });
    return assumed;
  }

  finishBinding(key: string): void {
    const state = this.podStates.get(key);
    if (state?.assumed) state.bindingFinished = true;
  }

  /** Undoes assumePod after a failed bind (upstream ForgetPod). */
  forgetPod(key: string): void {
    const state = this.podStates.get(key);
    if (!state?.assumed) return;
    this.detach(state.podInfo);
    this.podStates.delete(key);
  }

  isAssumedPod(key: string): boolean {
    return this.podStates.get(key)?.assumed ?? false;
  }

  getPod(key: string): PodInfo | undefined {
    return this.podStates.get(key)?.podInfo;
  }

  podCount(): number {
    return this.podStates.size;
  }

  // ---- namespaces ----------------------------------------------------------------------------

  addNamespace(ns: KubeObject): void {
    this.namespaces.set(ns.metadata?.name ?? "", ns.metadata?.labels ?? {});
  }

  removeNamespace(name: string): void {
    this.namespaces.delete(name);
  }

  // ---- PodDisruptionBudgets -----------------------------------------------------------------

  /** Adds or replaces a budget (keyed by namespace/name); preemption reads it as is. */
  addPDB(pdb: PodDisruptionBudget): void {
    this.budgets.set(objectKeyOf(pdb), pdb);
    this.budgetList = undefined;
  }

  updatePDB(pdb: PodDisruptionBudget): void {
    this.addPDB(pdb);
  }

  removePDB(pdb: PodDisruptionBudget): void {
    if (this.budgets.delete(objectKeyOf(pdb))) this.budgetList = undefined;
  }

  // ---- SharedLister --------------------------------------------------------------------------

  nodeInfoList(): readonly NodeInfo[] {
    this.ordered ??= this.tree.list().map((name) => this.nodes.get(name)).filter((ni): ni is NodeInfo => ni?.node !== undefined);
    return this.ordered;
  }

  getNodeInfo(name: string): NodeInfo | undefined {
    const ni = this.nodes.get(name);
    return ni?.node ? ni : undefined;
  }

  numNodes(): number {
    return this.nodeInfoList().length;
  }

  namespaceLabels(namespace: string): Labels | undefined {
    return this.namespaces.get(namespace);
  }

  namespacesMatching(selector: LabelSelector): string[] {
    return [...this.namespaces].filter(([, labels]) => selector.matches(labels)).map(([name]) => name);
  }

  pdbs(): readonly PodDisruptionBudget[] {
    this.budgetList ??= [...this.budgets.values()];
    return this.budgetList;
  }

  podNamespaces(): Iterable<string> {
    return this.index.namespaces();
  }

  forEachPodMatching(namespace: string, selector: LabelSelector, fn: (pi: PodInfo) => void): void {
    this.index.forEachMatching(namespace, selector, fn);
  }

  antiAffinityGroups(): Iterable<TermGroup> {
    return this.antiAffinity.values();
  }

  podsWithScoringAffinity(): Iterable<PodInfo> {
    return this.scoringAffinity;
  }

  // ---- internals -----------------------------------------------------------------------------

  private nodeInfo(name: string): NodeInfo {
    let ni = this.nodes.get(name);
    if (!ni) this.nodes.set(name, (ni = new NodeInfo(name)));
    return ni;
  }

  private attach(pi: PodInfo): void {
    this.nodeInfo(pi.nodeName).addPod(pi);
    this.index.add(pi);
    this.antiAffinity.add(pi);
    if (pi.hasScoringAffinity()) this.scoringAffinity.add(pi);
  }

  private detach(pi: PodInfo): void {
    const ni = this.nodes.get(pi.nodeName);
    ni?.removePod(pi);
    if (ni && !ni.node && ni.pods.size === 0) this.nodes.delete(pi.nodeName);
    this.index.remove(pi);
    this.antiAffinity.remove(pi);
    this.scoringAffinity.delete(pi);
  }
}

function objectKeyOf(o: KubeObject): string {
  return `${o.metadata?.namespace ?? ""}/${o.metadata?.name ?? ""}`;
}
