// The `kubernetes` Service in `default` and its endpoints, as kube-apiserver's own controller keeps
// them (upstream pkg/controlplane/controller/kubernetesservice and the endpoint reconciler): the
// Service takes the first address of the service CIDR, port 443 named https, and its Endpoints
// and EndpointSlice name this API server's address and port. Checked at start and every 10 s, so
// a restart on another port, or a user's edit, is put right.
import { StatusError } from "../api/errors.js";
import type { KubeObject } from "../api/resource.js";
import { CORE_V1, type Client } from "../client/client.js";
import type { Logger } from "../log.js";

const SERVICES = CORE_V1("services");
const ENDPOINTS = CORE_V1("endpoints");
const ENDPOINT_SLICES = { group: "discovery.k8s.io", version: "v1", resource: "endpointslices" };
const NAME = "kubernetes";
const NAMESPACE = "default";
/** upstream's --endpoint-reconciler interval. */
const RECONCILE_INTERVAL_MS = 10_000;

export interface KubernetesServiceOptions {
  client: Client;
  /** The first address of the service CIDR. */
  serviceIP: string;
  /** Where this API server listens. */
  address: string;
  port: number;
  log: Logger;
}

export function startKubernetesService(options: KubernetesServiceOptions): { stop(): void } {
  let stopped = false;
  const reconcile = () =>
    reconcileKubernetesService(options).catch((error: unknown) => {
      if (!stopped) options.log.warn("could not reconcile the kubernetes Service", { error });
    });
  void reconcile();
  const timer = setInterval(() => void reconcile(), RECONCILE_INTERVAL_MS);
  timer.unref();
  return {
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}

export async function reconcileKubernetesService(options: KubernetesServiceOptions): Promise<void> {
  const { client, serviceIP, address, port } = options;
  const labels = { component: "apiserver", provider: "kubernetes" };
  await ensure(client, SERVICES, {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: NAME, namespace: NAMESPACE, labels },
    spec: { type: "ClusterIP", clusterIP: serviceIP, sessionAffinity: "None", ports: [{ name: "https", port: 443, protocol: "TCP", targetPort: port }] },
  }, (current, wanted) => {
    const spec = (current.spec ?? {}) as Record<string, unknown>;
    const ports = (wanted.spec as Record<string, unknown>).ports;
    if (JSON.stringify(spec.ports) === JSON.stringify(ports)) return undefined;
    return { ...current, spec: { ...spec, ports } };
  });
  await ensure(client, ENDPOINTS, {
    apiVersion: "v1",
    kind: "Endpoints",
    metadata: { name: NAME, namespace: NAMESPACE, labels: { "endpointslice.kubernetes.io/skip-mirror": "true" } },
    subsets: [{ addresses: [{ ip: address }], ports: [{ name: "https", port, protocol: "TCP" }] }],
  }, replaceField("subsets"));
  await ensure(client, ENDPOINT_SLICES, {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: { name: NAME, namespace: NAMESPACE, labels: { "kubernetes.io/service-name": NAME } },
    addressType: "IPv4",
    endpoints: [{ addresses: [address], conditions: { ready: true } }],
    ports: [{ name: "https", port, protocol: "TCP" }],
  }, (current, wanted) => replaceField("endpoints")(current, wanted) ?? replaceField("ports")(current, wanted));
}

/** Creates `wanted`, or updates the stored object when `change` says how it differs. */
async function ensure(client: Client, ref: { group: string; version: string; resource: string }, wanted: KubeObject, change: (current: KubeObject, wanted: KubeObject) => KubeObject | undefined): Promise<void> {
  let current: KubeObject;
  try {
    current = await client.get(ref, NAMESPACE, NAME);
  } catch (err) {
    if (!(err instanceof StatusError && err.code === 404)) throw err;
    await client.create(ref, NAMESPACE, wanted);
    return;
  }
  const next = change(current, wanted);
  if (next) await client.update(ref, NAMESPACE, next);
}

function replaceField(field: string): (current: KubeObject, wanted: KubeObject) => KubeObject | undefined {
  return (current, wanted) => (JSON.stringify(current[field]) === JSON.stringify(wanted[field]) ? undefined : { ...current, [field]: wanted[field] });
}
