// The fields of Services, EndpointSlices and Pods that cluster DNS reads (core/v1 and
// discovery.k8s.io/v1), as typed views of the cached objects. Cached objects are shared and
// frozen: these are read-only views.
import type { KubeObject, ObjectMeta } from "../api/resource.js";

export interface DnsServicePort {
  name?: string;
  protocol?: string;
  port: number;
}

export interface DnsService extends KubeObject {
  metadata: ObjectMeta;
  spec?: {
    type?: string;
    clusterIP?: string;
    clusterIPs?: string[];
    externalName?: string;
    ports?: DnsServicePort[];
  };
}

export interface SliceEndpoint {
  addresses: string[];
  conditions?: { ready?: boolean | null };
  hostname?: string;
}

export interface DnsEndpointSlice extends KubeObject {
  metadata: ObjectMeta;
  addressType?: string;
  endpoints?: SliceEndpoint[] | null;
  ports?: { name?: string; protocol?: string; port?: number }[] | null;
}

export interface DnsPod extends KubeObject {
  metadata: ObjectMeta;
  status?: { podIP?: string; podIPs?: { ip: string }[] };
}

/** discovery.LabelServiceName: the Service an EndpointSlice belongs to. */
export const SERVICE_NAME_LABEL = "kubernetes.io/service-name";

export function isHeadless(service: DnsService): boolean {
  return service.spec?.clusterIP === "None";
}

/** The Service's cluster IPs (clusterIPs, or clusterIP when the list is absent); none when headless or unallocated. */
export function clusterIPs(service: DnsService): string[] {
  if (isHeadless(service) || service.spec?.type === "ExternalName") return [];
  const ips = service.spec?.clusterIPs?.length ? service.spec.clusterIPs : [service.spec?.clusterIP ?? ""];
  return ips.filter((ip) => ip !== "" && ip !== "None");
}

/** The pod's IPs (status.podIPs, or status.podIP when the list is absent). */
export function podIPs(pod: DnsPod): string[] {
  const ips = (pod.status?.podIPs ?? []).map((p) => p.ip).filter((ip) => ip !== "");
  if (ips.length > 0) return ips;
  return pod.status?.podIP ? [pod.status.podIP] : [];
}
