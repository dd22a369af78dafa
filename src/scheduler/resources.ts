// Compute resources as the scheduler counts them (upstream framework.Resource and the component-helpers
// resource.PodRequests rules, v1.32): cpu in millicores, memory, ephemeral storage and scalar resources
// (extended, hugepages, prefixed native) in units, pods as a count. A pod's effective request is
// max(sum of containers + sum of sidecars, max over init containers of (that init container + the
// sidecars started before it)), plus the pod overhead. Quantities are parsed once per pod.
import { Quantity } from "../api/quantity.js";
import { isExtendedResource, isHugePageResource } from "../api/resources/resource-lists.js";
import type { Container, PodSpec, ResourceList } from "./api-types.js";

/** upstream schedutil.DefaultMilliCPURequest and DefaultMemoryRequest: what a container without requests counts as when scoring. */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

/** upstream schedutil.IsScalarResourceName. */
export function isScalarResourceName(name: string): boolean {
  return isExtendedResource(name) || isHugePageResource(name) || name.includes("kubernetes.io/") || name.startsWith("attachable-volumes-");
}

/** A resource vector. Mutable: NodeInfo keeps running sums in it. */
export class Resource {
  milliCPU = 0;
  memory = 0;
  ephemeralStorage = 0;
  allowedPodNumber = 0;
  scalar: Map<string, number> | undefined;

  /** Adds a resource list (upstream Resource.Add). */
  static fromList(list: ResourceList | null | undefined): Resource {
    const r = new Resource();
    for (const [name, value] of Object.entries(list ?? {})) r.addQuantity(name, value);
    return r;
  }

  addQuantity(name: string, value: string | number): void {
    const q = Quantity.fromJSON(value);
    switch (name) {
      case "cpu": this.milliCPU += q.milliValue(); break;
      case "memory": this.memory += q.value(); break;
      case "pods": this.allowedPodNumber += q.value(); break;
      case "ephemeral-storage": this.ephemeralStorage += q.value(); break;
      default: if (isScalarResourceName(name)) this.addScalar(name, q.value());
    }
  }

  addScalar(name: string, value: number): void {
    this.scalar ??= new Map();
    this.scalar.set(name, (this.scalar.get(name) ?? 0) + value);
  }

  scalarValue(name: string): number {
    return this.scalar?.get(name) ?? 0;
  }

  /** this += sign × other (pods are not summed: they are a capacity, not a request). */
  add(other: Resource, sign = 1): void {
    this.milliCPU += sign * other.milliCPU;
    this.memory += sign * other.memory;
    this.ephemeralStorage += sign * other.ephemeralStorage;
    if (other.scalar) for (const [name, v] of other.scalar) this.addScalar(name, sign * v);
  }

  /** this = max(this, other) per resource (upstream SetMaxResource). */
  setMax(other: Resource): void {
    this.milliCPU = Math.max(this.milliCPU, other.milliCPU);
    this.memory = Math.max(this.memory, other.memory);
    this.ephemeralStorage = Math.max(this.ephemeralStorage, other.ephemeralStorage);
    if (other.scalar) for (const [name, v] of other.scalar) this.scalar = (this.scalar ?? new Map()).set(name, Math.max(this.scalarValue(name), v));
  }

  isZero(): boolean {
    if (this.milliCPU !== 0 || this.memory !== 0 || this.ephemeralStorage !== 0) return false;
    if (this.scalar) for (const v of this.scalar.values()) if (v !== 0) return false;
    return true;
  }

  clone(): Resource {
    const r = new Resource();
    r.milliCPU = this.milliCPU;
    r.memory = this.memory;
    r.ephemeralStorage = this.ephemeralStorage;
    r.allowedPodNumber = this.allowedPodNumber;
    if (this.scalar) r.scalar = new Map(this.scalar);
    return r;
  }
}

/** What a pod counts for on a node: its effective requests, and the cpu/memory used for scoring. */
export interface PodResource {
  readonly request: Resource;
  /** cpu and memory with upstream's defaults for containers that request none (NonZeroRequested). */
  readonly nonZeroMilliCPU: number;
  readonly nonZeroMemory: number;
}

export function computePodResource(spec: PodSpec | undefined): PodResource {
  const request = podRequests(spec, containerRequests);
  const nonZero = podRequests(spec, nonZeroContainerRequests);
  return { request, nonZeroMilliCPU: nonZero.milliCPU, nonZeroMemory: nonZero.memory };
}

/** upstream resource.PodRequests (without pod-level resources, which are alpha in v1.32). */
export function podRequests(spec: PodSpec | undefined, requestsOf: (c: Container) => Resource = containerRequests): Resource {
  const result = new Resource();
  for (const c of spec?.containers ?? []) result.add(requestsOf(c));
  const sidecars = new Resource();
  const initMax = new Resource();
  for (const c of spec?.initContainers ?? []) {
    const own = requestsOf(c);
    if (c.restartPolicy === "Always") {
      // A sidecar runs for the pod's lifetime: it adds to the total and to every later init step.
      result.add(own);
      sidecars.add(own);
      initMax.setMax(sidecars);
    } else {
      const step = own.clone();
      step.add(sidecars);
      initMax.setMax(step);
    }
  }
  result.setMax(initMax);
  if (spec?.overhead) result.add(Resource.fromList(spec.overhead));
  return result;
}

function containerRequests(c: Container): Resource {
  return Resource.fromList(c.resources?.requests);
}

/** upstream NonMissingContainerRequests: a missing cpu or memory request counts as the default. */
function nonZeroContainerRequests(c: Container): Resource {
  const requests = c.resources?.requests ?? {};
  const r = Resource.fromList(requests);
  if (!("cpu" in requests)) r.milliCPU += DEFAULT_MILLI_CPU_REQUEST;
  if (!("memory" in requests)) r.memory += DEFAULT_MEMORY_REQUEST;
  return r;
}
