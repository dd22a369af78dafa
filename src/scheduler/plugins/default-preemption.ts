// DefaultPreemption (upstream plugins/defaultpreemption): the PostFilter that, when a pod fits no
// node, finds the node where evicting lower-priority pods makes room, sparing pods a
// PodDisruptionBudget protects where it can. It only decides: the result names the node to nominate
// and the victims; the caller evicts them. Its message is prefixed "preemption: ", as upstream.
import type { CycleState } from "../cycle-state.js";
import type { NodeToStatus } from "../fit-error.js";
import type { Handle, PluginArgs, PluginFactory, PostFilterOutcome, PostFilterPlugin } from "../framework.js";
import type { PodInfo } from "../pod-info.js";
import { Evaluator } from "../preemption.js";
import { Status } from "../status.js";
import { numberArg } from "./plugin-args.js";

export const DEFAULT_PREEMPTION = "DefaultPreemption";

export class DefaultPreemption implements PostFilterPlugin {
  readonly name = DEFAULT_PREEMPTION;
  private readonly evaluator: Evaluator;

  constructor(handle: Handle, minCandidateNodesPercentage: number, minCandidateNodesAbsolute: number) {
    this.evaluator = new Evaluator(handle, { minCandidateNodesPercentage, minCandidateNodesAbsolute });
  }

  postFilter(state: CycleState, pod: PodInfo, m: NodeToStatus): PostFilterOutcome {
    const out = this.evaluator.preempt(state, pod, m);
    const msg = out.status.message();
    if (msg === "") return out;
    return { result: out.result, status: Status.of(out.status.code, `preemption: ${msg}`) };
  }
}

/** args: { minCandidateNodesPercentage?: 0–100 (10), minCandidateNodesAbsolute?: ≥ 0 (100) }. */
export const newDefaultPreemption: PluginFactory = (handle, args: PluginArgs | undefined) => {
  const pct = numberArg(args, "minCandidateNodesPercentage", 10);
  const abs = numberArg(args, "minCandidateNodesAbsolute", 100);
  if (pct < 0 || pct > 100) throw new Error(`minCandidateNodesPercentage: Invalid value: ${pct}: not in valid range [0, 100]`);
  if (abs < 0) throw new Error(`minCandidateNodesAbsolute: Invalid value: ${abs}: not in valid range [0, inf)`);
  return new DefaultPreemption(handle, pct, abs);
};
