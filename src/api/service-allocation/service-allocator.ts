// The Service REST storage's allocation step (upstream pkg/registry/core/service/storage/alloc.go):
// cluster IPs from --service-cidr and node ports from 30000-32767, given out on create and update,
// explicit requests honoured or refused with upstream's messages, values kept across updates that
// omit them (patchAllocatedValues), and released when the Service stops holding them.
//
// What is allocated is derived from the stored Services: the allocator loads them from the watch
// cache at start and follows the cache, so a delete by any path (kubectl, namespace deletion, the
// garbage collector), a type change, and a restart all come out right without a separate record
// (see docs/adr/0012). Values handed out by a write in flight are held until that write is in
// the cache (commit) or has failed (revert).
import type { ClusterCache } from "../cluster-cache.js";
import { StatusError } from "../errors.js";
import type { KubeObject } from "../resource.js";
import type { CacheEvent } from "../watch-cache.js";
import { invalidObject, invalid, type FieldError } from "../validation/field-errors.js";
import type { WriteHooks, WriteTransaction } from "../write-hooks.js";
import { numberAt, recordAt, recordsAt, stringAt, stringsAt, type JsonRecord } from "../resources/object-fields.js";
import { clusterIPRange, kubernetesServiceIP, parseServiceCIDR, serviceAddress, type ServiceCIDR } from "./cluster-ip-range.js";
import { nodePortRange } from "./node-port-range.js";
import { Holdings } from "./holdings.js";

/** The cluster DNS Service's address: the tenth of the range (10.43.0.10), as k3s and kubeadm use. */
export const DNS_SERVICE_HOST = 10;

export interface ServiceAllocatorOptions {
  serviceCIDR: string;
  cache: ClusterCache;
  random?: () => number;
}

interface Held {
  ips: string[];
  ports: number[];
}

export class ServiceAllocator implements WriteHooks {
  readonly range: ServiceCIDR;
  private readonly ips: Holdings<string>;
  private readonly ports: Holdings<number>;
  private readonly stored = new Map<string, Held>();
  private stopWatch?: () => void;

  constructor(private readonly options: ServiceAllocatorOptions) {
    this.range = parseServiceCIDR(options.serviceCIDR.split(",")[0] ?? "");
    this.ips = new Holdings(clusterIPRange(this.range, { neverDynamic: [this.dnsServiceIP], random: options.random }));
    this.ports = new Holdings(nodePortRange({ random: options.random }));
  }

  /** The `kubernetes` Service's address: the first of the range. */
  get kubernetesServiceIP(): string {
    return kubernetesServiceIP(this.range.cidr);
  }

  get dnsServiceIP(): string {
    return serviceAddress(this.range, DNS_SERVICE_HOST);
  }

  /** Takes what every stored Service holds and follows the cache from there. */
  start(): void {
    const cache = this.options.cache.get("services");
    const revision = this.options.cache.revision;
    for (const cached of cache.list(undefined)) this.setStored(cached.key, cached.object ?? (JSON.parse(cached.json) as KubeObject));
    this.stopWatch = cache.watch(revision, { decoded: true, onEvent: (event) => this.onEvent(event) });
  }

  stop(): void {
    this.stopWatch?.();
  }

  /** Whether a cluster IP or node port is held now (tests, diagnostics). */
  isAllocated(value: string | number): boolean {
    return typeof value === "string" ? this.ips.isHeld(value) : this.ports.isHeld(value);
  }

  beginCreate(obj: KubeObject): WriteTransaction {
    return this.allocate(obj, undefined);
  }

  beginUpdate(obj: KubeObject, old: KubeObject): WriteTransaction {
    keepAllocatedValues(specOf(obj), specOf(old));
    return this.allocate(obj, old);
  }

  private onEvent(event: CacheEvent): void {
    if (event.type === "DELETED") this.setStored(event.object.key, undefined);
    else this.setStored(event.object.key, event.object.object ?? (JSON.parse(event.object.json) as KubeObject));
  }

  /** Records what the stored Service at `key` holds; the new values are held before the old ones are let go. */
  private setStored(key: string, obj: KubeObject | undefined): void {
    const before = this.stored.get(key);
    const after = obj ? heldBy(specOf(obj)) : undefined;
    if (after) {
      for (const ip of after.ips) this.ips.hold(ip);
      for (const port of after.ports) this.ports.hold(port);
      this.stored.set(key, after);
    } else {
      this.stored.delete(key);
    }
    for (const ip of before?.ips ?? []) this.ips.drop(ip);
    for (const port of before?.ports ?? []) this.ports.drop(port);
  }

  /** Gives `obj` the cluster IP and node ports it needs that `old` did not hold already. */
  private allocate(obj: KubeObject, old: KubeObject | undefined): WriteTransaction {
    const spec = specOf(obj);
    const oldHeld = old ? heldBy(specOf(old)) : { ips: [], ports: [] };
    const taken: Held = { ips: [], ports: [] };
    const revert = () => {
      for (const ip of taken.ips) this.ips.drop(ip);
      for (const port of taken.ports) this.ports.drop(port);
    };
    try {
      this.allocateClusterIP(obj, spec, oldHeld, taken);
      this.allocateNodePorts(obj, spec, oldHeld, taken);
    } catch (error) {
      revert();
      throw error;
    }
    // Once stored, the cache event makes the Service itself hold what it got.
    const commit = () => void this.options.cache.waitFresh().then(revert, revert);
    return { commit, revert };
  }

  private allocateClusterIP(obj: KubeObject, spec: JsonRecord, oldHeld: Held, taken: Held): void {
    if (!needsClusterIP(spec)) return;
    const requested = stringAt(spec, "clusterIP") || stringsAt(spec, "clusterIPs")[0] || "";
    if (requested === "") {
      const ip = this.ips.claimNext();
      if (ip === undefined) throw new StatusError(500, "InternalError", "Internal error occurred: failed to allocate a serviceIP: range is full");
      taken.ips.push(ip);
      spec.clusterIP = ip;
      spec.clusterIPs = [ip];
      return;
    }
    if (oldHeld.ips.includes(requested)) return;
    const refused = this.ips.claim(requested);
    if (refused) throw refusal(obj, [invalid("spec.clusterIPs", stringsAt(spec, "clusterIPs").length > 0 ? stringsAt(spec, "clusterIPs") : [requested], `failed to allocate IP ${requested}: ${refused}`)]);
    taken.ips.push(requested);
    spec.clusterIP = requested;
    spec.clusterIPs = [requested];
  }

  /** upstream initNodePorts/updateNodePorts: ports that share a port number share one node port. */
  private allocateNodePorts(obj: KubeObject, spec: JsonRecord, oldHeld: Held, taken: Held): void {
    if (spec.type !== "NodePort" && spec.type !== "LoadBalancer") return;
    const allocateMissing = spec.type === "NodePort" || spec.allocateLoadBalancerNodePorts !== false;
    const byServicePort = new Map<number, number>();
    const ports = recordsAt(spec, "ports");
    ports.forEach((port, i) => {
      const servicePort = numberAt(port, "port") ?? 0;
      let nodePort = numberAt(port, "nodePort") ?? 0;
      if (nodePort === 0) nodePort = byServicePort.get(servicePort) ?? 0;
      if (nodePort === 0) {
        if (!allocateMissing) return;
        const next = this.ports.claimNext();
        if (next === undefined) throw new StatusError(500, "InternalError", "Internal error occurred: failed to allocate a nodePort: range is full");
        taken.ports.push(next);
        nodePort = next;
      } else if (!oldHeld.ports.includes(nodePort) && !taken.ports.includes(nodePort)) {
        const refused = this.ports.claim(nodePort);
        if (refused) throw refusal(obj, [invalid(`spec.ports[${i}].nodePort`, nodePort, refused)]);
        taken.ports.push(nodePort);
      }
      port.nodePort = nodePort;
      byServicePort.set(servicePort, nodePort);
    });
    this.allocateHealthCheckNodePort(obj, spec, oldHeld, taken);
  }

  /** A LoadBalancer with externalTrafficPolicy Local gets a health check node port (upstream NeedsHealthCheck). */
  private allocateHealthCheckNodePort(obj: KubeObject, spec: JsonRecord, oldHeld: Held, taken: Held): void {
    if (spec.type !== "LoadBalancer" || spec.externalTrafficPolicy !== "Local") return;
    const requested = numberAt(spec, "healthCheckNodePort") ?? 0;
    if (requested === 0) {
      const next = this.ports.claimNext();
      if (next === undefined) throw new StatusError(500, "InternalError", "Internal error occurred: failed to allocate a HealthCheck NodePort: range is full");
      taken.ports.push(next);
      spec.healthCheckNodePort = next;
    } else if (!oldHeld.ports.includes(requested) && !taken.ports.includes(requested)) {
      const refused = this.ports.claim(requested);
      if (refused) throw refusal(obj, [invalid("spec.healthCheckNodePort", requested, `failed to allocate requested HealthCheck NodePort ${requested}: ${refused}`)]);
      taken.ports.push(requested);
    }
  }
}

function specOf(obj: KubeObject): JsonRecord {
  return (recordAt(obj, "spec") ?? ((obj.spec = {}) as JsonRecord)) as JsonRecord;
}

function needsClusterIP(spec: JsonRecord): boolean {
  return spec.type !== "ExternalName" && stringAt(spec, "clusterIP") !== "None" && stringsAt(spec, "clusterIPs")[0] !== "None";
}

function needsNodePorts(spec: JsonRecord): boolean {
  return spec.type === "NodePort" || spec.type === "LoadBalancer";
}

/** The cluster IPs and node ports a stored Service holds. */
function heldBy(spec: JsonRecord): Held {
  const ips = needsClusterIP(spec) ? stringsAt(spec, "clusterIPs").filter((ip) => ip !== "None") : [];
  if (ips.length === 0 && needsClusterIP(spec) && stringAt(spec, "clusterIP")) ips.push(stringAt(spec, "clusterIP") ?? "");
  const ports = needsNodePorts(spec) ? recordsAt(spec, "ports").map((p) => numberAt(p, "nodePort") ?? 0) : [];
  const health = numberAt(spec, "healthCheckNodePort") ?? 0;
  if (spec.type === "LoadBalancer" && health > 0) ports.push(health);
  return { ips, ports: [...new Set(ports.filter((p) => p > 0))] };
}

/**
 * upstream patchAllocatedValues: an update that leaves out the cluster IP or a node port (a
 * client-side apply of a manifest without them) keeps the ones the Service was given.
 */
function keepAllocatedValues(spec: JsonRecord, oldSpec: JsonRecord): void {
  if (needsClusterIP(spec) && needsClusterIP(oldSpec) && !stringAt(spec, "clusterIP") && stringsAt(spec, "clusterIPs").length === 0) {
    if (stringAt(oldSpec, "clusterIP")) spec.clusterIP = oldSpec.clusterIP;
    if (stringsAt(oldSpec, "clusterIPs").length > 0) spec.clusterIPs = [...stringsAt(oldSpec, "clusterIPs")];
  }
  if (needsNodePorts(spec) && needsNodePorts(oldSpec)) {
    const oldPorts = recordsAt(oldSpec, "ports");
    const used = new Set(recordsAt(spec, "ports").map((p) => numberAt(p, "nodePort") ?? 0));
    const byName = new Map(oldPorts.map((p) => [stringAt(p, "name") ?? "", numberAt(p, "nodePort") ?? 0]));
    for (const port of recordsAt(spec, "ports")) {
      if ((numberAt(port, "nodePort") ?? 0) !== 0) continue;
      const previous = byName.get(stringAt(port, "name") ?? "") ?? 0;
      if (previous > 0 && !used.has(previous)) port.nodePort = previous;
    }
    if (spec.type === "LoadBalancer" && !numberAt(spec, "healthCheckNodePort") && numberAt(oldSpec, "healthCheckNodePort")) spec.healthCheckNodePort = oldSpec.healthCheckNodePort;
  }
}

function refusal(obj: KubeObject, errors: FieldError[]): StatusError {
  return invalidObject("Service", "", obj.metadata?.name ?? "", errors);
}
