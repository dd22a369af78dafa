// The first three rules of upstream's pod deletion orderings (ActivePods.Less and
// ActivePodsWithRanks.Less in pkg/controller/controller_utils.go), which the Job and ReplicaSet
// controllers share before their orderings part ways: unassigned before assigned to a node, then
// Pending before Unknown before Running, then not ready before ready.
import { isPodReady, type Pod } from "./pods.js";

const PHASE_ORDINAL: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

/** Whether pi goes before pj by node assignment, phase and readiness; undefined when all three tie. */
export function lessByNodePhaseReadiness(pi: Pod, pj: Pod): boolean | undefined {
  const nodeI = pi.spec?.nodeName ?? "";
  const nodeJ = pj.spec?.nodeName ?? "";
  if (nodeI !== nodeJ && (nodeI === "" || nodeJ === "")) return nodeI === "";
  const phaseI = PHASE_ORDINAL[pi.status?.phase ?? ""] ?? 0;
  const phaseJ = PHASE_ORDINAL[pj.status?.phase ?? ""] ?? 0;
  if (phaseI !== phaseJ) return phaseI < phaseJ;
  if (isPodReady(pi) !== isPodReady(pj)) return !isPodReady(pi);
  return undefined;
}
