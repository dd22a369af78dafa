// One pod's way through the scheduler (upstream pkg/scheduler/schedule_one.go, v1.32). The scheduling
// cycle is synchronous: PreFilter, Filter over the nodes starting where the last cycle stopped and
// stopping once enough feasible nodes are found (percentageOfNodesToScore), PreScore and Score, and
// the highest total wins with ties broken by the injected random source; a pod that fits nowhere
// runs PostFilter (preemption) and gets upstream's FitError message. A chosen pod is assumed into
// the cache and reserved at once, so the next cycle sees it; the asynchronous binding cycle then
// binds it, or unreserves and forgets it when binding fails.
import type { Pod } from "./api-types.js";
import type { Cache } from "./cache.js";
import type { CycleState } from "./cycle-state.js";
import { addPluginStatus, type Diagnosis, FitError, newDiagnosis, NoNodesAvailableError } from "./fit-error.js";
import type { NodeInfo } from "./node-info.js";
import { PodInfo } from "./pod-info.js";
import { type Framework, goStringList } from "./framework-runtime.js";
import { Status } from "./status.js";

/** upstream minFeasibleNodesToFind and minFeasibleNodesPercentageToFind. */
export const MIN_FEASIBLE_NODES_TO_FIND = 100;
export const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;

export interface ScheduleResult {
  readonly suggestedHost: string;
  /** Nodes filtered (feasible or not) in this cycle. */
  readonly evaluatedNodes: number;
  readonly feasibleNodes: number;
}

export type SchedulingOutcome =
  | { readonly kind: "scheduled"; readonly result: ScheduleResult; readonly state: CycleState; readonly assumed: PodInfo }
  | { readonly kind: "unschedulable"; readonly error: FitError; readonly nominatedNodeName?: string; readonly victims?: readonly PodInfo[] }
  | { readonly kind: "error"; readonly error: Error };

export interface SchedulerOptions {
  framework: Framework;
  cache: Cache;
  /** Global percentageOfNodesToScore; a profile's own value wins. 0: adaptive. */
  percentageOfNodesToScore?: number;
}

export class Scheduler {
  readonly framework: Framework;
  readonly cache: Cache;
  private readonly percentageOfNodesToScore: number;
  private nextStartNodeIndex = 0;

  constructor(o: SchedulerOptions) {
    this.framework = o.framework;
    this.cache = o.cache;
    this.percentageOfNodesToScore = o.percentageOfNodesToScore ?? 0;
  }

  /** upstream schedulingCycle: picks a node and assumes the pod there, or explains why none fits. */
  schedulingCycle(pod: Pod | PodInfo): SchedulingOutcome {
    const pi = pod instanceof PodInfo ? pod : PodInfo.of(pod);
    const state = this.framework.newCycleState();
    try {
      const result = this.schedulePod(state, pi);
      return this.assumeAndReserve(state, pi, result);
    } catch (e) {
      if (e instanceof FitError) return this.handleFitError(state, pi, e);
      return { kind: "error", error: e instanceof Error ? e : new Error(String(e)) };
    }
  }

  /** upstream bindingCycle: binds, then confirms the assumption or rolls it back. */
  async bindingCycle(outcome: Extract<SchedulingOutcome, { kind: "scheduled" }>): Promise<Status> {
    const { state, assumed, result } = outcome;
    let s: Status;
    try {
      s = await this.framework.runPreBindPlugins(state, assumed, result.suggestedHost);
      if (s.isSuccess()) s = await this.framework.runBindPlugins(state, assumed, result.suggestedHost);
      if (s.isSkip()) s = Status.error("no bind plugin bound the pod");
    } catch (e) {
      s = Status.error(e instanceof Error ? e.message : String(e));
    }
    if (s.isSuccess()) this.cache.finishBinding(assumed.key);
    else this.undoAssume(state, assumed, result.suggestedHost);
    return s;
  }

  /** upstream SchedulePod: the chosen node, or throws FitError / NoNodesAvailableError / Error. */
  schedulePod(state: CycleState, pod: PodInfo): ScheduleResult {
    const numNodes = this.cache.numNodes();
    if (numNodes === 0) throw new NoNodesAvailableError();
    const { feasible, diagnosis } = this.findNodesThatFitPod(state, pod);
    if (feasible.length === 0) throw new FitError(pod.pod, numNodes, diagnosis);
    const evaluatedNodes = feasible.length + diagnosis.nodeToStatus.size;
    const only = feasible[0];
    if (feasible.length === 1 && only) return { suggestedHost: only.name, evaluatedNodes, feasibleNodes: 1 };
    const totals = this.prioritizeNodes(state, pod, feasible);
    return { suggestedHost: this.selectHost(feasible, totals), evaluatedNodes, feasibleNodes: feasible.length };
  }

  /** upstream findNodesThatFitPod. */
  findNodesThatFitPod(state: CycleState, pod: PodInfo): { feasible: NodeInfo[]; diagnosis: Diagnosis } {
    const diagnosis = newDiagnosis();
    const allNodes = this.cache.nodeInfoList();
    const pre = this.framework.runPreFilterPlugins(state, pod, allNodes);
    for (const p of pre.unschedulablePlugins) diagnosis.unschedulablePlugins.add(p);
    if (pre.status && !pre.status.isSuccess()) {
      if (!pre.status.isRejected()) throw new Error(pre.status.message());
      diagnosis.nodeToStatus.absentNodesStatus = pre.status;
      diagnosis.preFilterMsg = pre.status.message();
      addPluginStatus(diagnosis, pre.status);
      return { feasible: [], diagnosis };
    }
    const nominated = this.evaluateNominatedNode(state, pod, diagnosis);
    if (nominated.length > 0) return { feasible: nominated, diagnosis };
    let nodes = allNodes;
    if (pre.result) {
      nodes = [...pre.result.nodeNames].map((n) => this.cache.getNodeInfo(n)).filter((n): n is NodeInfo => n !== undefined);
      diagnosis.nodeToStatus.absentNodesStatus = Status.unresolvable(`node(s) didn't satisfy plugin(s) ${goStringList(diagnosis.unschedulablePlugins)}`);
    }
    const feasible = this.findNodesThatPassFilters(state, pod, diagnosis, nodes);
    const processed = feasible.length + diagnosis.nodeToStatus.size;
    if (allNodes.length > 0) this.nextStartNodeIndex = (this.nextStartNodeIndex + processed) % allNodes.length;
    return { feasible, diagnosis };
  }

  /** A node nominated by an earlier preemption is tried first: it is likely the only one that fits. */
  private evaluateNominatedNode(state: CycleState, pod: PodInfo, diagnosis: Diagnosis): NodeInfo[] {
    const name = pod.nominatedNodeName();
    const ni = name ? this.cache.getNodeInfo(name) : undefined;
    if (!ni) return [];
    return this.findNodesThatPassFilters(state, pod, diagnosis, [ni]);
  }

  /** upstream findNodesThatPassFilters: filters from nextStartNodeIndex until enough nodes fit. */
  findNodesThatPassFilters(state: CycleState, pod: PodInfo, diagnosis: Diagnosis, nodes: readonly NodeInfo[]): NodeInfo[] {
    const n = nodes.length;
    let toFind = this.numFeasibleNodesToFind(n);
    if (!this.framework.hasScorePlugins()) toFind = 1;
    // Sized up front: growing it one push at a time copied it over and over.
    const feasible = new Array<NodeInfo>(Math.min(toFind, n));
    let found = 0;
    for (let i = 0; i < n && found < toFind; i++) {
      const ni = nodes[(this.nextStartNodeIndex + i) % n] as NodeInfo;
      const s = this.framework.runFilterPluginsWithNominatedPods(state, pod, ni);
      if (s === null || s.isSuccess()) {
        feasible[found++] = ni;
        continue;
      }
      if (s.code === "Error") throw new Error(s.message());
      diagnosis.nodeToStatus.set(ni.name, s);
      addPluginStatus(diagnosis, s);
    }
    feasible.length = found;
    return feasible;
  }

  /** upstream numFeasibleNodesToFind: all of a small cluster, else an adaptive share of at least 100 nodes. */
  numFeasibleNodesToFind(numAllNodes: number): number {
    if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND) return numAllNodes;
    let percentage = this.framework.profile.percentageOfNodesToScore || this.percentageOfNodesToScore;
    if (percentage === 0) percentage = Math.max(50 - Math.trunc(numAllNodes / 125), MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND);
    const numNodes = Math.trunc((numAllNodes * percentage) / 100);
    return Math.max(numNodes, MIN_FEASIBLE_NODES_TO_FIND);
  }

  /** upstream prioritizeNodes: every node scores 1 without Score plugins. */
  prioritizeNodes(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): number[] {
    if (!this.framework.hasScorePlugins()) return nodes.map(() => 1);
    const s = this.framework.runPreScorePlugins(state, pod, nodes);
    if (s) throw new Error(s.message());
    return this.framework.runScorePlugins(state, pod, nodes);
  }

  /** upstream selectHost: the highest total; ties broken uniformly at random (reservoir sampling). */
  selectHost(nodes: readonly NodeInfo[], totals: readonly number[]): string {
    let selected = 0;
    let best = -Infinity;
    let ties = 0;
    for (let i = 0; i < nodes.length; i++) {
      const score = totals[i] as number;
      if (score > best) [best, selected, ties] = [score, i, 1];
      else if (score === best && Math.floor(this.framework.random() * ++ties) === 0) selected = i;
    }
    const node = nodes[selected];
    if (!node) throw new Error("empty priorityList");
    return node.name;
  }

  private assumeAndReserve(state: CycleState, pi: PodInfo, result: ScheduleResult): SchedulingOutcome {
    const host = result.suggestedHost;
    const assumed = this.cache.assumePod(pi, host);
    const s = this.framework.runReservePluginsReserve(state, assumed, host);
    if (s === null) return { kind: "scheduled", result, state, assumed };
    this.undoAssume(state, assumed, host);
    if (!s.isRejected()) return { kind: "error", error: new Error(s.message()) };
    const diagnosis = newDiagnosis();
    diagnosis.nodeToStatus.set(host, s);
    addPluginStatus(diagnosis, s);
    return { kind: "unschedulable", error: new FitError(pi.pod, 1, diagnosis) };
  }

  private undoAssume(state: CycleState, assumed: PodInfo, host: string): void {
    this.framework.runReservePluginsUnreserve(state, assumed, host);
    this.cache.forgetPod(assumed.key);
  }

  /** Runs PostFilter (preemption) and rebuilds the FitError with its message. */
  private handleFitError(state: CycleState, pi: PodInfo, e: FitError): SchedulingOutcome {
    if (!this.framework.hasPostFilterPlugins()) return { kind: "unschedulable", error: e };
    const out = this.framework.runPostFilterPlugins(state, pi, e.diagnosis.nodeToStatus);
    e.diagnosis.postFilterMsg = out.status.message();
    const error = new FitError(pi.pod, e.numAllNodes, e.diagnosis);
    if (!out.result) return { kind: "unschedulable", error };
    return { kind: "unschedulable", error, nominatedNodeName: out.result.nominatedNodeName, victims: out.result.victims };
  }
}
