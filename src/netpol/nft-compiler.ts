// Compiles the NetworkPolicies that select this node's pods into one nftables table, replaced
// atomically by `nft -f` (the script deletes and recreates the table in one transaction).
//
// Shape (inet family, in the node's network namespace, forward hook; ADR 0015):
//   forward: established/related → accept; `ip saddr vmap @egress` jumps to the source pod's
//   egress chain; `ip daddr vmap @ingress` to the destination pod's ingress chain. A pod that no
//   policy isolates for a direction has no entry, so the default is allow.
//   egress chains `return` when a rule allows (the ingress check still follows), ingress chains
//   `accept`; both end in a drop that bumps one named counter per isolating policy.
// Peer pod addresses live in named sets shared by every chain that uses them, and pods whose
// chains come out identical (replicas of one Deployment) share one chain, so the table grows with
// the number of distinct policies and peers, not pods × rules × peers.
import { formatIPv4Net } from "./ip-net.js";
import { isAddressable, podsOfPeer, policiesSelecting, portRanges, rulesOf, ipBlockContains, type PortRange } from "./policy-match.js";
import type { Direction, PeerView, PodView, PolicyCluster, PolicyView, RuleView } from "./policy-view.js";

export const POLICY_TABLE = "kubelite-policy";

/** Which policy and direction a drop counter stands for. */
export interface DropCounter {
  namespace: string;
  policy: string;
  direction: Direction;
}

export interface CompiledRuleset {
  /** The nft script: applying it replaces the whole table. */
  script: string;
  /** Drop counters by nft counter name. */
  counters: Map<string, DropCounter>;
}

const NFT_PROTOCOLS: Record<string, string> = { TCP: "tcp", UDP: "udp", SCTP: "sctp" };

/** Compiles the rules for `localPods` (this node's pods) against the whole cluster. */
export function compileRuleset(cluster: PolicyCluster, localPods: PodView[]): CompiledRuleset {
  const compiler = new Compiler(cluster);
  for (const pod of localPods) {
    if (!isAddressable(pod)) continue;
    compiler.addPod(pod);
  }
  return compiler.render();
}

class Compiler {
  private readonly sets = new Map<string, { name: string; declaration: string }>();
  private readonly chains = new Map<string, string>();
  private readonly chainBodies: string[] = [];
  private readonly counters = new Map<string, { name: string; counter: DropCounter }>();
  private readonly vmaps: Record<Direction, string[]> = { ingress: [], egress: [] };
  private readonly rules = new Map<RuleView, { peers: string[]; namedDestinations?: string }>();
  private readonly peerPods = new Map<string, PodView[]>();
  private readonly namedSets = new Map<string, string | undefined>();
  private everyPod?: PodView[];

  constructor(private readonly cluster: PolicyCluster) {}

  addPod(pod: PodView): void {
    const ips = pod.ips.filter(isIPv4);
    if (ips.length === 0) return;
    for (const direction of ["ingress", "egress"] as const) {
      const policies = policiesSelecting(this.cluster, pod, direction);
      if (policies.length === 0) continue;
      const chain = this.chainFor(pod, direction, policies);
      for (const ip of ips) this.vmaps[direction].push(`${ip} : jump ${chain}`);
    }
  }

  render(): CompiledRuleset {
    const lines = [`table inet ${POLICY_TABLE}`, `delete table inet ${POLICY_TABLE}`, `table inet ${POLICY_TABLE} {`];
    for (const { name } of this.counters.values()) lines.push(`  counter ${name} {}`);
    for (const { declaration } of this.sets.values()) lines.push(declaration);
    lines.push(...this.chainBodies);
    for (const direction of ["egress", "ingress"] as const) {
      const elements = this.vmaps[direction];
      lines.push(`  map ${direction} {`, "    type ipv4_addr : verdict", ...(elements.length > 0 ? [`    elements = { ${elements.join(", ")} }`] : []), "  }");
    }
    // With no pod isolated the hook stays empty: a `ct` rule would turn on connection tracking in
    // the namespace for nothing.
    const isolating = this.vmaps.egress.length + this.vmaps.ingress.length > 0;
    lines.push(
      "  chain forward {",
      "    type filter hook forward priority filter; policy accept;",
      ...(isolating ? ["    ct state established,related accept", "    ip saddr vmap @egress", "    ip daddr vmap @ingress"] : []),
      "  }",
      "}",
    );
    const counters = new Map([...this.counters.values()].map(({ name, counter }) => [name, counter]));
    return { script: lines.join("\n") + "\n", counters };
  }

  /** The chain deciding `direction` for the pod: allow rules of every isolating policy, then drop. */
  private chainFor(pod: PodView, direction: Direction, policies: PolicyView[]): string {
    const verdict = direction === "egress" ? "return" : "accept";
    const body: string[] = [];
    for (const policy of policies) {
      for (const rule of rulesOf(policy, direction)) body.push(...this.ruleLines(pod, policy, direction, rule).map((match) => `${match} ${verdict}`.trim()));
    }
    const counters = policies.map((policy) => `counter name ${this.counterFor(policy, direction)}`);
    body.push(`${counters.join(" ")} drop`);
    const key = `${direction}\n${body.join("\n")}`;
    let name = this.chains.get(key);
    if (!name) {
      name = `${direction === "egress" ? "e" : "i"}${this.chains.size}`;
      this.chains.set(key, name);
      this.chainBodies.push(`  chain ${name} {`, ...body.map((line) => `    ${line}`), "  }");
    }
    return name;
  }

  /** The nft matches (without verdict) of one rule for the pod; none when it can match nothing. */
  private ruleLines(pod: PodView, policy: PolicyView, direction: Direction, rule: RuleView): string[] {
    const compiled = this.compiledRule(policy, direction, rule);
    if (rule.ports.length === 0) return compiled.peers;
    const lines: string[] = [];
    // Ingress: every port entry resolves on this pod, the destination. Egress: numbers are the
    // same for every destination; names resolve per destination pod, in a set of their own.
    const resolvable = direction === "ingress" ? rule.ports : rule.ports.filter((p) => typeof p.port !== "string");
    const portMatches = portMatchesOf(resolvable.flatMap((p) => portRanges(p, pod)));
    for (const peer of portMatches.length > 0 ? compiled.peers : []) for (const port of portMatches) lines.push(`${peer} ${port}`.trim());
    if (compiled.namedDestinations) lines.push(compiled.namedDestinations);
    return lines;
  }

  /**
   * What a rule compiles to whatever pod it applies to: its peer matches and, for egress named
   * ports, the match on a set of destination address . protocol . port. Computed once per compile.
   */
  private compiledRule(policy: PolicyView, direction: Direction, rule: RuleView): { peers: string[]; namedDestinations?: string } {
    let compiled = this.rules.get(rule);
    if (compiled) return compiled;
    const field = direction === "ingress" ? "saddr" : "daddr";
    const named = direction === "egress" ? rule.ports.filter((p) => typeof p.port === "string") : [];
    // Peer matches serve the port entries that are the same for every peer (all of them but egress names).
    const needsPeers = rule.ports.length === 0 || named.length < rule.ports.length;
    compiled = { peers: !needsPeers ? [] : rule.peers.length === 0 ? [""] : rule.peers.flatMap((peer) => this.peerMatch(peer, policy, field)) };
    if (named.length > 0) {
      const set = this.namedDestinationSet(rule, policy, named);
      if (set) compiled.namedDestinations = `ip daddr . meta l4proto . th dport @${set}`;
    }
    this.rules.set(rule, compiled);
    return compiled;
  }

  /** The set of address . protocol . port for named ports on each destination; shared by equal rules. */
  private namedDestinationSet(rule: RuleView, policy: PolicyView, named: RuleView["ports"]): string | undefined {
    const peersKey = rule.peers.map((peer) => (peer.kind === "ipBlock" ? `ip:${peer.text}:${peer.except.map((e) => e.base).join(",")}` : `${policy.namespace}:${peer.namespaceSelector?.toString()}:${peer.podSelector?.toString()}`));
    const key = `${peersKey.join("|")}\n${named.map((p) => `${p.protocol}/${String(p.port)}`).join(",")}`;
    if (this.namedSets.has(key)) return this.namedSets.get(key);
    const elements = this.destinations(rule, policy).flatMap((dst) =>
      named.flatMap((p) => portRanges(p, dst).flatMap((r) => dst.ips.filter(isIPv4).map((ip) => `${ip} . ${NFT_PROTOCOLS[r.protocol] ?? "tcp"} . ${r.from}`))),
    );
    const set = elements.length > 0 ? this.set("ipv4_addr . inet_proto . inet_service", elements, false) : undefined;
    this.namedSets.set(key, set);
    return set;
  }

  /** Destination pods of an egress rule (for named ports): its peers' pods, or every pod. */
  private destinations(rule: RuleView, policy: PolicyView): PodView[] {
    if (rule.peers.length === 0) return this.allPods();
    return rule.peers.flatMap((peer) => (peer.kind === "pods" ? this.podsOf(peer, policy.namespace) : this.allPods().filter((pod) => pod.ips.some((ip) => ipBlockContains(peer, ip)))));
  }

  private allPods(): PodView[] {
    this.everyPod ??= this.cluster.namespaces().flatMap((ns) => this.cluster.podsIn(ns)).filter(isAddressable);
    return this.everyPod;
  }

  /** A pods peer's pods, once per distinct (namespace, selectors) in a compile: policies repeat peers. */
  private podsOf(peer: Extract<PeerView, { kind: "pods" }>, namespace: string): PodView[] {
    const key = `${peer.namespaceSelector ? `ns:${peer.namespaceSelector.toString()}` : namespace}\n${peer.podSelector?.toString() ?? "*"}`;
    let pods = this.peerPods.get(key);
    if (!pods) this.peerPods.set(key, (pods = podsOfPeer(this.cluster, peer, namespace)));
    return pods;
  }

  private peerMatch(peer: PeerView, policy: PolicyView, field: "saddr" | "daddr"): string[] {
    if (peer.kind === "ipBlock") {
      if (peer.cidr.family !== 4) return [];
      const except = peer.except.filter((net) => net.family === 4);
      return [`ip ${field} ${formatIPv4Net(peer.cidr)}${except.length > 0 ? ` ip ${field} != { ${except.map(formatIPv4Net).join(", ")} }` : ""}`];
    }
    const ips = [...new Set(this.podsOf(peer, policy.namespace).flatMap((pod) => pod.ips.filter(isIPv4)))].sort();
    return ips.length === 0 ? [] : [`ip ${field} @${this.set("ipv4_addr", ips, true)}`];
  }

  /** A named set with these elements, shared by every rule asking for the same ones. */
  private set(type: string, elements: string[], interval: boolean): string {
    const key = `${type}\n${elements.join(",")}`;
    let entry = this.sets.get(key);
    if (!entry) {
      const name = `s${this.sets.size}`;
      const flags = interval ? "; flags interval; auto-merge" : "";
      entry = { name, declaration: `  set ${name} { type ${type}${flags}; elements = { ${[...new Set(elements)].join(", ")} } }` };
      this.sets.set(key, entry);
    }
    return entry.name;
  }

  private counterFor(policy: PolicyView, direction: Direction): string {
    const key = `${policy.namespace}/${policy.name}/${direction}`;
    let entry = this.counters.get(key);
    if (!entry) {
      entry = { name: `drop${this.counters.size}`, counter: { namespace: policy.namespace, policy: policy.name, direction } };
      this.counters.set(key, entry);
    }
    return entry.name;
  }
}

/** nft port matches for ranges: one per protocol, merged; "meta l4proto X" for a whole protocol. */
function portMatchesOf(ranges: PortRange[]): string[] {
  const byProtocol = new Map<string, PortRange[]>();
  for (const r of ranges) byProtocol.set(r.protocol, [...(byProtocol.get(r.protocol) ?? []), r]);
  const matches: string[] = [];
  for (const [protocol, list] of [...byProtocol].sort()) {
    const proto = NFT_PROTOCOLS[protocol];
    if (!proto) continue;
    const merged = mergeRanges(list);
    if (merged.length === 1 && merged[0]!.from <= 1 && merged[0]!.to >= 65535) {
      matches.push(`meta l4proto ${proto}`);
      continue;
    }
    const items = merged.map((r) => (r.from === r.to ? `${r.from}` : `${r.from}-${r.to}`));
    matches.push(`${proto} dport ${items.length === 1 ? items[0] : `{ ${items.join(", ")} }`}`);
  }
  return matches;
}

function mergeRanges(ranges: PortRange[]): PortRange[] {
  const sorted = [...ranges].sort((a, b) => a.from - b.from);
  const merged: PortRange[] = [];
  for (const r of sorted) {
    const last = merged.at(-1);
    if (last && r.from <= last.to + 1) last.to = Math.max(last.to, r.to);
    else merged.push({ ...r });
  }
  return merged;
}

function isIPv4(ip: string): boolean {
  return /^\d+\.\d+\.\d+\.\d+$/.test(ip);
}
