// What the cluster knows that DNS answers from: Services by name and by cluster IP, the ready
// endpoints of a Service (its EndpointSlices, by the kubernetes.io/service-name label), and pods by
// IP. Reads the shared informer caches through indexes, so a query costs a few map lookups,
// never a scan (150,000 pods). The caches are shared and frozen: nothing here mutates them.
import type { CacheReader, IndexFunc } from "../client/indexer.js";
import { keyFor } from "../client/indexer.js";
import { clusterIPs, podIPs, SERVICE_NAME_LABEL, type DnsEndpointSlice, type DnsPod, type DnsService } from "./objects.js";

const BY_CLUSTER_IP = "dns:clusterIP";
const BY_SERVICE = "dns:service";
const BY_ADDRESS = "dns:address";
export const POD_IP_INDEX = "dns:podIP";

/** The indexes ClusterRecords reads, per cache; register them before reading. */
export const DNS_INDEXES = {
  services: { [BY_CLUSTER_IP]: ((svc) => clusterIPs(svc as DnsService)) satisfies IndexFunc },
  slices: {
    [BY_SERVICE]: ((slice) => {
      const service = slice.metadata?.labels?.[SERVICE_NAME_LABEL];
      return service ? [keyFor(slice.metadata?.namespace, service)] : [];
    }) satisfies IndexFunc,
    [BY_ADDRESS]: ((slice) => ((slice as DnsEndpointSlice).endpoints ?? []).flatMap((e) => e.addresses)) satisfies IndexFunc,
  },
  pods: { [POD_IP_INDEX]: ((pod) => podIPs(pod as DnsPod)) satisfies IndexFunc },
};

export interface RecordSources {
  services: CacheReader;
  slices: CacheReader;
  /** Only looked up by IP (the server's DNS reads pods from the watch cache: WatchCachePods). */
  pods: Pick<CacheReader, "byIndex">;
}

/** A ready endpoint of a Service: its address, its DNS label (hostname or dashed IP), its ports by name. */
export interface ServiceEndpoint {
  ip: string;
  label: string;
  ports: { name: string; protocol: string; port: number }[];
}

export class ClusterRecords {
  constructor(private readonly sources: RecordSources) {}

  service(namespace: string, name: string): DnsService | undefined {
    return this.sources.services.get(keyFor(namespace, name)) as DnsService | undefined;
  }

  /** The Service's ready endpoints, one per address (the first slice that lists it wins). */
  readyEndpoints(namespace: string, service: string): ServiceEndpoint[] {
    const seen = new Map<string, ServiceEndpoint>();
    for (const slice of this.sources.slices.byIndex(BY_SERVICE, keyFor(namespace, service)) as DnsEndpointSlice[]) {
      const ports = (slice.ports ?? []).filter((p) => p.port !== undefined).map((p) => ({ name: p.name ?? "", protocol: p.protocol ?? "TCP", port: p.port ?? 0 }));
      for (const endpoint of slice.endpoints ?? []) {
        // A nil ready condition means ready (discovery/v1 EndpointConditions).
        if (endpoint.conditions?.ready === false) continue;
        for (const ip of endpoint.addresses) {
          if (!seen.has(ip)) seen.set(ip, { ip, label: endpoint.hostname || dashed(ip), ports });
        }
      }
    }
    return [...seen.values()];
  }

  /** Services whose cluster IP is ip. */
  servicesWithClusterIP(ip: string): DnsService[] {
    return this.sources.services.byIndex(BY_CLUSTER_IP, ip) as DnsService[];
  }

  /** The Service (namespace, name) and endpoint label of the first ready endpoint with this address. */
  endpointWithAddress(ip: string): { namespace: string; service: string; label: string } | undefined {
    for (const slice of this.sources.slices.byIndex(BY_ADDRESS, ip) as DnsEndpointSlice[]) {
      const service = slice.metadata.labels?.[SERVICE_NAME_LABEL];
      const endpoint = (slice.endpoints ?? []).find((e) => e.addresses.includes(ip) && e.conditions?.ready !== false);
      if (service && endpoint) return { namespace: slice.metadata.namespace ?? "", service, label: endpoint.hostname || dashed(ip) };
    }
    return undefined;
  }

  podsWithIP(ip: string): DnsPod[] {
    return this.sources.pods.byIndex(POD_IP_INDEX, ip) as DnsPod[];
  }
}

/** 10.42.0.5 → 10-42-0-5, the label an address gets in DNS names (IPv6: colons become dashes). */
export function dashed(ip: string): string {
  return ip.replaceAll(/[.:]/g, "-");
}

/** 10-42-0-5 → 10.42.0.5; undefined when the label is not a dashed IPv4 address. */
export function undashed(label: string): string | undefined {
  const parts = label.split("-");
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.map(Number).join(".");
}
