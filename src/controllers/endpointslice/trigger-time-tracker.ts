// The endpoints.kubernetes.io/last-change-trigger-time value (upstream staging endpointslice/util
// TriggerTimeTracker): when the change that a sync of a Service's endpoints publishes happened. It
// remembers, per Service, the trigger time of each pod (its Ready condition's last transition) and
// of the Service (its creation) as of the last sync; the next sync reports the earliest trigger
// time that moved since, or the Service's creation for a Service seen for the first time, or none
// (undefined: nothing it can date changed). One tracker per controller; in memory only.
import { podReadyCondition } from "../pods.js";
import { timeMs } from "../../api/meta-time.js";
import type { EndpointPod, Service } from "./pod-endpoints.js";

interface ServiceState {
  lastPodTriggerTimes: Map<string, number>;
  lastServiceTriggerTime: number | undefined;
}

export class TriggerTimeTracker {
  private readonly states = new Map<string, ServiceState>();

  /** ComputeEndpointLastChangeTriggerTime, in milliseconds; updates the remembered state. */
  compute(service: Service, pods: readonly EndpointPod[]): number | undefined {
    const key = `${service.metadata.namespace ?? ""}/${service.metadata.name ?? ""}`;
    const previous = this.states.get(key);
    const state: ServiceState = { lastPodTriggerTimes: new Map(), lastServiceTriggerTime: timeMs(service.metadata.creationTimestamp) };
    let minChanged: number | undefined;
    const consider = (t: number) => (minChanged = minChanged === undefined ? t : Math.min(minChanged, t));
    for (const pod of pods) {
      const podTime = timeMs(podReadyCondition(pod)?.lastTransitionTime);
      if (podTime === undefined) continue;
      state.lastPodTriggerTimes.set(pod.metadata.name ?? "", podTime);
      if (podTime > (previous?.lastPodTriggerTimes.get(pod.metadata.name ?? "") ?? -Infinity)) consider(podTime);
    }
    const serviceTime = state.lastServiceTriggerTime;
    if (serviceTime !== undefined && serviceTime > (previous?.lastServiceTriggerTime ?? -Infinity)) consider(serviceTime);
    this.states.set(key, state);
    // A Service seen for the first time dates from its creation.
    return previous ? minChanged : serviceTime;
  }

  /** DeleteService: forgets a deleted Service. */
  deleteService(namespace: string, name: string): void {
    this.states.delete(`${namespace}/${name}`);
  }
}
