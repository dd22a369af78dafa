// The EndpointSlice controller (upstream pkg/controller/endpointslice with the staging
// endpointslice reconciler): for every Service with a selector, EndpointSlices listing the pods it
// selects. syncService reads the Service, its pods, its slices (labelled kubernetes.io/service-name
// and managed-by endpointslice-controller.k8s.io) and the nodes from the shared caches, refuses to
// act on a cache that does not yet show its own last writes (endpointslice-tracker.ts), plans the
// slices (endpointslice/reconciler.ts: ports resolved per pod including named targetPorts, at most
// 100 endpoints a slice, ready/serving/terminating conditions) and writes the plan
// (endpointslice/finalize.ts). Services without a selector, and ExternalName Services, are left
// alone: their slices are someone else's. A deleted Service's slices go with it through the garbage
// collector (the Service is their controller owner), as upstream. A failed write records
// FailedToUpdateEndpointSlices on the Service and retries with backoff.
import type { KubeObject } from "../api/resource.js";
import { CORE_V1 } from "../client/client.js";
import { defineController, keyFor, splitKey, type Controller, type ReconcileResult } from "../client/controller.js";
import { indexFuncs } from "../client/indexer.js";
import type { Informer } from "../client/informer.js";
import type { ControllerContext, ControllerRegistration } from "./controller-context.js";
import { EndpointSliceTracker } from "./endpointslice/endpointslice-tracker.js";
import { ENDPOINT_SLICES, finalize } from "./endpointslice/finalize.js";
import { LabelManagedBy, LabelServiceName, type Service } from "./endpointslice/pod-endpoints.js";
import { planSlices } from "./endpointslice/reconciler.js";
import { CONTROLLER_NAME, MAX_ENDPOINTS_PER_SLICE, type EndpointSlice, type NodeView } from "./endpointslice/slices.js";
import { TriggerTimeTracker } from "./endpointslice/trigger-time-tracker.js";
import { messageOf } from "./error-message.js";
import { selectedPods, serviceAndPodWatches } from "./service-pods.js";

export const FailedToUpdateEndpointSlices = "FailedToUpdateEndpointSlices";

const SERVICES = CORE_V1("services");
const PODS = CORE_V1("pods");
const NODES = CORE_V1("nodes");
/** The EndpointSlice cache index by kubernetes.io/service-name. */
const SERVICE_NAME_INDEX = "endpointslice-service-name";
/** upstream --concurrent-service-endpoint-syncs. */
const WORKERS = 5;

export const endpointSliceController: ControllerRegistration = {
  name: "endpointslice",
  component: "endpointslice-controller",
  create: (ctx) => new EndpointSliceController(ctx).controller,
};

class EndpointSliceController {
  readonly controller: Controller;
  private readonly serviceInformer: Informer;
  private readonly podInformer: Informer;
  private readonly sliceInformer: Informer;
  private readonly nodeInformer: Informer;
  private readonly tracker = new EndpointSliceTracker();
  private readonly triggerTimeTracker = new TriggerTimeTracker();

  constructor(private readonly ctx: ControllerContext) {
    this.serviceInformer = ctx.informers.informerFor(SERVICES);
    this.podInformer = ctx.informers.informerFor(PODS);
    this.sliceInformer = ctx.informers.informerFor(ENDPOINT_SLICES);
    this.nodeInformer = ctx.informers.informerFor(NODES);
    this.sliceInformer.addIndexer(SERVICE_NAME_INDEX, indexFuncs.label(LabelServiceName));
    this.sliceInformer.addEventHandler({ onDelete: (slice) => this.sliceDeleted(slice) });
    this.controller = defineController({
      name: "endpointslice",
      workers: WORKERS,
      clock: ctx.clock,
      logger: ctx.log,
      watches: [
        ...serviceAndPodWatches(this.serviceInformer, this.podInformer),
        { informer: this.sliceInformer, keys: (slice) => (managedByController(slice) ? [sliceServiceKey(slice)] : []) },
      ],
      reads: [this.nodeInformer],
      reconcile: (key) => this.syncService(key),
    });
  }

  /** syncService: converge one Service's EndpointSlices. */
  private async syncService(key: string): Promise<ReconcileResult> {
    const service = this.serviceInformer.get(key) as Service | undefined;
    if (!service) {
      // Its slices go with it through the garbage collector.
      const { namespace, name } = splitKey(key);
      this.triggerTimeTracker.deleteService(namespace ?? "", name);
      this.tracker.deleteService(key);
      return;
    }
    const pods = selectedPods(service, this.podInformer)?.sort(byName);
    if (!pods) return;
    const namespace = service.metadata.namespace ?? "";
    // Slices pending deletion are dropped so the controller does not get stuck behind them.
    const slices = this.managedSlices(namespace, service.metadata.name ?? "").filter((s) => !s.metadata.deletionTimestamp);
    if (this.tracker.staleSlices(key, slices)) throw new Error("EndpointSlice informer cache is out of date");
    const triggerTimeMs = this.triggerTimeTracker.compute(service, pods);
    const plan = planSlices({
      service, pods, existingSlices: slices, controllerName: CONTROLLER_NAME, maxEndpointsPerSlice: MAX_ENDPOINTS_PER_SLICE, log: this.ctx.log,
      getNode: (name) => this.nodeInformer.get(name) as NodeView | undefined,
    });
    try {
      await finalize({ client: this.ctx.client, tracker: this.tracker, serviceKey: key, service, plan, triggerTimeMs });
    } catch (err) {
      await this.ctx.recorder.event(service, "Warning", FailedToUpdateEndpointSlices, `Error updating Endpoint Slices for Service ${key}: ${messageOf(err)}`);
      throw err;
    }
    if (plan.errors.length > 0) throw new Error(plan.errors.map((e) => e.message).join(", "));
  }

  /** The slices of this Service that this controller manages. */
  private managedSlices(namespace: string, serviceName: string): EndpointSlice[] {
    return (this.sliceInformer.byIndex(SERVICE_NAME_INDEX, serviceName) as EndpointSlice[]).filter(
      (s) => s.metadata.namespace === namespace && managedByController(s),
    );
  }

  private sliceDeleted(slice: KubeObject): void {
    if (managedByController(slice)) this.tracker.handleDeletion(sliceServiceKey(slice), slice as EndpointSlice);
  }
}

function managedByController(slice: KubeObject): boolean {
  return slice.metadata?.labels?.[LabelManagedBy] === CONTROLLER_NAME && slice.metadata.labels[LabelServiceName] !== undefined;
}

function sliceServiceKey(slice: KubeObject): string {
  return keyFor(slice.metadata?.namespace, slice.metadata?.labels?.[LabelServiceName] ?? "");
}

function byName(a: KubeObject, b: KubeObject): number {
  const x = a.metadata?.name ?? "";
  const y = b.metadata?.name ?? "";
  return x < y ? -1 : x > y ? 1 : 0;
}
