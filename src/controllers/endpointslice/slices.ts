// discovery.k8s.io/v1 EndpointSlice as the EndpointSlice controller builds it (upstream staging
// endpointslice/utils.go): typed views; podToEndpoint (addresses of the slice's family from the
// pod's IPs; ready, serving and terminating conditions; nodeName, zone, hostname, targetRef);
// getEndpointPorts (each service port resolved on the pod, named targetPorts included, unresolvable
// ones skipped); newEndpointSlice ("<service>-" generated name, the Service as controller owner,
// its labels plus kubernetes.io/service-name and the managed-by label); the hashes that identify an
// endpoint and a port set. Pure; returns new objects.
import type { KubeObject, ObjectMeta, OwnerReference } from "../../api/resource.js";
import { canonicalJson } from "../canonical-json.js";
import { isPodReady } from "../pods.js";
import {
  findPort, IsHeadlessService, isServiceIPSet, LabelManagedBy, LabelServiceName, podIPs, shouldSetHostname, type EndpointPod, type Service,
} from "./pod-endpoints.js";

/** The managed-by value of slices this controller owns (upstream ControllerName). */
export const CONTROLLER_NAME = "endpointslice-controller.k8s.io";
/** --max-endpoints-per-slice default. */
export const MAX_ENDPOINTS_PER_SLICE = 100;
/** v1.LabelTopologyZone. */
const LabelTopologyZone = "topology.kubernetes.io/zone";

export type AddressType = "IPv4" | "IPv6" | "FQDN";

export interface EndpointPort {
  name?: string;
  port?: number;
  protocol?: string;
  appProtocol?: string;
}

export interface Endpoint {
  addresses: string[];
  conditions?: { ready?: boolean; serving?: boolean; terminating?: boolean };
  hostname?: string;
  targetRef?: { kind: string; namespace?: string; name?: string; uid?: string };
  nodeName?: string;
  zone?: string;
  hints?: unknown;
}

export interface EndpointSlice extends KubeObject {
  metadata: ObjectMeta;
  addressType: AddressType;
  endpoints?: Endpoint[] | null;
  ports?: EndpointPort[] | null;
}

/** The ports and address family a group of endpoints shares (upstream endpointMeta). */
export interface EndpointMeta {
  ports: EndpointPort[];
  addressType: AddressType;
}

export interface NodeView {
  metadata?: ObjectMeta;
}

/** podToEndpoint. */
export function podToEndpoint(pod: EndpointPod, node: NodeView | undefined, service: Service, addressType: AddressType): Endpoint {
  const serving = isPodReady(pod);
  const terminating = Boolean(pod.metadata.deletionTimestamp);
  // "ready" is never true for a terminating pod, unless the Service publishes not-ready addresses.
  const ready = service.spec?.publishNotReadyAddresses === true || (serving && !terminating);
  const endpoint: Endpoint = {
    addresses: podIPs(pod).filter((ip) => addressTypeOf(ip) === addressType),
    conditions: { ready, serving, terminating },
    targetRef: { kind: "Pod", namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid },
  };
  const nodeName = pod.spec?.nodeName ?? "";
  if (nodeName !== "") endpoint.nodeName = nodeName;
  const zone = node?.metadata?.labels?.[LabelTopologyZone];
  if (zone) endpoint.zone = zone;
  if (shouldSetHostname(pod, service)) endpoint.hostname = pod.spec?.hostname;
  return endpoint;
}

function addressTypeOf(ip: string): AddressType {
  return ip.includes(":") ? "IPv6" : "IPv4";
}

/** getEndpointPorts: the service's ports as this pod serves them. */
export function getEndpointPorts(service: Service, pod: EndpointPod): EndpointPort[] {
  const ports: EndpointPort[] = [];
  for (const servicePort of service.spec?.ports ?? []) {
    const port = findPort(pod, servicePort);
    if (port === undefined) continue;
    const endpointPort: EndpointPort = { name: servicePort.name ?? "", port, protocol: servicePort.protocol ?? "TCP" };
    if (servicePort.appProtocol !== undefined) endpointPort.appProtocol = servicePort.appProtocol;
    ports.push(endpointPort);
  }
  return ports;
}

/** getAddressTypesForService: the Service's IP families, else its cluster IP's, else (headless) both. */
export function getAddressTypesForService(service: Service): AddressType[] {
  const types = new Set<AddressType>();
  for (const family of service.spec?.ipFamilies ?? []) {
    if (family === "IPv4" || family === "IPv6") types.add(family);
  }
  if (types.size > 0) return [...types];
  if (isServiceIPSet(service)) return [addressTypeOf(service.spec?.clusterIP ?? "")];
  return ["IPv4", "IPv6"];
}

/** NewPortMapKey: one key per set of ports, whatever their order. */
export function portMapKey(ports: readonly EndpointPort[] | null | undefined): string {
  return (ports ?? []).map((p) => canonicalJson(p)).sort().join("|");
}

/** The identity of an endpoint in a set: its addresses, hostname and target pod (upstream hashEndpoint). */
export function endpointKey(endpoint: Endpoint): string {
  return canonicalJson([endpoint.addresses, endpoint.hostname ?? "", endpoint.targetRef?.namespace ?? "", endpoint.targetRef?.name ?? ""]);
}

/** EndpointsEqualBeyondHash: the same conditions, node, zone, hints and target. */
export function endpointsEqual(a: Endpoint, b: Endpoint): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/** ownedBy: the Service is an owner of the slice. */
export function ownedBy(slice: EndpointSlice, service: Service): boolean {
  return (slice.metadata.ownerReferences ?? []).some((o) => o.uid === service.metadata.uid && o.kind === "Service" && o.apiVersion === "v1");
}

/**
 * setEndpointSliceLabels: the Service's labels (the reserved ones excepted), the headless label
 * when it has no cluster IP, and the service-name and managed-by labels; and whether they differ
 * from the slice's.
 */
export function endpointSliceLabels(slice: EndpointSlice | undefined, service: Service, controllerName: string): { labels: Record<string, string>; changed: boolean } {
  const labels: Record<string, string> = {};
  for (const [key, value] of Object.entries(service.metadata.labels ?? {})) if (!isReservedLabelKey(key)) labels[key] = value;
  if (!isServiceIPSet(service)) labels[IsHeadlessService] = "";
  labels[LabelServiceName] = service.metadata.name ?? "";
  labels[LabelManagedBy] = controllerName;
  return { labels, changed: canonicalJson(labels) !== canonicalJson(slice?.metadata.labels ?? {}) };
}

function isReservedLabelKey(key: string): boolean {
  return key === LabelServiceName || key === LabelManagedBy || key === IsHeadlessService;
}

/** newEndpointSlice: an empty slice for the Service with these ports and address type. */
export function newEndpointSlice(service: Service, meta: EndpointMeta, controllerName: string): EndpointSlice {
  const ownerRef: OwnerReference = { apiVersion: "v1", kind: "Service", name: service.metadata.name ?? "", uid: service.metadata.uid ?? "", controller: true, blockOwnerDeletion: true };
  return {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: {
      generateName: `${service.metadata.name ?? ""}-`,
      namespace: service.metadata.namespace,
      labels: endpointSliceLabels(undefined, service, controllerName).labels,
      ownerReferences: [ownerRef],
    },
    addressType: meta.addressType,
    endpoints: [],
    ports: meta.ports,
  };
}

/** placeholderSliceCompare: the same namespace, labels, address type, and no endpoints or ports. */
export function isSamePlaceholder(existing: EndpointSlice, placeholder: EndpointSlice): boolean {
  return (
    existing.metadata.namespace === placeholder.metadata.namespace &&
    canonicalJson(existing.metadata.labels ?? {}) === canonicalJson(placeholder.metadata.labels ?? {}) &&
    existing.addressType === placeholder.addressType &&
    (existing.endpoints ?? []).length === 0 &&
    (existing.ports ?? []).length === 0
  );
}
