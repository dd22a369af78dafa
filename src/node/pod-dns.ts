// The resolver configuration a pod gets, as the kubelet's GetPodDNS computes it from dnsPolicy:
// - ClusterFirst (the default): the cluster DNS address, search `<ns>.svc.<domain> svc.<domain>
//   <domain>` plus the host's search domains, `options ndots:5`. A hostNetwork pod falls back to
//   Default, as upstream does.
// - ClusterFirstWithHostNet: ClusterFirst for hostNetwork pods too. Here the cluster DNS address
//   exists only inside the node's network namespace: from the host's namespace a packet to it would
//   follow the default route off the machine, so hostNetwork pods get the host's resolvers instead.
// - Default: the host's resolv.conf.
// - None: nothing but spec.dnsConfig.
// spec.dnsConfig is then merged in: nameservers and searches appended without duplicates, options
// overriding by name. Without a cluster DNS address (no isolated pod network) ClusterFirst also
// falls back to Default, as a kubelet without --cluster-dns does.
import { readFileSync } from "node:fs";
import { HOST_RESOLV_CONF, parseResolvConf, type ResolvConf } from "../dns/resolv-conf.js";
import type { NetworkMode } from "./network/pod-network.js";
import type { DnsConfig } from "./runtime/runtime.js";

export interface PodDnsSettings {
  /** The cluster DNS server pods can reach (empty: none reachable, ClusterFirst falls back to Default). */
  clusterDNS: string[];
  clusterDomain: string;
  /** The host's resolv.conf (dnsPolicy Default). */
  host: ResolvConf;
}

export interface PodDnsSpec {
  namespace: string;
  hostNetwork?: boolean;
  dnsPolicy?: string;
  dnsConfig?: { nameservers?: string[]; searches?: string[]; options?: { name: string; value?: string }[] };
}

/** upstream validation.MaxDNSSearchPaths: the kubelet drops search domains past this many. */
const MAX_SEARCHES = 32;

export function podDnsConfig(pod: PodDnsSpec, settings: PodDnsSettings): DnsConfig {
  const base = baseConfig(pod, settings);
  const extra = pod.dnsConfig;
  if (!extra) return base;
  return {
    nameservers: unique([...base.nameservers, ...(extra.nameservers ?? [])]),
    searches: unique([...base.searches, ...(extra.searches ?? [])]).slice(0, MAX_SEARCHES),
    options: mergeOptions(base.options, (extra.options ?? []).map((o) => (o.value !== undefined && o.value !== "" ? `${o.name}:${o.value}` : o.name))),
  };
}

function baseConfig(pod: PodDnsSpec, settings: PodDnsSettings): DnsConfig {
  const policy = pod.dnsPolicy || "ClusterFirst";
  if (policy === "None") return { nameservers: [], searches: [], options: [] };
  const clusterFirst = (policy === "ClusterFirst" || policy === "ClusterFirstWithHostNet") && !pod.hostNetwork && settings.clusterDNS.length > 0;
  if (!clusterFirst) return { nameservers: [...settings.host.nameservers], searches: [...settings.host.searches], options: [...settings.host.options] };
  const domain = settings.clusterDomain;
  return {
    nameservers: [...settings.clusterDNS],
    searches: unique([`${pod.namespace}.svc.${domain}`, `svc.${domain}`, domain, ...settings.host.searches]).slice(0, MAX_SEARCHES),
    options: ["ndots:5"],
  };
}

function unique(values: string[]): string[] {
  return [...new Set(values.filter((v) => v !== ""))];
}

/** Options by name (the part before ':'), later ones replacing earlier ones in place. */
function mergeOptions(base: string[], extra: string[]): string[] {
  const byName = new Map<string, string>();
  for (const option of [...base, ...extra]) byName.set(option.split(":")[0] ?? option, option);
  return [...byName.values()];
}

/**
 * An agent's settings: the cluster DNS address only where pods can reach it (the isolated network;
 * in host mode it would be a packet off the machine), and the host's resolv.conf, read now.
 */
export function podDnsSettings(dns: { clusterDNS: string; clusterDomain: string } | undefined, mode: NetworkMode, hostFile = HOST_RESOLV_CONF): PodDnsSettings {
  let host: ResolvConf = { nameservers: [], searches: [], options: [] };
  try {
    host = parseResolvConf(readFileSync(hostFile, "utf8"));
  } catch {
    // No resolv.conf on the host: Default gives pods none either.
  }
  return { clusterDNS: dns && mode === "isolated" ? [dns.clusterDNS] : [], clusterDomain: dns?.clusterDomain ?? "cluster.local", host };
}
