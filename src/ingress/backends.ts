// Resolves an Ingress's service backend to the pods that serve it, from the Service and
// EndpointSlice caches: the Service port named or numbered by the backend, then in each slice of
// that Service (label kubernetes.io/service-name) the port of the same name and the endpoints that
// are ready (an unset `ready` counts as ready, as the EndpointSlice API says consumers must), or,
// when none is, those still serving while they terminate (kube-proxy's fallback).
// Results are cached per Service and port until a slice or the Service changes, so a request
// costs a map lookup; `next` hands the endpoints out round robin. A backend that cannot be served
// resolves to a problem with a message meant for the person reading the 503 or the event.
import type { KubeObject } from "../api/resource.js";
import { LabelServiceName } from "../controllers/endpointslice/pod-endpoints.js";
import type { CacheReader } from "../client/indexer.js";
import type { ServiceBackend } from "./routes.js";

/** The EndpointSlice index by "namespace/service". */
export const SLICES_BY_SERVICE = "ingress:slices-by-service";

export interface Endpoint {
  ip: string;
  port: number;
  /** The node the pod runs on: the ingress dials it through that node's network. */
  nodeName: string;
}

export type Resolution = { endpoints: Endpoint[]; problem?: undefined } | { endpoints?: undefined; problem: string };

/** Why a backend's Service cannot be served, for the Ingress's events: the reason names the kind of problem. */
export interface ServiceProblem {
  reason: "ServiceNotFound" | "ServicePortNotFound" | "UnsupportedBackend";
  problem: string;
}

interface ServicePort {
  name?: string;
  port?: number;
  protocol?: string;
}

interface SliceLike {
  ports?: { name?: string; port?: number; protocol?: string }[] | null;
  endpoints?: { addresses?: string[]; nodeName?: string; conditions?: { ready?: boolean; serving?: boolean; terminating?: boolean } }[] | null;
}

export function sliceServiceKey(slice: KubeObject): readonly string[] {
  const service = slice.metadata?.labels?.[LabelServiceName];
  return service ? [`${slice.metadata?.namespace}/${service}`] : [];
}

export class ServiceBackends {
  private readonly cache = new Map<string, Map<string, Resolution>>();
  private readonly cursors = new Map<string, number>();

  constructor(
    private readonly services: CacheReader,
    private readonly slices: CacheReader,
  ) {}

  /** Forget what was resolved for this Service ("namespace/name"): its slices or itself changed. */
  invalidate(serviceKey: string): void {
    this.cache.delete(serviceKey);
  }

  resolve(namespace: string, backend: ServiceBackend): Resolution {
    const serviceKey = `${namespace}/${backend.name}`;
    const portKey = backend.port.name ? `name:${backend.port.name}` : `number:${backend.port.number}`;
    let byPort = this.cache.get(serviceKey);
    if (!byPort) this.cache.set(serviceKey, (byPort = new Map()));
    let resolution = byPort.get(portKey);
    if (!resolution) byPort.set(portKey, (resolution = this.compute(serviceKey, backend)));
    return resolution;
  }

  /** The endpoints in round-robin order for this request: the first one to try, then the others. */
  next(namespace: string, backend: ServiceBackend, endpoints: readonly Endpoint[]): Endpoint[] {
    const key = `${namespace}/${backend.name}:${backend.port.name ?? backend.port.number}`;
    const cursor = this.cursors.get(key) ?? Math.floor(Math.random() * endpoints.length);
    this.cursors.set(key, (cursor + 1) % Math.max(endpoints.length, 1));
    const start = cursor % Math.max(endpoints.length, 1);
    return [...endpoints.slice(start), ...endpoints.slice(0, start)];
  }

  /** Why this backend can never be served as the Service stands (missing, no such port...), if so. */
  serviceProblem(namespace: string, backend: ServiceBackend): ServiceProblem | undefined {
    const checked = this.servicePort(`${namespace}/${backend.name}`, backend);
    return "problem" in checked ? checked : undefined;
  }

  private servicePort(serviceKey: string, backend: ServiceBackend): { port: ServicePort; wanted: string } | ServiceProblem {
    const service = this.services.get(serviceKey);
    const wanted = backend.port.name ? `port "${backend.port.name}"` : `port ${backend.port.number}`;
    if (!service) return { reason: "ServiceNotFound", problem: `service "${serviceKey}" not found` };
    const spec = (service.spec ?? {}) as { type?: string; ports?: ServicePort[] };
    if (spec.type === "ExternalName") return { reason: "UnsupportedBackend", problem: `service "${serviceKey}" is of type ExternalName, which the ingress does not serve` };
    const port = (spec.ports ?? []).find((p) => (backend.port.name ? p.name === backend.port.name : p.port === backend.port.number));
    if (!port) return { reason: "ServicePortNotFound", problem: `service "${serviceKey}" has no ${wanted}` };
    if ((port.protocol ?? "TCP") !== "TCP") return { reason: "UnsupportedBackend", problem: `service "${serviceKey}" ${wanted} is ${port.protocol}, not TCP` };
    return { port, wanted };
  }

  private compute(serviceKey: string, backend: ServiceBackend): Resolution {
    const checked = this.servicePort(serviceKey, backend);
    if ("problem" in checked) return { problem: checked.problem };
    const portName = checked.port.name ?? "";
    const ready: Endpoint[] = [];
    const terminating: Endpoint[] = [];
    for (const slice of this.slices.byIndex(SLICES_BY_SERVICE, serviceKey) as SliceLike[]) {
      const port = (slice.ports ?? []).find((p) => (p.name ?? "") === portName && (p.protocol ?? "TCP") === "TCP");
      if (port?.port === undefined) continue;
      for (const endpoint of slice.endpoints ?? []) {
        const ip = endpoint.addresses?.[0];
        const conditions = endpoint.conditions ?? {};
        if (!ip) continue;
        if (conditions.ready !== false) ready.push({ ip, port: port.port, nodeName: endpoint.nodeName ?? "" });
        else if (conditions.serving === true && conditions.terminating === true) terminating.push({ ip, port: port.port, nodeName: endpoint.nodeName ?? "" });
      }
    }
    // As kube-proxy: with no ready endpoint left, pods still serving while they terminate take the traffic.
    const endpoints = ready.length > 0 ? ready : terminating;
    if (endpoints.length === 0) return { problem: `service "${serviceKey}" has no ready endpoints for ${checked.wanted}` };
    return { endpoints };
  }
}
