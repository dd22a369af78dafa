// What a Service's pods contribute as endpoints, shared by the EndpointSlice and Endpoints
// controllers (upstream staging endpointslice/util and pkg/api/v1/pod): typed views of core/v1
// Service and the pod fields read; ShouldPodBeInEndpoints (not finished, has an IP, and unless
// terminating pods are wanted, not terminating); FindPort (a service port's targetPort as a number,
// a named one looked up among the pod's container ports, and sidecars', of the same protocol);
// ShouldSetHostname (the pod's hostname, when its subdomain is this Service). Pure.
import type { KubeObject, ObjectMeta } from "../../api/resource.js";
import type { PodCondition } from "../pods.js";

/** discovery.LabelServiceName. */
export const LabelServiceName = "kubernetes.io/service-name";
/** discovery.LabelManagedBy. */
export const LabelManagedBy = "endpointslice.kubernetes.io/managed-by";
/** v1.IsHeadlessService. */
export const IsHeadlessService = "service.kubernetes.io/headless";
/** v1.EndpointsLastChangeTriggerTime. */
export const EndpointsLastChangeTriggerTime = "endpoints.kubernetes.io/last-change-trigger-time";

export interface ServicePort {
  name?: string;
  protocol?: string;
  appProtocol?: string;
  port: number;
  targetPort?: number | string;
}

export interface Service extends KubeObject {
  metadata: ObjectMeta;
  spec?: {
    selector?: Record<string, string> | null;
    ports?: ServicePort[];
    clusterIP?: string;
    type?: string;
    publishNotReadyAddresses?: boolean;
    ipFamilies?: string[];
  };
}

interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol?: string;
}

interface Container {
  name: string;
  restartPolicy?: string;
  ports?: ContainerPort[];
}

/** A pod as the endpoint controllers read it. */
export interface EndpointPod extends KubeObject {
  metadata: ObjectMeta;
  spec?: { nodeName?: string; hostname?: string; subdomain?: string; containers?: Container[]; initContainers?: Container[] };
  status?: { phase?: string; conditions?: PodCondition[]; podIP?: string; podIPs?: { ip: string }[] };
}

/** The pod's IPs (status.podIPs, or status.podIP when the list is absent). */
export function podIPs(pod: EndpointPod): string[] {
  const ips = (pod.status?.podIPs ?? []).map((p) => p.ip).filter((ip) => ip !== "");
  if (ips.length > 0) return ips;
  return pod.status?.podIP ? [pod.status.podIP] : [];
}

/** ShouldPodBeInEndpoints. */
export function shouldPodBeInEndpoints(pod: EndpointPod, includeTerminating: boolean): boolean {
  const phase = pod.status?.phase;
  if (phase === "Succeeded" || phase === "Failed") return false;
  if (podIPs(pod).length === 0) return false;
  return includeTerminating || !pod.metadata.deletionTimestamp;
}

/** FindPort: the container port a service port reaches on this pod, or undefined ("no suitable port"). */
export function findPort(pod: EndpointPod, servicePort: ServicePort): number | undefined {
  const target = servicePort.targetPort ?? servicePort.port;
  if (typeof target === "number") return target;
  const protocol = servicePort.protocol ?? "TCP";
  const sidecars = (pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === "Always");
  for (const container of [...(pod.spec?.containers ?? []), ...sidecars]) {
    for (const port of container.ports ?? []) {
      if (port.name === target && (port.protocol ?? "TCP") === protocol) return port.containerPort;
    }
  }
  return undefined;
}

/** ShouldSetHostname: the pod names a hostname and this Service as its subdomain. */
export function shouldSetHostname(pod: EndpointPod, service: Service): boolean {
  const hostname = pod.spec?.hostname ?? "";
  return hostname !== "" && pod.spec?.subdomain === service.metadata.name && pod.metadata.namespace === service.metadata.namespace;
}

/** helper.IsServiceIPSet: a cluster IP other than None. */
export function isServiceIPSet(service: Service): boolean {
  const clusterIP = service.spec?.clusterIP ?? "";
  return clusterIP !== "" && clusterIP !== "None";
}

/** Go's time.RFC3339Nano of a millisecond time: trailing zeros of the fraction dropped. */
export function rfc3339Nano(ms: number): string {
  return new Date(ms).toISOString().replace(/\.?0+Z$/, "Z");
}
