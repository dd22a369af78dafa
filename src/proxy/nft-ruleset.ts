// Renders the node's service rules as one nftables table, `ip kubelite-services`, loaded whole with
// `nft -f` (one kernel transaction: the old table goes and the new one arrives atomically), in the
// shape of kube-proxy's nftables mode:
// - nat prerouting (pod traffic) and output (traffic from the node namespace itself, such as the
//   dial helper's) look the destination up in two verdict maps: cluster/external IP . protocol .
//   port, and, for the node's own addresses, protocol . node port. Each service port has a chain
//   that DNATs to one ready endpoint chosen by `numgen random`; with ClientIP affinity each
//   endpoint gets a chain and a timeout set of the clients that went there.
// - nat postrouting masquerades only hairpin traffic (a pod reaching itself through its service),
//   so pod-to-pod traffic keeps its real source address for NetworkPolicy.
// - filter input/forward/output reject new connections to service ports without endpoints, as
//   kube-proxy does, instead of letting them time out.
// Pure; each service's part is rendered once (renderService) and the table joins the parts.
import type { Backend, ServicePortRule } from "./service-rules.js";

export const TABLE = "kubelite-services";

export interface NftChain {
  name: string;
  statements: string[];
}

export interface NftSet {
  name: string;
  /** What goes between the braces: type, flags, timeout. */
  declaration: string;
}

/** One Service's share of the table. */
export interface RenderedService {
  chains: NftChain[];
  sets: NftSet[];
  serviceIPs: string[];
  nodePorts: string[];
  noEndpointServices: string[];
  noEndpointNodePorts: string[];
  endpointIPs: string[];
}

export function renderService(rules: readonly ServicePortRule[]): RenderedService {
  const out: RenderedService = { chains: [], sets: [], serviceIPs: [], nodePorts: [], noEndpointServices: [], noEndpointNodePorts: [], endpointIPs: [] };
  for (const given of rules) {
    // A loopback endpoint (the `kubernetes` Service's API server on the host) cannot be reached from a node namespace.
    const rule = { ...given, clusterBackends: routable(given.clusterBackends), externalBackends: routable(given.externalBackends) };
    const { protocol: proto, port } = rule;
    const affinity = rule.affinitySeconds !== undefined ? affinityChains(rule) : undefined;
    if (affinity) {
      out.sets.push(...affinity.sets);
      out.chains.push(...affinity.chains);
    }
    const dnat = (backends: Backend[]) => (affinity ? affinityDispatch(backends, affinity.chainOf) : dnatStatement(proto, backends));
    const clusterChain = `svc_${rule.id}`;
    if (rule.clusterBackends.length > 0) {
      out.chains.push({ name: clusterChain, statements: dnat(rule.clusterBackends) });
      for (const ip of rule.clusterIPs) out.serviceIPs.push(`${ip} . ${proto} . ${port} : goto ${clusterChain}`);
    } else {
      for (const ip of rule.clusterIPs) out.noEndpointServices.push(`${ip} . ${proto} . ${port}`);
    }
    const sameBackends = sameList(rule.clusterBackends, rule.externalBackends);
    const externalChain = sameBackends ? clusterChain : `ext_${rule.id}`;
    const exposed = rule.externalIPs.length > 0 || rule.nodePort !== undefined;
    if (exposed && rule.externalBackends.length > 0) {
      if (!sameBackends) out.chains.push({ name: externalChain, statements: dnat(rule.externalBackends) });
      for (const ip of rule.externalIPs) out.serviceIPs.push(`${ip} . ${proto} . ${port} : goto ${externalChain}`);
      if (rule.nodePort) out.nodePorts.push(`${proto} . ${rule.nodePort} : goto ${externalChain}`);
    } else {
      for (const ip of rule.externalIPs) out.noEndpointServices.push(`${ip} . ${proto} . ${port}`);
      if (rule.nodePort) out.noEndpointNodePorts.push(`${proto} . ${rule.nodePort}`);
    }
    for (const backend of [...rule.clusterBackends, ...rule.externalBackends]) out.endpointIPs.push(backend.ip);
  }
  return out;
}

/** The whole table; loading it replaces whatever the table held. */
export function renderTable(services: Iterable<RenderedService>): string {
  const serviceIPs: string[] = [];
  const nodePorts: string[] = [];
  const noEndpointServices: string[] = [];
  const noEndpointNodePorts: string[] = [];
  const chains: string[] = [];
  const hairpin = new Set<string>();
  for (const part of services) {
    serviceIPs.push(...part.serviceIPs);
    nodePorts.push(...part.nodePorts);
    noEndpointServices.push(...part.noEndpointServices);
    noEndpointNodePorts.push(...part.noEndpointNodePorts);
    for (const ip of part.endpointIPs) hairpin.add(hairpinPair(ip));
    for (const set of part.sets) chains.push(`  set ${set.name} { ${set.declaration} }\n`);
    for (const c of part.chains) chains.push(chain(c.name, c.statements));
  }
  return [
    `table ip ${TABLE}\n`,
    `delete table ip ${TABLE}\n`,
    `table ip ${TABLE} {\n`,
    collection("map", "service-ips", "ipv4_addr . inet_proto . inet_service : verdict", serviceIPs),
    collection("map", "node-ports", "inet_proto . inet_service : verdict", nodePorts),
    collection("set", "no-endpoint-services", "ipv4_addr . inet_proto . inet_service", noEndpointServices),
    collection("set", "no-endpoint-nodeports", "inet_proto . inet_service", noEndpointNodePorts),
    collection("set", "hairpin", "ipv4_addr . ipv4_addr", [...hairpin]),
    chain("services", ["ip daddr . meta l4proto . th dport vmap @service-ips", "fib daddr type local meta l4proto . th dport vmap @node-ports"]),
    chain("nat-prerouting", ["type nat hook prerouting priority -100; policy accept;", "jump services"]),
    chain("nat-output", ["type nat hook output priority -100; policy accept;", "jump services"]),
    chain("nat-postrouting", ["type nat hook postrouting priority 100; policy accept;", "ct status dnat ip saddr . ip daddr @hairpin masquerade"]),
    chain("endpoints-check", [
      "ip daddr . meta l4proto . th dport @no-endpoint-services reject",
      "fib daddr type local meta l4proto . th dport @no-endpoint-nodeports reject",
    ]),
    ...["input", "forward", "output"].map((hook) => chain(`filter-${hook}`, [`type filter hook ${hook} priority -10; policy accept;`, "ct state new jump endpoints-check"])),
    ...chains,
    "}\n",
  ].join("");
}

/** A set or map; a key given twice (two Services claiming one address and port) keeps its first entry, as one load must not fail for all. */
function collection(kind: "set" | "map", name: string, type: string, elements: string[]): string {
  const byKey = new Map<string, string>();
  for (const element of elements) {
    const key = element.split(" : ")[0]!;
    if (!byKey.has(key)) byKey.set(key, element);
  }
  const body = byKey.size > 0 ? ` elements = { ${[...byKey.values()].join(", ")} };` : "";
  return `  ${kind} ${name} { type ${type};${body} }\n`;
}

function chain(name: string, statements: string[]): string {
  return `  chain ${name} {\n${statements.map((s) => `    ${s}\n`).join("")}  }\n`;
}

function dnatStatement(proto: string, backends: Backend[]): string[] {
  if (backends.length === 1) return [`meta l4proto ${proto} dnat ip to ${backends[0]!.ip}:${backends[0]!.port}`];
  const entries = backends.map((b, i) => `${i} : ${b.ip} . ${b.port}`).join(", ");
  return [`meta l4proto ${proto} dnat ip to numgen random mod ${backends.length} map { ${entries} }`];
}

/** One chain and one client set per endpoint (of the cluster and external lists together). */
function affinityChains(rule: ServicePortRule): { sets: NftSet[]; chains: NftChain[]; chainOf: (b: Backend) => string } {
  const index = new Map<string, number>();
  for (const b of [...rule.clusterBackends, ...rule.externalBackends]) if (!index.has(key(b))) index.set(key(b), index.size);
  const sets: NftSet[] = [];
  const chains: NftChain[] = [];
  for (const [backend, i] of index) {
    const set = `aff_${rule.id}_${i}`;
    sets.push({ name: set, declaration: `type ipv4_addr; flags dynamic,timeout; timeout ${rule.affinitySeconds}s;` });
    chains.push({ name: `ep_${rule.id}_${i}`, statements: [`update @${set} { ip saddr }`, `meta l4proto ${rule.protocol} dnat ip to ${backend}`] });
  }
  return { sets, chains, chainOf: (b) => `${rule.id}_${index.get(key(b))}` };
}

/** Clients seen before go back to their endpoint; others get a random one. */
function affinityDispatch(backends: Backend[], chainOf: (b: Backend) => string): string[] {
  const sticky = backends.map((b) => `ip saddr @aff_${chainOf(b)} goto ep_${chainOf(b)}`);
  const entries = backends.map((b, i) => `${i} : goto ep_${chainOf(b)}`).join(", ");
  return [...sticky, `numgen random mod ${backends.length} vmap { ${entries} }`];
}

function routable(backends: Backend[]): Backend[] {
  return backends.filter((b) => !b.ip.startsWith("127."));
}

export function hairpinPair(ip: string): string {
  return `${ip} . ${ip}`;
}

function key(b: Backend): string {
  return `${b.ip}:${b.port}`;
}

function sameList(a: Backend[], b: Backend[]): boolean {
  return a.length === b.length && a.every((x, i) => key(x) === key(b[i]!));
}
