// The subsets of a core/v1 Endpoints object as the endpoints controller writes them (upstream
// pkg/api/v1/endpoints RepackSubsets and SortSubsets, and the controller's truncateEndpoints):
// one subset per pod and port is repacked into the fewest subsets, each a set of addresses sharing
// the same ports (an address both ready and not ready for a port counts as not ready), sorted so
// that equal content compares equal; beyond 1000 addresses the Endpoints are truncated (ready
// addresses kept first, spread over subsets in proportion; a subset left empty is dropped, as the
// API refuses it) and annotated over capacity. Pure.
import { canonicalJson } from "../canonical-json.js";

/** The most addresses an Endpoints object keeps (upstream maxCapacity). */
export const MAX_CAPACITY = 1000;

export interface EndpointAddress {
  ip: string;
  hostname?: string;
  nodeName?: string;
  targetRef?: { kind: string; namespace?: string; name?: string; uid?: string };
}

export interface EndpointPort {
  name?: string;
  port: number;
  protocol?: string;
  appProtocol?: string;
}

export interface EndpointSubset {
  addresses?: EndpointAddress[];
  notReadyAddresses?: EndpointAddress[];
  ports?: EndpointPort[];
}

interface PortAddresses {
  port: EndpointPort | undefined;
  /** address key → ready */
  ready: Map<string, boolean>;
}

/** RepackSubsets. */
export function repackSubsets(subsets: readonly EndpointSubset[]): EndpointSubset[] {
  const allAddrs = new Map<string, EndpointAddress>();
  const byPort = new Map<string, PortAddresses>();
  for (const subset of subsets) {
    // Endpoints without ports are kept under a sentinel "no port".
    const ports: (EndpointPort | undefined)[] = subset.ports?.length ? subset.ports : [undefined];
    for (const port of ports) {
      const portKey = port ? canonicalJson(port) : "";
      let entry = byPort.get(portKey);
      if (!entry) byPort.set(portKey, (entry = { port, ready: new Map() }));
      for (const addr of subset.addresses ?? []) mapAddressByPort(addr, true, allAddrs, entry);
      for (const addr of subset.notReadyAddresses ?? []) mapAddressByPort(addr, false, allAddrs, entry);
    }
  }
  // Ports offered by the same set of addresses (with the same readiness) share a subset.
  const groups = new Map<string, { ready: Map<string, boolean>; ports: EndpointPort[] }>();
  for (const { port, ready } of byPort.values()) {
    const key = canonicalJson([...ready].sort(([a], [b]) => compare(a, b)));
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { ready, ports: [] }));
    if (port) group.ports.push(port);
  }
  const final = [...groups.values()].map(({ ready, ports }) => {
    const pick = (want: boolean) => [...ready].filter(([, r]) => r === want).map(([k]) => allAddrs.get(k) as EndpointAddress);
    return subsetOf(pick(true), pick(false), ports);
  });
  return sortSubsets(final);
}

function mapAddressByPort(addr: EndpointAddress, ready: boolean, allAddrs: Map<string, EndpointAddress>, entry: PortAddresses): void {
  // The same IP of two different pods is two addresses (attribution).
  const key = `${addr.ip}/${addr.targetRef?.uid ?? ""}`;
  if (!allAddrs.has(key)) allAddrs.set(key, addr);
  // Not ready always trumps ready.
  if (entry.ready.get(key) !== false) entry.ready.set(key, ready);
}

function subsetOf(addresses: EndpointAddress[], notReadyAddresses: EndpointAddress[], ports: EndpointPort[]): EndpointSubset {
  const subset: EndpointSubset = {};
  if (addresses.length > 0) subset.addresses = addresses;
  if (notReadyAddresses.length > 0) subset.notReadyAddresses = notReadyAddresses;
  if (ports.length > 0) subset.ports = ports;
  return subset;
}

/** SortSubsets: addresses by IP then pod uid, ports and subsets by content. */
export function sortSubsets(subsets: EndpointSubset[]): EndpointSubset[] {
  const byIPAndUID = (a: EndpointAddress, b: EndpointAddress) => compare(a.ip, b.ip) || compare(a.targetRef?.uid ?? "", b.targetRef?.uid ?? "");
  const sorted = subsets.map((s) => {
    const out: EndpointSubset = {};
    if (s.addresses) out.addresses = [...s.addresses].sort(byIPAndUID);
    if (s.notReadyAddresses) out.notReadyAddresses = [...s.notReadyAddresses].sort(byIPAndUID);
    if (s.ports) out.ports = [...s.ports].sort((a, b) => compare(canonicalJson(a), canonicalJson(b)));
    return out;
  });
  return sorted.sort((a, b) => compare(canonicalJson(a), canonicalJson(b)));
}

/** The number of addresses, ready and not. */
export function countAddresses(subsets: readonly EndpointSubset[]): number {
  return subsets.reduce((n, s) => n + (s.addresses?.length ?? 0) + (s.notReadyAddresses?.length ?? 0), 0);
}

/** truncateEndpoints: subsets cut to MAX_CAPACITY addresses, or undefined when they fit. */
export function truncateSubsets(subsets: readonly EndpointSubset[]): EndpointSubset[] | undefined {
  const totalReady = subsets.reduce((n, s) => n + (s.addresses?.length ?? 0), 0);
  const totalNotReady = subsets.reduce((n, s) => n + (s.notReadyAddresses?.length ?? 0), 0);
  if (totalReady + totalNotReady <= MAX_CAPACITY) return undefined;
  const truncateReady = totalReady > MAX_CAPACITY;
  const max = truncateReady ? MAX_CAPACITY : MAX_CAPACITY - totalReady;
  const numTotal = truncateReady ? totalReady : totalNotReady;
  let canBeAdded = max;
  return subsets.map((subset) => {
    const inSubset = truncateReady ? (subset.addresses?.length ?? 0) : (subset.notReadyAddresses?.length ?? 0);
    // Each subset keeps its share, rounded up; the last may get less.
    const toBeAdded = Math.min(Math.ceil((inSubset / numTotal) * max), canBeAdded);
    if (truncateReady) {
      const addresses = (subset.addresses ?? []).slice(0, toBeAdded);
      canBeAdded -= addresses.length;
      return subsetOf(addresses, [], subset.ports ?? []);
    }
    const notReady = (subset.notReadyAddresses ?? []).slice(0, toBeAdded);
    canBeAdded -= notReady.length;
    return subsetOf(subset.addresses ?? [], notReady, subset.ports ?? []);
  }).filter((s) => s.addresses !== undefined || s.notReadyAddresses !== undefined);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
