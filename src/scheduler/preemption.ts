// Preemption's decision (upstream framework/preemption Evaluator with DefaultPreemption's victim
// selection, v1.32), without side effects: on the nodes where the pod failed as Unschedulable (not
// UnschedulableAndUnresolvable), remove every lower-priority pod in a dry run, check the pod fits,
// then put back as many as still fit, most important first, those a PodDisruptionBudget protects before
// the others; among the nodes that work, pick the one with the fewest budget violations, then the
// lowest highest-priority victim, then the lowest priority sum, then the fewest victims. A violation is
// allowed when nothing else makes room, as upstream. The caller evicts the victims and records the
// nomination.
import type { PodDisruptionBudget } from "./api-types.js";
import type { CycleState } from "./cycle-state.js";
import { filterPodsWithPDBViolation } from "./disruption-budgets.js";
import { fitErrorMessage, newDiagnosis, NodeToStatus } from "./fit-error.js";
import type { Handle, PostFilterOutcome } from "./framework.js";
import type { NodeInfo } from "./node-info.js";
import type { PodInfo } from "./pod-info.js";
import { Status } from "./status.js";

export const ERR_PREEMPTION_NOT_HELPFUL = "Preemption is not helpful for scheduling";
export const ERR_NO_VICTIMS = "No preemption victims found for incoming pod";

export interface PreemptionArgs {
  /** Share of the potential nodes to dry-run before stopping (upstream default 10). */
  readonly minCandidateNodesPercentage: number;
  /** At least this many (upstream default 100). */
  readonly minCandidateNodesAbsolute: number;
}

export interface Candidate {
  readonly name: string;
  /** Most important first. */
  readonly victims: readonly PodInfo[];
  /** Victims whose eviction exceeds a PodDisruptionBudget. */
  readonly numPDBViolations: number;
}

export class Evaluator {
  constructor(private readonly handle: Handle, private readonly args: PreemptionArgs) {}

  /** upstream Evaluator.Preempt (its message gets "preemption: " from the plugin). */
  preempt(state: CycleState, pod: PodInfo, m: NodeToStatus): PostFilterOutcome {
    const notEligible = this.podEligibleToPreemptOthers(pod, m);
    if (notEligible) return { status: Status.unschedulable(notEligible) };
    const allNodes = this.handle.snapshot.nodeInfoList();
    if (allNodes.length === 0) return { status: Status.error("no nodes available") };
    const potential = m.nodesForStatusCode(allNodes, "Unschedulable");
    const { candidates, statuses } = this.dryRunPreemption(state, pod, potential);
    if (candidates.length === 0) {
      const errors = statuses.values().filter((s) => s.code === "Error");
      if (errors.length > 0) return { status: Status.error(errors.map((s) => s.message()).join(", ")) };
      statuses.absentNodesStatus = Status.unresolvable(ERR_PREEMPTION_NOT_HELPFUL);
      const diagnosis = { ...newDiagnosis(), nodeToStatus: statuses };
      return { result: { nominatedNodeName: "", victims: [] }, status: Status.unschedulable(fitErrorMessage(allNodes.length, diagnosis)) };
    }
    const best = selectCandidate(candidates);
    return { result: { nominatedNodeName: best.name, victims: best.victims }, status: Status.success() };
  }

  /** upstream PodEligibleToPreemptOthers: a reason the pod may not preempt, or undefined. */
  podEligibleToPreemptOthers(pod: PodInfo, m: NodeToStatus): string | undefined {
    if (pod.pod.spec?.preemptionPolicy === "Never") return "not eligible due to preemptionPolicy=Never.";
    const nominated = pod.nominatedNodeName();
    if (nominated === "" || m.get(nominated).code === "UnschedulableAndUnresolvable") return undefined;
    const ni = this.handle.snapshot.getNodeInfo(nominated);
    for (const p of ni?.pods.values() ?? []) {
      if (p.priority < pod.priority && p.terminating) return "not eligible due to a terminating pod on the nominated node.";
    }
    return undefined;
  }

  /**
   * upstream DryRunPreemption: from a random offset, until enough candidates are found and one of them
   * violates no budget; those come first.
   */
  dryRunPreemption(state: CycleState, pod: PodInfo, potential: readonly NodeInfo[]): { candidates: Candidate[]; statuses: NodeToStatus } {
    const statuses = new NodeToStatus();
    const nonViolating: Candidate[] = [];
    const violating: Candidate[] = [];
    const n = potential.length;
    if (n === 0) return { candidates: [], statuses };
    const pdbs = this.handle.snapshot.pdbs();
    const offset = Math.floor(this.handle.random() * n);
    const wanted = this.numCandidates(n);
    const enough = (): boolean => nonViolating.length > 0 && nonViolating.length + violating.length >= wanted;
    for (let i = 0; i < n && !enough(); i++) {
      const ni = potential[(offset + i) % n] as NodeInfo;
      const { victims, numPDBViolations, status } = this.hasLowerPriorityPods(ni, pod)
        ? this.selectVictimsOnNode(state.clone(), pod, ni.clone(), pdbs)
        : { victims: [], numPDBViolations: 0, status: Status.unresolvable(ERR_NO_VICTIMS) };
      if (status === null && victims.length > 0) (numPDBViolations === 0 ? nonViolating : violating).push({ name: ni.name, victims, numPDBViolations });
      else statuses.set(ni.name, status ?? Status.error(`expected at least one victim pod on node ${JSON.stringify(ni.name)}`));
    }
    return { candidates: [...nonViolating, ...violating], statuses };
  }

  /** Nodes without lower-priority pods need no dry run (nor copies of the node and state). */
  private hasLowerPriorityPods(ni: NodeInfo, pod: PodInfo): boolean {
    for (const p of ni.pods.values()) if (p.priority < pod.priority) return true;
    return false;
  }

  /** upstream calculateNumCandidates. */
  numCandidates(numNodes: number): number {
    const n = Math.trunc((numNodes * this.args.minCandidateNodesPercentage) / 100);
    return Math.min(Math.max(n, this.args.minCandidateNodesAbsolute), numNodes);
  }

  /**
   * upstream SelectVictimsOnNode: state and nodeInfo are this node's private copies. Victims a budget
   * protects are reprieved first, so another victim is taken in their place when one suffices.
   */
  selectVictimsOnNode(state: CycleState, pod: PodInfo, nodeInfo: NodeInfo, pdbs: readonly PodDisruptionBudget[]): VictimSelection {
    const potential = [...nodeInfo.pods.values()].filter((p) => p.priority < pod.priority);
    if (potential.length === 0) return { victims: [], numPDBViolations: 0, status: Status.unresolvable(ERR_NO_VICTIMS) };
    for (const p of potential) {
      nodeInfo.removePod(p);
      const s = this.handle.runPreFilterExtensionRemovePod(state, pod, p, nodeInfo);
      if (s) return { victims: [], numPDBViolations: 0, status: s };
    }
    const fits = this.handle.runFilterPluginsWithNominatedPods(state, pod, nodeInfo);
    if (fits !== null) return { victims: [], numPDBViolations: 0, status: fits };
    const { violating, nonViolating } = filterPodsWithPDBViolation(potential.sort(moreImportantFirst), pdbs);
    const victims: PodInfo[] = [];
    const reprieve = (p: PodInfo): boolean => {
      nodeInfo.addPod(p);
      this.handle.runPreFilterExtensionAddPod(state, pod, p, nodeInfo);
      if (this.handle.runFilterPluginsWithNominatedPods(state, pod, nodeInfo) === null) return true;
      nodeInfo.removePod(p);
      this.handle.runPreFilterExtensionRemovePod(state, pod, p, nodeInfo);
      victims.push(p);
      return false;
    };
    let numPDBViolations = 0;
    for (const p of violating) if (!reprieve(p)) numPDBViolations++;
    for (const p of nonViolating) reprieve(p);
    // Two passes may interleave importance: restore most important first.
    if (violating.length > 0 && nonViolating.length > 0) victims.sort(moreImportantFirst);
    return { victims, numPDBViolations, status: null };
  }
}

export interface VictimSelection {
  readonly victims: PodInfo[];
  readonly numPDBViolations: number;
  /** null: the pod fits once the victims are gone. */
  readonly status: Status | null;
}

/** upstream MoreImportantPod: higher priority, then earlier start. */
export function moreImportantFirst(a: PodInfo, b: PodInfo): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  return startTime(a) < startTime(b) ? -1 : startTime(a) > startTime(b) ? 1 : 0;
}

function startTime(p: PodInfo): string {
  return p.pod.status?.startTime ?? "~";
}

/** upstream pickOneNodeForPreemption: fewest budget violations first; the first of equals wins. */
export function selectCandidate(candidates: readonly Candidate[]): Candidate {
  const offset = 2 ** 31;
  const keys = (c: Candidate): number[] => [
    c.numPDBViolations,
    c.victims[0]?.priority ?? -offset,
    c.victims.reduce((sum, v) => sum + v.priority + offset, 0),
    c.victims.length,
  ];
  let best = candidates[0] as Candidate;
  let bestKeys = keys(best);
  for (const c of candidates.slice(1)) {
    const k = keys(c);
    const i = k.findIndex((v, j) => v !== bestKeys[j]);
    if (i >= 0 && (k[i] as number) < (bestKeys[i] as number)) [best, bestKeys] = [c, k];
  }
  return best;
}
