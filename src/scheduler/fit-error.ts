// Why a pod fits no node (upstream framework.NodeToStatus, Diagnosis and FitError, v1.32): each
// rejected node's status, a status for nodes never evaluated, and the PreFilter and PostFilter
// messages. FitError's message is upstream's exactly: "0/3 nodes are available: 1 Insufficient cpu,
// 2 node(s) had untolerated taint {dedicated: gpu}. preemption: 0/3 nodes are available: 3
// Preemption is not helpful for scheduling." — reasons counted over nodes, "count reason" sorted as strings.
import type { NodeInfo } from "./node-info.js";
import type { Pod } from "./api-types.js";
import { type Code, Status } from "./status.js";

/** upstream NoNodeAvailableMsg. */
export const NO_NODE_AVAILABLE_MSG = "0/%v nodes are available";

/** upstream ErrNoNodesAvailable. */
export class NoNodesAvailableError extends Error {
  constructor() {
    super("no nodes available to schedule pods");
  }
}

export class NodeToStatus {
  private readonly statuses = new Map<string, Status>();
  /** The status of nodes not in the map (upstream default: UnschedulableAndUnresolvable, no reasons). */
  absentNodesStatus: Status = Status.unresolvable();

  get(nodeName: string): Status {
    return this.statuses.get(nodeName) ?? this.absentNodesStatus;
  }

  set(nodeName: string, status: Status): void {
    this.statuses.set(nodeName, status);
  }

  get size(): number {
    return this.statuses.size;
  }

  /** The explicitly recorded statuses. */
  values(): Status[] {
    return [...this.statuses.values()];
  }

  forEachExplicitNode(fn: (nodeName: string, status: Status) => void): void {
    for (const [name, s] of this.statuses) fn(name, s);
  }

  /** Nodes whose status (explicit or absent) has code (upstream NodesForStatusCode). */
  nodesForStatusCode(allNodes: readonly NodeInfo[], code: Code): NodeInfo[] {
    if (this.absentNodesStatus.code === code) return allNodes.filter((n) => this.get(n.name).code === code);
    return allNodes.filter((n) => this.statuses.get(n.name)?.code === code);
  }
}

export interface Diagnosis {
  readonly nodeToStatus: NodeToStatus;
  /** Plugins that rejected the pod somewhere (upstream UnschedulablePlugins). */
  readonly unschedulablePlugins: Set<string>;
  preFilterMsg: string;
  postFilterMsg: string;
}

export function newDiagnosis(): Diagnosis {
  return { nodeToStatus: new NodeToStatus(), unschedulablePlugins: new Set(), preFilterMsg: "", postFilterMsg: "" };
}

/** upstream Diagnosis.AddPluginStatus. */
export function addPluginStatus(d: Diagnosis, s: Status): void {
  if (s.plugin !== "" && s.isRejected()) d.unschedulablePlugins.add(s.plugin);
}

export class FitError extends Error {
  override readonly name = "FitError";

  constructor(readonly pod: Pod, readonly numAllNodes: number, readonly diagnosis: Diagnosis) {
    super(fitErrorMessage(numAllNodes, diagnosis));
  }
}

/** upstream FitError.Error(): "0/N nodes are available: <PreFilterMsg>. <FilterMsg>. <PostFilterMsg>" */
export function fitErrorMessage(numAllNodes: number, d: Diagnosis): string {
  let msg = `${NO_NODE_AVAILABLE_MSG.replace("%v", String(numAllNodes))}:`;
  if (d.preFilterMsg !== "") msg += ` ${d.preFilterMsg}.`;
  else {
    const histogram = reasonHistogram(numAllNodes, d.nodeToStatus);
    if (histogram.length > 0) msg += ` ${histogram.join(", ")}.`;
  }
  if (d.postFilterMsg !== "") msg += ` ${d.postFilterMsg}`;
  return msg;
}

function reasonHistogram(numAllNodes: number, m: NodeToStatus): string[] {
  const counts = new Map<string, number>();
  m.forEachExplicitNode((_, s) => {
    for (const r of s.reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  });
  if (m.size < numAllNodes) {
    for (const r of m.absentNodesStatus.reasons) counts.set(r, (counts.get(r) ?? 0) + numAllNodes - m.size);
  }
  // Go's sort.Strings: byte-wise order of the "count reason" strings.
  return [...counts].map(([r, n]) => `${n} ${r}`).sort(compareBytes);
}

function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
