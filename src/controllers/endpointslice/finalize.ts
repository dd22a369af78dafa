// Writes a slice plan (upstream reconciler finalize): creates (not while the Service is being
// deleted, so as not to race the garbage collector), then updates (compare-and-swap on the
// resourceVersion the plan read), then deletes; created and updated slices carry the
// last-change-trigger-time annotation. Each write is recorded in the tracker so the next sync can
// tell a stale cache. A namespace being torn down ends the creates quietly; other errors stop the
// writes and are returned for the caller to report and retry.
import { StatusError } from "../../api/errors.js";
import type { Client, ResourceRef } from "../../client/client.js";
import { messageOf } from "../error-message.js";
import { isNamespaceTerminating } from "../pod-control.js";
import type { EndpointSliceTracker } from "./endpointslice-tracker.js";
import { EndpointsLastChangeTriggerTime, rfc3339Nano, type Service } from "./pod-endpoints.js";
import type { SlicePlan } from "./reconciler.js";
import type { EndpointSlice } from "./slices.js";

export const ENDPOINT_SLICES: ResourceRef = { group: "discovery.k8s.io", version: "v1", resource: "endpointslices" };

export interface FinalizeInput {
  client: Client;
  tracker: EndpointSliceTracker;
  serviceKey: string;
  service: Service;
  plan: SlicePlan;
  triggerTimeMs: number | undefined;
}

export async function finalize(input: FinalizeInput): Promise<void> {
  const { client, tracker, serviceKey, service, plan } = input;
  const namespace = service.metadata.namespace;
  if (!service.metadata.deletionTimestamp) {
    for (const slice of plan.toCreate) {
      try {
        tracker.update(serviceKey, (await client.create(ENDPOINT_SLICES, namespace, withTriggerTime(slice, input.triggerTimeMs))) as EndpointSlice);
      } catch (err) {
        if (isNamespaceTerminating(err)) return;
        throw new Error(`failed to create EndpointSlice for Service ${serviceKey}: ${messageOf(err)}`, { cause: err });
      }
    }
  }
  for (const slice of plan.toUpdate) {
    try {
      tracker.update(serviceKey, (await client.update(ENDPOINT_SLICES, namespace, withTriggerTime(slice, input.triggerTimeMs))) as EndpointSlice);
    } catch (err) {
      throw new Error(`failed to update ${slice.metadata.name ?? ""} EndpointSlice for Service ${serviceKey}: ${messageOf(err)}`, { cause: err });
    }
  }
  for (const slice of plan.toDelete) {
    try {
      await client.delete(ENDPOINT_SLICES, namespace, slice.metadata.name ?? "");
    } catch (err) {
      if (!(err instanceof StatusError && err.code === 404)) throw new Error(`failed to delete ${slice.metadata.name ?? ""} EndpointSlice for Service ${serviceKey}: ${messageOf(err)}`, { cause: err });
    }
    tracker.expectDeletion(serviceKey, slice);
  }
}

/** addTriggerTimeAnnotation: set when the change is dated, removed otherwise. */
function withTriggerTime(slice: EndpointSlice, triggerTimeMs: number | undefined): EndpointSlice {
  const annotations = { ...slice.metadata.annotations };
  if (triggerTimeMs !== undefined) annotations[EndpointsLastChangeTriggerTime] = rfc3339Nano(triggerTimeMs);
  else delete annotations[EndpointsLastChangeTriggerTime];
  const metadata = { ...slice.metadata };
  if (Object.keys(annotations).length > 0) metadata.annotations = annotations;
  else delete metadata.annotations;
  return { ...slice, metadata };
}
