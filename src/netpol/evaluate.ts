// Decides whether one connection is allowed by the cluster's NetworkPolicies, and says why: the
// egress check on the source pod and the ingress check on the destination pod, each naming the
// policy and rule that allowed it, or the policies that isolate the pod when nothing did. This is
// what `kubelite why traffic` prints; the node's compiler applies the same predicates.
import { ipBlockContains, peerSelectsPod, policiesSelecting, portEntryAllows, rulesOf, describePort } from "./policy-match.js";
import type { Direction, PeerView, PodView, PolicyCluster, PolicyView, RuleView } from "./policy-view.js";

/** One end of a connection: a pod (and its address), or just an address. */
export interface Endpoint {
  pod?: PodView;
  ip: string;
}

export interface Connection {
  from: Endpoint;
  /** The destination after service translation: a pod's address. */
  to: Endpoint;
  protocol: string;
  port: number;
}

export interface RuleRef {
  policy: PolicyView;
  direction: Direction;
  /** 0-based, as in spec.ingress[i]. */
  index: number;
}

export interface DirectionVerdict {
  direction: Direction;
  /** The pod whose policies decide this direction (source for egress, destination for ingress). */
  pod?: PodView;
  /** Policies selecting the pod for this direction; none means the pod is not isolated. */
  isolatedBy: PolicyView[];
  allowed: boolean;
  allowedBy?: RuleRef;
  /** Why each rule of the isolating policies did not match. */
  misses: { rule: RuleRef; reason: string }[];
}

export interface ConnectionVerdict {
  allowed: boolean;
  egress: DirectionVerdict;
  ingress: DirectionVerdict;
}

export function evaluateConnection(cluster: PolicyCluster, connection: Connection): ConnectionVerdict {
  const egress = evaluateDirection(cluster, connection, "egress");
  const ingress = evaluateDirection(cluster, connection, "ingress");
  return { allowed: egress.allowed && ingress.allowed, egress, ingress };
}

function evaluateDirection(cluster: PolicyCluster, connection: Connection, direction: Direction): DirectionVerdict {
  const subject = direction === "egress" ? connection.from.pod : connection.to.pod;
  const peer = direction === "egress" ? connection.to : connection.from;
  const isolatedBy = subject ? policiesSelecting(cluster, subject, direction) : [];
  const verdict: DirectionVerdict = { direction, pod: subject, isolatedBy, allowed: isolatedBy.length === 0, misses: [] };
  for (const policy of isolatedBy) {
    for (const [index, rule] of rulesOf(policy, direction).entries()) {
      const ref = { policy, direction, index };
      const reason = ruleMiss(cluster, policy, direction, rule, peer, connection);
      if (reason === undefined) return { ...verdict, allowed: true, allowedBy: ref };
      verdict.misses.push({ rule: ref, reason });
    }
  }
  return verdict;
}

/** Undefined when the rule allows the connection; otherwise what did not match. */
function ruleMiss(cluster: PolicyCluster, policy: PolicyView, direction: Direction, rule: RuleView, peer: Endpoint, connection: Connection): string | undefined {
  if (rule.peers.length > 0 && !rule.peers.some((p) => peerMatches(cluster, p, policy.namespace, peer))) {
    const [role, field] = direction === "ingress" ? ["source", "from"] : ["destination", "to"];
    return `the ${role} ${describeEndpoint(peer)} matches none of its ${field} peers (${rule.peers.map(describePeer).join("; ")})`;
  }
  const destination = connection.to.pod;
  if (rule.ports.length > 0 && !rule.ports.some((p) => portEntryAllows(p, destination, connection.protocol, connection.port))) {
    return `port ${connection.protocol}/${connection.port} is not among its ports (${rule.ports.map(describePort).join(", ")})`;
  }
  return undefined;
}

function peerMatches(cluster: PolicyCluster, peer: PeerView, policyNamespace: string, endpoint: Endpoint): boolean {
  if (peer.kind === "ipBlock") return ipBlockContains(peer, endpoint.ip);
  // Pod selectors match pods only; an address outside the cluster's pods matches none.
  if (!endpoint.pod || endpoint.pod.hostNetwork) return false;
  return peerSelectsPod(peer, policyNamespace, endpoint.pod, cluster.namespaceLabels(endpoint.pod.namespace));
}

export function describeEndpoint(endpoint: Endpoint): string {
  return endpoint.pod ? `pod/${endpoint.pod.name} (namespace ${endpoint.pod.namespace}, ${endpoint.ip})` : endpoint.ip;
}

export function describePeer(peer: PeerView): string {
  if (peer.kind === "ipBlock") return `ipBlock ${peer.text}${peer.except.length > 0 ? ` except ${peer.except.length} block(s)` : ""}`;
  const parts: string[] = [];
  if (peer.namespaceSelector) parts.push(`namespaces ${peer.namespaceSelector.toString() || "(all)"}`);
  if (peer.podSelector) parts.push(`pods ${peer.podSelector.toString() || "(all)"}`);
  return parts.join(" and ");
}
