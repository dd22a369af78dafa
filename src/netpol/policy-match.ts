// NetworkPolicy semantics in one place, shared by the node's nftables compiler and `kubelite why`:
// which policies select a pod for a direction, which pods and addresses a peer stands for, and
// which ports a rule's port entry allows on a given pod (named ports resolved per pod).
//
// Upstream rules mirrored (networking/v1 NetworkPolicy docs):
// - a policy selects pods in its own namespace by spec.podSelector ({} = all of them), for the
//   directions in policyTypes; a pod selected by any policy for a direction is isolated for it,
//   and then only what some rule of some selecting policy allows gets through (a union);
// - a peer with only podSelector means pods of the policy's namespace; only namespaceSelector, all
//   pods of matching namespaces; both, matching pods in matching namespaces; ipBlock, addresses
//   in cidr but not in any except;
// - a rule with no peers matches every peer, with no ports every port; a port entry without a
//   port matches every port of its protocol; endPort makes a range; a named port is looked up in
//   the destination pod's container ports (with the same protocol).
import type { Labels } from "../api/label-selector.js";
import { netContains } from "./ip-net.js";
import type { Direction, PeerView, PodView, PolicyCluster, PolicyView, PortView, RuleView } from "./policy-view.js";

export function policySelectsPod(policy: PolicyView, pod: PodView): boolean {
  return policy.namespace === pod.namespace && policy.podSelector.matches(pod.labels);
}

/** The policies isolating the pod for the direction, in name order. */
export function policiesSelecting(cluster: PolicyCluster, pod: PodView, direction: Direction): PolicyView[] {
  if (pod.hostNetwork) return []; // upstream: host-network pods are not subject to NetworkPolicy
  return cluster
    .policiesIn(pod.namespace)
    .filter((policy) => policy.types.has(direction) && policySelectsPod(policy, pod))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export function rulesOf(policy: PolicyView, direction: Direction): RuleView[] {
  return direction === "ingress" ? policy.ingress : policy.egress;
}

/** Whether a pods-kind peer selects the pod (namespace labels looked up in the cluster). */
export function peerSelectsPod(peer: PeerView, policyNamespace: string, pod: PodView, namespaceLabels: Labels | undefined): boolean {
  if (peer.kind === "ipBlock") return pod.ips.some((ip) => ipBlockContains(peer, ip));
  if (peer.namespaceSelector) {
    if (!peer.namespaceSelector.matches(namespaceLabels ?? {})) return false;
  } else if (pod.namespace !== policyNamespace) {
    return false;
  }
  return peer.podSelector ? peer.podSelector.matches(pod.labels) : true;
}

export function ipBlockContains(peer: Extract<PeerView, { kind: "ipBlock" }>, ip: string): boolean {
  return netContains(peer.cidr, ip) && !peer.except.some((net) => netContains(net, ip));
}

/** The pods (with addresses, not terminated, not host-network) a pods-kind peer stands for. */
export function podsOfPeer(cluster: PolicyCluster, peer: Extract<PeerView, { kind: "pods" }>, policyNamespace: string): PodView[] {
  const namespaces = peer.namespaceSelector ? cluster.namespaces().filter((ns) => peer.namespaceSelector!.matches(cluster.namespaceLabels(ns) ?? {})) : [policyNamespace];
  return namespaces.flatMap((ns) => cluster.podsIn(ns).filter((pod) => isAddressable(pod) && (!peer.podSelector || peer.podSelector.matches(pod.labels))));
}

export function isAddressable(pod: PodView): boolean {
  return pod.ips.length > 0 && !pod.terminated && !pod.hostNetwork;
}

/** A concrete port range a port entry allows on a pod: [from, to] of one protocol. */
export interface PortRange {
  protocol: string;
  from: number;
  to: number;
}

/**
 * The ranges a port entry allows on `pod` (the destination): all ports (1-65535) without a port,
 * the range with endPort, the container port for a name, nothing for a name the pod lacks.
 */
export function portRanges(port: PortView, pod: PodView | undefined): PortRange[] {
  const protocol = port.protocol;
  if (port.port === undefined) return [{ protocol, from: 1, to: 65535 }];
  if (typeof port.port === "number") return [{ protocol, from: port.port, to: port.endPort ?? port.port }];
  const named = resolveNamedPort(pod, port.port, protocol);
  return named === undefined ? [] : [{ protocol, from: named, to: named }];
}

export function resolveNamedPort(pod: PodView | undefined, name: string, protocol: string): number | undefined {
  return pod?.ports.find((p) => p.name === name && p.protocol === protocol)?.containerPort;
}

/** Whether one port entry allows protocol/port to `pod`. */
export function portEntryAllows(port: PortView, pod: PodView | undefined, protocol: string, number: number): boolean {
  return portRanges(port, pod).some((r) => r.protocol === protocol && number >= r.from && number <= r.to);
}

export function describePort(port: PortView): string {
  if (port.port === undefined) return `any ${port.protocol} port`;
  return `${port.protocol}/${port.port}${port.endPort !== undefined ? `-${port.endPort}` : ""}`;
}
