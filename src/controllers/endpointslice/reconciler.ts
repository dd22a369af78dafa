// The EndpointSlice reconciler's plan (upstream staging endpointslice/reconciler.go): from a
// Service, its pods and the slices it has, which slices to create, update and delete. Per address
// type of the Service, pods' endpoints are grouped by their resolved ports (one group per port set);
// each group's existing slices keep the endpoints still desired (refreshed when changed), lose the
// others (a slice left empty is deleted), then remaining endpoints fill slices being updated
// (fullest first), then the unchanged slice they fit best, then new slices, never more than
// maxEndpointsPerSlice each; groups no longer desired are deleted. A Service with no endpoints keeps
// one placeholder slice without endpoints or ports. Creates that can reuse a slice being deleted
// become updates of it. Pure: finalize.ts writes the plan.
import type { Logger } from "../../log.js";
import { shouldPodBeInEndpoints, type EndpointPod, type Service } from "./pod-endpoints.js";
import {
  endpointKey, endpointsEqual, endpointSliceLabels, getAddressTypesForService, getEndpointPorts, isSamePlaceholder, newEndpointSlice, ownedBy,
  podToEndpoint, portMapKey, type AddressType, type Endpoint, type EndpointMeta, type EndpointSlice, type NodeView,
} from "./slices.js";

export interface SlicePlan {
  toCreate: EndpointSlice[];
  toUpdate: EndpointSlice[];
  toDelete: EndpointSlice[];
  /** Pods skipped because their node is unknown: the sync retries. */
  errors: Error[];
}

export interface ReconcileInput {
  service: Service;
  pods: readonly EndpointPod[];
  existingSlices: readonly EndpointSlice[];
  getNode(name: string): NodeView | undefined;
  controllerName: string;
  maxEndpointsPerSlice: number;
  log: Logger;
}

/** An insertion-ordered set of endpoints keyed by endpointKey (upstream EndpointSet). */
type EndpointSet = Map<string, Endpoint>;

/** Reconcile: the plan over every address type the Service supports. */
export function planSlices(input: ReconcileInput): SlicePlan {
  const plan: SlicePlan = { toCreate: [], toUpdate: [], toDelete: [], errors: [] };
  const supported = getAddressTypesForService(input.service);
  const byAddressType = new Map<AddressType, EndpointSlice[]>();
  for (const slice of input.existingSlices) {
    // Slices of a family the Service no longer has go.
    if (!supported.includes(slice.addressType)) plan.toDelete.push(slice);
    else byAddressType.set(slice.addressType, [...(byAddressType.get(slice.addressType) ?? []), slice]);
  }
  for (const addressType of supported) {
    const part = reconcileByAddressType(input, byAddressType.get(addressType) ?? [], addressType);
    plan.toCreate.push(...part.toCreate);
    plan.toUpdate.push(...part.toUpdate);
    plan.toDelete.push(...part.toDelete);
    plan.errors.push(...part.errors);
  }
  return plan;
}

function reconcileByAddressType(input: ReconcileInput, existing: readonly EndpointSlice[], addressType: AddressType): SlicePlan {
  const { service } = input;
  const plan: SlicePlan = { toCreate: [], toUpdate: [], toDelete: [], errors: [] };
  const existingByPortMap = new Map<string, EndpointSlice[]>();
  for (const slice of existing) {
    // A slice of an older Service of the same name is not ours to reuse.
    if (!ownedBy(slice, service)) plan.toDelete.push(slice);
    else existingByPortMap.set(portMapKey(slice.ports), [...(existingByPortMap.get(portMapKey(slice.ports)) ?? []), slice]);
  }
  const desired = desiredEndpointsByPortMap(input, addressType, plan.errors);
  for (const [key, group] of desired) {
    const part = reconcileByPortMapping(input, existingByPortMap.get(key) ?? [], group.endpoints, group.meta);
    plan.toCreate.push(...part.toCreate);
    plan.toUpdate.push(...part.toUpdate);
    plan.toDelete.push(...part.toDelete);
  }
  for (const [key, slices] of existingByPortMap) if (!desired.has(key)) plan.toDelete.push(...slices);
  addPlaceholder(input, existing, addressType, plan);
  return finalizePlan(service, plan);
}

interface DesiredGroup {
  meta: EndpointMeta;
  endpoints: EndpointSet;
}

/** The desired endpoints of each port set; pods on unknown nodes are skipped with an error. */
function desiredEndpointsByPortMap(input: ReconcileInput, addressType: AddressType, errors: Error[]): Map<string, DesiredGroup> {
  const { service } = input;
  const groups = new Map<string, DesiredGroup>();
  for (const pod of input.pods) {
    if (!shouldPodBeInEndpoints(pod, true)) continue;
    const ports = getEndpointPorts(service, pod);
    const key = portMapKey(ports);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { meta: { ports, addressType }, endpoints: new Map() }));
    const nodeName = pod.spec?.nodeName ?? "";
    const node = input.getNode(nodeName);
    // A pod naming a node that does not exist is left out (and the Service retried), unless the
    // Service publishes not-ready addresses.
    if (!node && service.spec?.publishNotReadyAddresses !== true) {
      input.log.info("skipping pod for service, node not found", { pod: pod.metadata.name, node: nodeName });
      errors.push(new Error(`skipping Pod ${pod.metadata.name ?? ""} for Service ${service.metadata.namespace ?? ""}/${service.metadata.name ?? ""}: Node ${nodeName} Not Found`));
      continue;
    }
    const endpoint = podToEndpoint(pod, node, service, addressType);
    if (endpoint.addresses.length > 0) group.endpoints.set(endpointKey(endpoint), endpoint);
  }
  return groups;
}

/** When no slice would remain, one placeholder stays (reusing an identical existing one). */
function addPlaceholder(input: ReconcileInput, existing: readonly EndpointSlice[], addressType: AddressType, plan: SlicePlan): void {
  if (existing.length !== plan.toDelete.length || plan.toCreate.length > 0) return;
  const placeholder = newEndpointSlice(input.service, { ports: [], addressType }, input.controllerName);
  const [only] = plan.toDelete;
  if (plan.toDelete.length === 1 && only && isSamePlaceholder(only, placeholder)) plan.toDelete.length = 0;
  else plan.toCreate.push(placeholder);
}

/** Creates become updates of slices that would be deleted (same family, owned by this Service). */
function finalizePlan(service: Service, plan: SlicePlan): SlicePlan {
  const toDelete = [...plan.toDelete];
  const toCreate = [...plan.toCreate];
  const toUpdate = [...plan.toUpdate];
  for (let i = 0; i < toDelete.length && toCreate.length > 0; ) {
    const doomed = toDelete[i] as EndpointSlice;
    const created = toCreate[toCreate.length - 1] as EndpointSlice;
    if (doomed.addressType !== created.addressType || !ownedBy(doomed, service)) {
      i++;
      continue;
    }
    const { generateName: _generated, ...metadata } = created.metadata;
    toUpdate.push({ ...created, metadata: { ...metadata, name: doomed.metadata.name, resourceVersion: doomed.metadata.resourceVersion, annotations: doomed.metadata.annotations } });
    toCreate.pop();
    toDelete.splice(i, 1);
  }
  return { toCreate, toUpdate, toDelete, errors: plan.errors };
}

/** reconcileByPortMapping: one port set's slices. */
function reconcileByPortMapping(input: ReconcileInput, existing: readonly EndpointSlice[], desired: EndpointSet, meta: EndpointMeta): SlicePlan {
  const byName = new Map<string, EndpointSlice>();
  const unchanged = new Set<string>();
  const toUpdate = new Set<string>();
  const toDelete = new Set<string>();
  // 1. Keep desired endpoints (refreshed), drop the others.
  for (const slice of existing) {
    const name = slice.metadata.name ?? "";
    byName.set(name, slice);
    const kept: Endpoint[] = [];
    let endpointUpdated = false;
    for (const endpoint of slice.endpoints ?? []) {
      const want = desired.get(endpointKey(endpoint));
      if (!want) continue;
      kept.push(want);
      if (!endpointsEqual(want, endpoint)) endpointUpdated = true;
      desired.delete(endpointKey(endpoint));
    }
    const { labels, changed } = endpointSliceLabels(slice, input.service, input.controllerName);
    if (endpointUpdated || kept.length !== (slice.endpoints ?? []).length) {
      if (kept.length === 0) toDelete.add(name);
      else {
        byName.set(name, { ...structuredClone(slice), endpoints: kept, metadata: { ...structuredClone(slice.metadata), labels } });
        toUpdate.add(name);
      }
    } else if (changed) {
      byName.set(name, { ...structuredClone(slice), metadata: { ...structuredClone(slice.metadata), labels } });
      toUpdate.add(name);
    } else {
      unchanged.add(name);
    }
  }
  fillSlicesToUpdate(input, [...toUpdate].map((n) => byName.get(n) as EndpointSlice), desired);
  const toCreate = fillRemaining({ input, desired, meta, byName, unchanged, toUpdate });
  return {
    toCreate,
    toUpdate: [...toUpdate].map((n) => byName.get(n) as EndpointSlice),
    toDelete: [...toDelete].map((n) => byName.get(n) as EndpointSlice),
    errors: [],
  };
}

/** 2. Remaining endpoints go into slices being updated anyway, fullest first. */
function fillSlicesToUpdate(input: ReconcileInput, slices: EndpointSlice[], desired: EndpointSet): void {
  if (desired.size === 0) return;
  slices.sort((a, b) => (b.endpoints ?? []).length - (a.endpoints ?? []).length);
  for (const slice of slices) {
    const endpoints = [...(slice.endpoints ?? [])];
    while (desired.size > 0 && endpoints.length < input.maxEndpointsPerSlice) endpoints.push(popAny(desired));
    slice.endpoints = endpoints;
  }
}

interface FillState {
  input: ReconcileInput;
  desired: EndpointSet;
  meta: EndpointMeta;
  byName: Map<string, EndpointSlice>;
  unchanged: Set<string>;
  toUpdate: Set<string>;
}

/** 3. Then the unchanged slice they fit best, then new slices. Returns the slices to create. */
function fillRemaining(state: FillState): EndpointSlice[] {
  const { input, desired, byName, unchanged, toUpdate } = state;
  const toCreate: EndpointSlice[] = [];
  while (desired.size > 0) {
    let slice: EndpointSlice | undefined;
    if (desired.size < input.maxEndpointsPerSlice && unchanged.size > 0) {
      const fit = getSliceToFill([...unchanged].map((n) => byName.get(n) as EndpointSlice), desired.size, input.maxEndpointsPerSlice);
      if (fit) slice = structuredClone(fit);
    }
    slice ??= newEndpointSlice(input.service, state.meta, input.controllerName);
    const endpoints = [...(slice.endpoints ?? [])];
    while (desired.size > 0 && endpoints.length < input.maxEndpointsPerSlice) endpoints.push(popAny(desired));
    slice.endpoints = endpoints;
    const name = slice.metadata.name ?? "";
    if (name === "") {
      toCreate.push(slice);
      continue;
    }
    byName.set(name, slice);
    toUpdate.add(name);
    unchanged.delete(name);
  }
  return toCreate;
}

/** getSliceToFill: the slice whose free room is closest to numEndpoints without being less. */
function getSliceToFill(slices: readonly EndpointSlice[], numEndpoints: number, maxEndpoints: number): EndpointSlice | undefined {
  let closestDiff = maxEndpoints;
  let closest: EndpointSlice | undefined;
  for (const slice of slices) {
    const diff = maxEndpoints - (numEndpoints + (slice.endpoints ?? []).length);
    if (diff >= 0 && diff < closestDiff) {
      closestDiff = diff;
      closest = slice;
      if (diff === 0) break;
    }
  }
  return closest;
}

function popAny(set: EndpointSet): Endpoint {
  const [first] = set;
  if (!first) throw new Error("popAny on an empty endpoint set");
  set.delete(first[0]);
  return first[1];
}
