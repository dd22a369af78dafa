// The scheduling framework's contracts (upstream kube-scheduler framework/interface.go): a plugin is
// a name plus one small interface per extension point it serves — PreFilter, Filter, PostFilter,
// PreScore, Score (+ NormalizeScore), Reserve/Unreserve, PreBind, Bind — and a profile lists the plugins a
// scheduler runs, with score weights. Plugins are synchronous except Bind; they read the cluster
// through the Handle's SharedLister and never mutate what they read.
import type { Labels, LabelSelector } from "../api/label-selector.js";
import type { Client } from "../client/client.js";
import type { InformerFactory } from "../client/informer-factory.js";
import type { TermGroup } from "./anti-affinity-index.js";
import type { Pod, PodDisruptionBudget } from "./api-types.js";
import type { CycleState } from "./cycle-state.js";
import type { NodeInfo } from "./node-info.js";
import type { NodeToStatus } from "./fit-error.js";
import type { PodInfo } from "./pod-info.js";
import type { PluginStatus, Status } from "./status.js";

export const MAX_NODE_SCORE = 100;
export const MIN_NODE_SCORE = 0;

export interface Plugin {
  readonly name: string;
}

/** A PreFilter's narrowing of the nodes worth filtering (upstream PreFilterResult.NodeNames). */
export class PreFilterResult {
  constructor(readonly nodeNames: ReadonlySet<string>) {}

  /** The intersection with another result (upstream Merge; undefined means all nodes). */
  merge(other: PreFilterResult | undefined): PreFilterResult {
    if (!other) return this;
    return new PreFilterResult(new Set([...this.nodeNames].filter((n) => other.nodeNames.has(n))));
  }
}

/** null: Success for all nodes; a PreFilterResult: Success for those nodes only; a Status: Skip, rejection or error. */
export type PreFilterOutcome = PluginStatus | PreFilterResult;

/** Keeps a PreFilter's state right when preemption or nominated pods add or remove pods on a node. */
export interface PreFilterExtensions {
  addPod(state: CycleState, podToSchedule: PodInfo, podInfoToAdd: PodInfo, nodeInfo: NodeInfo): PluginStatus;
  removePod(state: CycleState, podToSchedule: PodInfo, podInfoToRemove: PodInfo, nodeInfo: NodeInfo): PluginStatus;
}

export interface PreFilterPlugin extends Plugin {
  preFilter(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): PreFilterOutcome;
  readonly preFilterExtensions?: PreFilterExtensions;
}

export interface FilterPlugin extends Plugin {
  filter(state: CycleState, pod: PodInfo, nodeInfo: NodeInfo): PluginStatus;
}

/** What preemption decided: the node to nominate and the pods to evict from it. */
export interface PostFilterResult {
  readonly nominatedNodeName: string;
  readonly victims: readonly PodInfo[];
}

export interface PostFilterOutcome {
  readonly result?: PostFilterResult;
  readonly status: Status;
}

export interface PostFilterPlugin extends Plugin {
  postFilter(state: CycleState, pod: PodInfo, filteredNodeStatus: NodeToStatus): PostFilterOutcome;
}

export interface PreScorePlugin extends Plugin {
  preScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): PluginStatus;
}

export interface ScorePlugin extends Plugin {
  /** The node's raw score; throws on an internal error. */
  score(state: CycleState, pod: PodInfo, nodeInfo: NodeInfo): number;
  /**
   * Every node's raw score into `scores` (parallel to nodes), as score() would give them: for
   * plugins that read their cycle state once per cycle instead of once per node.
   */
  scoreNodes?(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[], scores: number[]): void;
  /** Rewrites scores (parallel to nodes) into [MIN_NODE_SCORE, MAX_NODE_SCORE]. */
  normalizeScore?(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[], scores: number[]): PluginStatus;
}

export interface ReservePlugin extends Plugin {
  reserve(state: CycleState, pod: PodInfo, nodeName: string): PluginStatus;
  unreserve(state: CycleState, pod: PodInfo, nodeName: string): void;
}

export interface PreBindPlugin extends Plugin {
  /** Prepares the binding through the API (volumes, for example) before any Bind plugin runs. */
  preBind(state: CycleState, pod: PodInfo, nodeName: string): Promise<PluginStatus>;
}

export interface BindPlugin extends Plugin {
  /** Binds the pod; Skip hands the pod to the next Bind plugin. */
  bind(state: CycleState, pod: PodInfo, nodeName: string): Promise<PluginStatus>;
}

/** The scheduler's read-only view of the cluster (upstream SharedLister plus the indexes kubelite keeps). */
export interface SharedLister {
  /** Nodes in visiting order (zones interleaved). */
  nodeInfoList(): readonly NodeInfo[];
  getNodeInfo(name: string): NodeInfo | undefined;
  namespaceLabels(namespace: string): Labels | undefined;
  /** Namespaces whose labels the selector matches. */
  namespacesMatching(selector: LabelSelector): string[];
  /** Every PodDisruptionBudget (upstream's PDB lister), which preemption consults. */
  pdbs(): readonly PodDisruptionBudget[];
  /** Namespaces that hold scheduled pods. */
  podNamespaces(): Iterable<string>;
  /** Calls fn for each scheduled pod in namespace that the selector matches. */
  forEachPodMatching(namespace: string, selector: LabelSelector, fn: (pi: PodInfo) => void): void;
  /** Distinct required anti-affinity terms of scheduled pods, with the nodes those pods are on. */
  antiAffinityGroups(): Iterable<TermGroup>;
  /** Scheduled pods whose own affinity terms count in other pods' scores. */
  podsWithScoringAffinity(): Iterable<PodInfo>;
}

/** Pods nominated to nodes by preemption, waiting for their victims to leave (upstream PodNominator). */
export interface PodNominator {
  nominatedPodsForNode(nodeName: string): readonly PodInfo[];
}

/** What plugins get from the framework that runs them (upstream framework.Handle). */
export interface Handle {
  readonly snapshot: SharedLister;
  readonly nominator: PodNominator | undefined;
  /** A number in [0, 1); injected so tests are deterministic. */
  readonly random: () => number;
  /** Binds through the API (pods/binding); wired by the caller. */
  readonly bindPod: ((pod: Pod, nodeName: string) => Promise<void>) | undefined;
  /** The shared informers and the scheduler's client (upstream SharedInformerFactory and ClientSet), for plugins that read other kinds or write; absent in tests without a server. */
  readonly informers: InformerFactory | undefined;
  readonly client: Client | undefined;
  runFilterPluginsWithNominatedPods(state: CycleState, pod: PodInfo, nodeInfo: NodeInfo): PluginStatus;
  runPreFilterExtensionAddPod(state: CycleState, podToSchedule: PodInfo, podInfoToAdd: PodInfo, nodeInfo: NodeInfo): PluginStatus;
  runPreFilterExtensionRemovePod(state: CycleState, podToSchedule: PodInfo, podInfoToRemove: PodInfo, nodeInfo: NodeInfo): PluginStatus;
}

export type PluginArgs = Readonly<Record<string, unknown>>;

/** Builds a plugin; registered under the plugin's name in plugins/index.ts. */
export type PluginFactory = (handle: Handle, args: PluginArgs | undefined) => Plugin;

export interface PluginConfig {
  readonly name: string;
  /** Score weight (default 1). */
  readonly weight?: number;
  readonly args?: PluginArgs;
}

/** A scheduler profile: the plugins in the order they run at each point (upstream MultiPoint). */
export interface Profile {
  readonly schedulerName: string;
  readonly plugins: readonly PluginConfig[];
  /** 0 or unset: adaptive (upstream's default). */
  readonly percentageOfNodesToScore?: number;
}

export const isPreFilterPlugin = (p: Plugin): p is PreFilterPlugin => typeof (p as Partial<PreFilterPlugin>).preFilter === "function";
export const isFilterPlugin = (p: Plugin): p is FilterPlugin => typeof (p as Partial<FilterPlugin>).filter === "function";
export const isPostFilterPlugin = (p: Plugin): p is PostFilterPlugin => typeof (p as Partial<PostFilterPlugin>).postFilter === "function";
export const isPreScorePlugin = (p: Plugin): p is PreScorePlugin => typeof (p as Partial<PreScorePlugin>).preScore === "function";
export const isScorePlugin = (p: Plugin): p is ScorePlugin => typeof (p as Partial<ScorePlugin>).score === "function";
export const isReservePlugin = (p: Plugin): p is ReservePlugin => typeof (p as Partial<ReservePlugin>).reserve === "function";
export const isPreBindPlugin = (p: Plugin): p is PreBindPlugin => typeof (p as Partial<PreBindPlugin>).preBind === "function";
export const isBindPlugin = (p: Plugin): p is BindPlugin => typeof (p as Partial<BindPlugin>).bind === "function";
