// The pods a Service selects, as both endpoint controllers (Endpoints and EndpointSlice) read them
// from the shared caches: a Service's selector (none when absent or empty), the pods of its
// namespace that match it, and the reverse mapping from a pod to every Service selecting it
// (upstream GetPodServiceMemberships), so that a pod change requeues exactly those Services.
// ExternalName Services and Services without a selector select nothing: their endpoints are
// someone else's to write.
import { LabelSelector } from "../api/label-selector.js";
import { objectKey, type KeyMapper, type Watch } from "../client/controller.js";
import type { Informer } from "../client/informer.js";
import type { EndpointPod, Service } from "./endpointslice/pod-endpoints.js";

/** The selector of a Service that has one (an absent or empty selector means none). */
export function serviceSelector(service: Service): LabelSelector | undefined {
  const selector = service.spec?.selector;
  if (!selector || Object.keys(selector).length === 0) return undefined;
  return LabelSelector.fromSet(selector);
}

/** Pod → every Service of its namespace whose selector matches it (upstream GetPodServiceMemberships). */
export function podToServices(services: Informer): KeyMapper {
  return (pod) =>
    (services.list(pod.metadata?.namespace) as Service[])
      .filter((svc) => serviceSelector(svc)?.matches(pod.metadata?.labels) === true)
      .map(objectKey);
}

/** The watches of an endpoint controller: a Service syncs itself, a pod syncs the Services selecting it. */
export function serviceAndPodWatches(services: Informer, pods: Informer): Watch[] {
  return [
    { informer: services, keys: (svc) => [objectKey(svc)] },
    { informer: pods, keys: podToServices(services) },
  ];
}

/** The cached pods the Service selects (a new array); undefined for a Service left alone (ExternalName or no selector). */
export function selectedPods(service: Service, pods: Informer): EndpointPod[] | undefined {
  const selector = serviceSelector(service);
  if (service.spec?.type === "ExternalName" || !selector) return undefined;
  return (pods.list(service.metadata.namespace ?? "") as EndpointPod[]).filter((p) => selector.matches(p.metadata.labels));
}
