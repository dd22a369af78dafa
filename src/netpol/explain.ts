// Plain-words explanations of a connection verdict, for `kubelite why traffic`: the policy and
// rule that allowed each direction, or the policies that isolate the pod and why none of their
// rules matched, or that no policy selects the pod (default allow).
import type { ConnectionVerdict, DirectionVerdict } from "./evaluate.js";

export function explainVerdict(verdict: ConnectionVerdict, what: string): string[] {
  const lines = [`${verdict.allowed ? "ALLOWED" : "BLOCKED"}: ${what}`];
  for (const direction of [verdict.egress, verdict.ingress]) lines.push(...explainDirection(direction).map((line, i) => (i === 0 ? `  ${line}` : `    ${line}`)));
  return lines;
}

export function explainDirection(verdict: DirectionVerdict): string[] {
  const { direction, pod } = verdict;
  const label = direction === "egress" ? "egress (leaving the source)" : "ingress (entering the destination)";
  if (!pod) return [`${label}: allowed: the ${direction === "egress" ? "source" : "destination"} is not a pod, so no policy applies to it`];
  if (pod.hostNetwork) return [`${label}: allowed: pod ${pod.name} uses the host's network, which NetworkPolicy does not cover`];
  if (verdict.isolatedBy.length === 0) return [`${label}: allowed: no policy selects pod ${pod.name} for ${direction}: default allow`];
  if (verdict.allowedBy) {
    const { policy, index } = verdict.allowedBy;
    return [`${label}: allowed by networkpolicy/${policy.name} ${direction} rule ${index + 1} (spec.${direction}[${index}])`];
  }
  const names = verdict.isolatedBy.map((p) => `networkpolicy/${p.name}`).join(", ");
  const lines = [`${label}: blocked: pod ${pod.name} is selected for ${direction} by ${names}, and no rule of ${verdict.isolatedBy.length > 1 ? "them" : "it"} allows this`];
  for (const policy of verdict.isolatedBy) {
    const misses = verdict.misses.filter((m) => m.rule.policy === policy);
    if (misses.length === 0) lines.push(`networkpolicy/${policy.name} has no ${direction} rules: it denies all ${direction} of the pods it selects`);
    for (const miss of misses) lines.push(`networkpolicy/${policy.name} ${direction} rule ${miss.rule.index + 1}: ${miss.reason}`);
  }
  return lines;
}
