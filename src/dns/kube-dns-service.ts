// The kube-dns Service in kube-system, as every cluster has it: port 53 over UDP (dns) and TCP
// (dns-tcp) at the fixed cluster IP pods' resolv.conf names (10.43.0.10). It has no selector: the
// DNS server is not a pod. Its one EndpointSlice lists that same address, which is local to every
// node namespace (the node relay listens on it there), so a service proxy that DNATs the cluster
// IP to its endpoints delivers DNS to the relay of the node it runs on (ADR 0013). Made at server
// start when missing; an existing Service is left as the user has it.
import { StatusError } from "../api/errors.js";
import type { KubeObject } from "../api/resource.js";
import { CORE_V1, type Client } from "../client/client.js";
import { SERVICE_NAME_LABEL } from "./objects.js";

export const KUBE_DNS_NAMESPACE = "kube-system";
export const KUBE_DNS_NAME = "kube-dns";
const ENDPOINT_SLICES = { group: "discovery.k8s.io", version: "v1", resource: "endpointslices" };
/** discovery.LabelManagedBy, with this server as the manager. */
const MANAGED_BY = { "endpointslice.kubernetes.io/managed-by": "kubelite-cluster-dns" };
const LABELS = { "k8s-app": "kube-dns", "kubernetes.io/cluster-service": "true", "kubernetes.io/name": "KubeDNS" };

export async function ensureKubeDnsService(client: Client, clusterIP: string): Promise<void> {
  await createIfMissing(client, CORE_V1("services"), {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: KUBE_DNS_NAME, namespace: KUBE_DNS_NAMESPACE, labels: LABELS },
    spec: {
      type: "ClusterIP",
      clusterIP,
      clusterIPs: [clusterIP],
      ports: [
        { name: "dns", port: 53, protocol: "UDP", targetPort: 53 },
        { name: "dns-tcp", port: 53, protocol: "TCP", targetPort: 53 },
      ],
    },
  });
  await createIfMissing(client, ENDPOINT_SLICES, {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: { name: KUBE_DNS_NAME, namespace: KUBE_DNS_NAMESPACE, labels: { ...LABELS, ...MANAGED_BY, [SERVICE_NAME_LABEL]: KUBE_DNS_NAME } },
    addressType: clusterIP.includes(":") ? "IPv6" : "IPv4",
    endpoints: [{ addresses: [clusterIP], conditions: { ready: true, serving: true, terminating: false } }],
    ports: [
      { name: "dns", port: 53, protocol: "UDP" },
      { name: "dns-tcp", port: 53, protocol: "TCP" },
    ],
  });
}

/** The kube-dns Service's cluster IP as the cluster has it, for an agent joining from another host. */
export async function kubeDnsServiceIP(client: Client): Promise<string | undefined> {
  try {
    const service = (await client.get(CORE_V1("services"), KUBE_DNS_NAMESPACE, KUBE_DNS_NAME)) as { spec?: { clusterIP?: string } };
    const ip = service.spec?.clusterIP;
    return ip && ip !== "None" ? ip : undefined;
  } catch (error) {
    if (error instanceof StatusError && error.code === 404) return undefined;
    throw error;
  }
}

async function createIfMissing(client: Client, ref: Parameters<Client["create"]>[0], object: KubeObject): Promise<void> {
  try {
    await client.create(ref, KUBE_DNS_NAMESPACE, object);
  } catch (error) {
    if (!(error instanceof StatusError && error.reason === "AlreadyExists")) throw error;
  }
}
