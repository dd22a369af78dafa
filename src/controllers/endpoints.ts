// The Endpoints controller (upstream pkg/controller/endpoint/endpoints_controller.go): for every
// Service with a selector, the legacy core/v1 Endpoints object of the same name. syncService reads
// the Service and the pods it selects from the shared caches; each pod with an IP (not finished,
// not terminating unless publishNotReadyAddresses) contributes one address per resolvable service
// port (named targetPorts resolved on the pod), under addresses when Ready (or when the Service
// publishes not-ready addresses) and under notReadyAddresses otherwise; the subsets are repacked
// and sorted (endpoints/subsets.ts), truncated beyond 1000 addresses. The object carries the
// Service's labels (plus service.kubernetes.io/headless without a cluster IP) and the
// endpoints.kubernetes.io/last-change-trigger-time annotation, and is written (create, or update
// compare-and-swap) only when subsets, labels or the capacity annotation differ. Services without a
// selector and ExternalName Services are left alone; when a Service goes, its Endpoints go.
// Events: FailedToCreateEndpoint, FailedToUpdateEndpoint.
import { StatusError } from "../api/errors.js";
import type { KubeObject, ObjectMeta } from "../api/resource.js";
import { CORE_V1 } from "../client/client.js";
import { defineController, objectKey, splitKey, type Controller, type ReconcileResult } from "../client/controller.js";
import type { Informer } from "../client/informer.js";
import { canonicalJson } from "./canonical-json.js";
import type { ControllerContext, ControllerRegistration } from "./controller-context.js";
import {
  EndpointsLastChangeTriggerTime, findPort, IsHeadlessService, isServiceIPSet, podIPs, rfc3339Nano, shouldPodBeInEndpoints, shouldSetHostname,
  type EndpointPod, type Service,
} from "./endpointslice/pod-endpoints.js";
import { countAddresses, MAX_CAPACITY, repackSubsets, truncateSubsets, type EndpointAddress, type EndpointPort, type EndpointSubset } from "./endpoints/subsets.js";
import { TriggerTimeTracker } from "./endpointslice/trigger-time-tracker.js";
import { messageOf } from "./error-message.js";
import { isNamespaceTerminating } from "./pod-control.js";
import { isPodReady } from "./pods.js";
import { selectedPods, serviceAndPodWatches } from "./service-pods.js";

export const FailedToCreateEndpoint = "FailedToCreateEndpoint";
export const FailedToUpdateEndpoint = "FailedToUpdateEndpoint";
/** v1.EndpointsOverCapacity. */
export const EndpointsOverCapacity = "endpoints.kubernetes.io/over-capacity";
/** resourcelock.LeaderElectionRecordAnnotationKey: Endpoints used as a leader lock are not ours. */
const LEADER_ANNOTATION = "control-plane.alpha.kubernetes.io/leader";

const SERVICES = CORE_V1("services");
const PODS = CORE_V1("pods");
const ENDPOINTS = CORE_V1("endpoints");
/** upstream --concurrent-endpoint-syncs. */
const WORKERS = 5;

export interface Endpoints extends KubeObject {
  metadata: ObjectMeta;
  subsets?: EndpointSubset[];
}

export const endpointsController: ControllerRegistration = {
  name: "endpoint",
  component: "endpoint-controller",
  create: (ctx) => new EndpointController(ctx).controller,
};

class EndpointController {
  readonly controller: Controller;
  private readonly serviceInformer: Informer;
  private readonly podInformer: Informer;
  private readonly endpointsInformer: Informer;
  private readonly triggerTimeTracker = new TriggerTimeTracker();

  constructor(private readonly ctx: ControllerContext) {
    this.serviceInformer = ctx.informers.informerFor(SERVICES);
    this.podInformer = ctx.informers.informerFor(PODS);
    this.endpointsInformer = ctx.informers.informerFor(ENDPOINTS);
    this.controller = defineController({
      name: "endpoint",
      workers: WORKERS,
      clock: ctx.clock,
      logger: ctx.log,
      watches: [
        ...serviceAndPodWatches(this.serviceInformer, this.podInformer),
        // Endpoints changed by others are put back; those of no (cached) Service are not ours to judge.
        { informer: this.endpointsInformer, keys: (ep) => (this.serviceInformer.get(objectKey(ep)) && !ep.metadata?.annotations?.[LEADER_ANNOTATION] ? [objectKey(ep)] : []) },
      ],
      reconcile: (key) => this.syncService(key),
    });
  }

  /** syncService: converge one Service's Endpoints. */
  private async syncService(key: string): Promise<ReconcileResult> {
    const service = this.serviceInformer.get(key) as Service | undefined;
    if (!service) return this.deleteEndpoints(key);
    const pods = selectedPods(service, this.podInformer);
    if (!pods) return;
    const subsets = repackSubsets(pods.flatMap((pod) => podSubsets(service, pod)));
    const triggerTimeMs = this.triggerTimeTracker.compute(service, pods);
    const current = this.endpointsInformer.get(key) as Endpoints | undefined;
    if (current && upToDate(current, service, subsets)) return;
    await this.writeEndpoints(service, current, newEndpoints(service, current, subsets, triggerTimeMs));
  }

  /** The Service is gone: so are its Endpoints. */
  private async deleteEndpoints(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    try {
      await this.ctx.client.delete(ENDPOINTS, namespace, name);
    } catch (err) {
      if (!(err instanceof StatusError && err.code === 404)) throw err;
    }
    this.triggerTimeTracker.deleteService(namespace ?? "", name);
  }

  private async writeEndpoints(service: Service, current: Endpoints | undefined, desired: Endpoints): Promise<void> {
    const namespace = service.metadata.namespace;
    try {
      if (current) await this.ctx.client.update(ENDPOINTS, namespace, desired);
      else await this.ctx.client.create(ENDPOINTS, namespace, desired);
    } catch (err) {
      // Creates keep failing while the namespace terminates: drop the item.
      if (!current && isNamespaceTerminating(err)) return;
      const key = `${namespace ?? ""}/${service.metadata.name ?? ""}`;
      if (current) await this.ctx.recorder.event(desired, "Warning", FailedToUpdateEndpoint, `Failed to update endpoint ${key}: ${messageOf(err)}`);
      else await this.ctx.recorder.event(desired, "Warning", FailedToCreateEndpoint, `Failed to create endpoint for service ${key}: ${messageOf(err)}`);
      throw err;
    }
  }
}

/** One subset per resolvable service port of the pod (one without ports for a headless Service without any). */
function podSubsets(service: Service, pod: EndpointPod): EndpointSubset[] {
  const tolerateUnready = service.spec?.publishNotReadyAddresses === true;
  if (!shouldPodBeInEndpoints(pod, tolerateUnready)) return [];
  const address = podToEndpointAddress(service, pod);
  if (!address) return [];
  const ready = tolerateUnready || isPodReady(pod);
  const subset = (ports: EndpointPort[]): EndpointSubset => (ready ? { addresses: [address], ports } : { notReadyAddresses: [address], ports });
  const servicePorts = service.spec?.ports ?? [];
  if (servicePorts.length === 0 && !isServiceIPSet(service)) return [subset([])];
  const subsets: EndpointSubset[] = [];
  for (const servicePort of servicePorts) {
    const port = findPort(pod, servicePort);
    if (port === undefined) continue;
    const endpointPort: EndpointPort = { name: servicePort.name ?? "", port, protocol: servicePort.protocol ?? "TCP" };
    if (servicePort.appProtocol !== undefined) endpointPort.appProtocol = servicePort.appProtocol;
    subsets.push(subset([endpointPort]));
  }
  return subsets;
}

/** podToEndpointAddressForService: the pod's IP of the Service's family. */
function podToEndpointAddress(service: Service, pod: EndpointPod): EndpointAddress | undefined {
  const wantIPv6 = service.spec?.ipFamilies?.[0] === "IPv6" || (isServiceIPSet(service) && (service.spec?.clusterIP ?? "").includes(":"));
  const familyKnown = (service.spec?.ipFamilies?.length ?? 0) > 0 || isServiceIPSet(service);
  const ips = podIPs(pod);
  const ip = familyKnown ? ips.find((candidate) => candidate.includes(":") === wantIPv6) : ips[0];
  if (ip === undefined) return undefined;
  const address: EndpointAddress = { ip, targetRef: { kind: "Pod", namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid } };
  if (pod.spec?.nodeName) address.nodeName = pod.spec.nodeName;
  if (shouldSetHostname(pod, service)) address.hostname = pod.spec?.hostname;
  return address;
}

/** The stored Endpoints already say this: same subsets, the Service's labels, a correct capacity annotation. */
function upToDate(current: Endpoints, service: Service, subsets: readonly EndpointSubset[]): boolean {
  const { [IsHeadlessService]: _headless, ...labels } = current.metadata.labels ?? {};
  const overCapacity = current.metadata.annotations?.[EndpointsOverCapacity] !== undefined;
  const capacityAnnotationCorrect = countAddresses(current.subsets ?? []) <= MAX_CAPACITY && !overCapacity;
  return canonicalJson(current.subsets ?? []) === canonicalJson(subsets) && canonicalJson(labels) === canonicalJson(service.metadata.labels ?? {}) && capacityAnnotationCorrect;
}

/** The Endpoints to write: a copy of the stored one (its resourceVersion kept for compare-and-swap), or a new one. */
function newEndpoints(service: Service, current: Endpoints | undefined, subsets: EndpointSubset[], triggerTimeMs: number | undefined): Endpoints {
  const base: Endpoints = current ? structuredClone(current) : { apiVersion: "v1", kind: "Endpoints", metadata: { name: service.metadata.name, namespace: service.metadata.namespace } };
  const annotations: Record<string, string> = { ...base.metadata.annotations };
  if (triggerTimeMs !== undefined) annotations[EndpointsLastChangeTriggerTime] = rfc3339Nano(triggerTimeMs);
  else delete annotations[EndpointsLastChangeTriggerTime];
  const truncated = truncateSubsets(subsets);
  if (truncated) annotations[EndpointsOverCapacity] = "truncated";
  else delete annotations[EndpointsOverCapacity];
  const labels: Record<string, string> = { ...service.metadata.labels };
  if (!isServiceIPSet(service)) labels[IsHeadlessService] = "";
  const metadata: ObjectMeta = { ...base.metadata, labels, annotations };
  return { ...base, metadata, subsets: truncated ?? subsets };
}
